"""Barometer results: every published figure against an independent computation, and the
suppression rules on a known answer set."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from barometer.models import Question, QuestionnaireVersion, WaveSchool
from barometer.models.questionnaire import OPTIONS
from barometer.selectors.results import Level, open_answers, results_compute
from barometer.tests.factories import WaveFactory
from barometer.tests.results_data import responses_add
from schools.models import Sector
from schools.tests.factories import RegionFactory, SchoolFactory, SchoolGroupFactory, TeamFactory

pytestmark = pytest.mark.django_db


def round_half_up(value: Fraction) -> int:
    """Independent of the code under test: exact fractions, halves away from zero (all ≥ 0)."""
    return int(value + Fraction(1, 2)) if value >= 0 else -int(-value + Fraction(1, 2))


def expected(kind: str, values: list[int]) -> dict:
    """The published figures of one item for one group, from the raw values."""
    n = len(values)
    figures = {"n": n}
    if kind == "likert":
        figures["percent"] = round_half_up(Fraction(100 * sum(v >= 4 for v in values), n))
    if kind in ("agree", "yes_no"):
        figures["percent"] = round_half_up(Fraction(100 * sum(v == 1 for v in values), n))
    if kind in ("likert", "scale", "frequency"):
        tenths = round_half_up(Fraction(10 * sum(values), n))
        figures["mean"] = f"{tenths // 10}.{tenths % 10}"
    figures["distribution"] = [
        round_half_up(Fraction(100 * sum(v == option for v in values), n)) for option, _label in OPTIONS[kind]
    ]
    return figures


def published(score) -> dict:
    figures = {"n": score.n, "distribution": [percent for _label, _count, percent in score.distribution]}
    if score.percent is not None:
        figures["percent"] = score.percent
    if score.mean is not None:
        figures["mean"] = str(score.mean)
    return figures


@pytest.fixture
def known():
    """Four schools in two sectors, two regions and three besturen, whose teams
    exercise every suppression rule, with random but seeded answers on every item."""
    version = QuestionnaireVersion.objects.get(questionnaire__slug="impact-barometer", number=1)
    wave = WaveFactory(version=version)
    questions = list(Question.objects.filter(version=version).order_by("position", "pk"))
    kinds = {q.code: q.kind for q in questions}
    rng = random.Random(20261122)
    north, south = RegionFactory(name="Testregio Noord"), RegionFactory(name="Testregio Zuid")
    group_one, group_two = SchoolGroupFactory(name="Bestuur Een"), SchoolGroupFactory(name="Bestuur Twee")
    group_three = SchoolGroupFactory(name="Bestuur Drie")
    schools = {
        "A": SchoolFactory(name="School A", sector=Sector.PO, region=north, school_group=group_one),
        "B": SchoolFactory(name="School B", sector=Sector.PO, region=south, school_group=group_one),
        "C": SchoolFactory(name="School C", sector=Sector.VO, region=north, school_group=group_two),
        "D": SchoolFactory(name="School D", sector=Sector.VO, region=south, school_group=group_three),
    }
    # (school, team name or None for teachers without a team, number of respondents)
    layout = [
        ("A", "A1", 8),
        ("A", "A2", 6),
        ("A", "A3", 3),  # A3 < 5; hidden rest 3 < 5 → A2 hidden too
        ("B", "B1", 7),
        ("B", "B2", 7),
        ("B", None, 2),  # the 2 without team force one 7 to hide
        ("C", "C1", 4),  # the whole school < 5
        ("D", "D1", 5),
        ("D", "D2", 10),
        ("D", None, 5),  # the rest is 5: everything shows
    ]
    raw: dict[tuple[str, str | None], list[dict]] = {}
    teams = {}
    for school_key, team_name, count in layout:
        team = TeamFactory(school=schools[school_key], name=team_name) if team_name else None
        teams[team_name] = team
        answers = []
        for _ in range(count):
            answer = {}
            for code, kind in kinds.items():
                if kind == "open":
                    answer[code] = rng.choice(["", f"Opmerking {rng.randint(1, 999)}"])
                elif kind in ("agree", "yes_no"):
                    answer[code] = rng.randint(0, 1)
                else:
                    answer[code] = rng.choice([1, 2, 3, 3, 4, 4, 4, 5, 5])
            answers.append(answer)
        raw[(school_key, team_name)] = answers
        responses_add(wave=wave, school=schools[school_key], team=team, answers=answers)
    return {
        "wave": wave,
        "kinds": kinds,
        "schools": schools,
        "teams": teams,
        "raw": raw,
        "north": north,
        "south": south,
        "group_one": group_one,
        "group_two": group_two,
    }


def values_of(known, cells, code):
    return [answer[code] for cell in cells for answer in known["raw"][cell]]


def scored(known):
    return {code: kind for code, kind in known["kinds"].items() if kind != "open"}


def check_group(known, group, cells):
    for code, kind in scored(known).items():
        assert published(group.scores[code]) == expected(kind, values_of(known, cells, code)), (group.name, code)


def test_every_published_percentage_and_mean_matches_an_independent_computation(known):
    wave = known["wave"]
    results = results_compute(wave_ids=[wave.pk])
    cells_of = {key: [cell for cell in known["raw"] if cell[0] == key] for key in "ABCD"}
    shown_schools = ["A", "B", "D"]  # C has 4 respondents

    # Schools: every cell of the school, teachers without a team included.
    schools = {group.name: group for group in results.groups(Level.SCHOOL, wave_id=wave.pk)}
    assert set(schools) == {"School A", "School B", "School D"}
    for key in shown_schools:
        check_group(known, schools[f"School {key}"], cells_of[key])

    # Teams: A1 (A2 hidden with A3), one of B's equal teams (the first made), D1 and D2.
    teams = {group.name: group for group in results.groups(Level.TEAM, wave_id=wave.pk)}
    assert set(teams) == {"A1", "B2", "D1", "D2"}
    for name in teams:
        school_key = name[0]
        check_group(known, teams[name], [(school_key, name)])

    # Above the school: the sums of the shown schools only (C never counts).
    national = results.total(wave_id=wave.pk)
    check_group(known, national, [c for key in shown_schools for c in cells_of[key]])
    sectors = {group.key: group for group in results.groups(Level.SECTOR, wave_id=wave.pk)}
    assert set(sectors) == {Sector.PO, Sector.VO}
    check_group(known, sectors[Sector.PO], cells_of["A"] + cells_of["B"])
    check_group(known, sectors[Sector.VO], cells_of["D"])
    regions = {group.name: group for group in results.groups(Level.REGION, wave_id=wave.pk)}
    check_group(known, regions["Testregio Noord"], cells_of["A"])
    check_group(known, regions["Testregio Zuid"], cells_of["B"] + cells_of["D"])
    besturen = {group.name: group for group in results.groups(Level.SCHOOL_GROUP, wave_id=wave.pk)}
    assert set(besturen) == {"Bestuur Een", "Bestuur Drie"}  # Bestuur Twee has only the hidden school C
    check_group(known, besturen["Bestuur Een"], cells_of["A"] + cells_of["B"])
    check_group(known, besturen["Bestuur Drie"], cells_of["D"])
    # A filtered selection (sector and region): also a sum of shown schools.
    check_group(known, results.total(wave_id=wave.pk, sector=Sector.VO, region_id=known["south"].pk), cells_of["D"])


def test_a_school_computed_alone_shows_exactly_what_the_national_computation_shows(known):
    wave = known["wave"]
    everything = results_compute(wave_ids=[wave.pk])
    for key in "ABD":
        school = known["schools"][key]
        alone = results_compute(wave_ids=[wave.pk], school_ids=[school.pk])
        for level in (Level.SCHOOL, Level.TEAM):
            assert [(g.name, g.scores) for g in alone.groups(level, wave_id=wave.pk)] == [
                (g.name, g.scores) for g in everything.groups(level, wave_id=wave.pk, school_id=school.pk)
            ]


def test_a_hidden_school_shows_nothing_anywhere(known):
    wave = known["wave"]
    school = known["schools"]["C"]
    results = results_compute(wave_ids=[wave.pk], school_ids=[school.pk])
    assert results.groups(Level.SCHOOL, wave_id=wave.pk) == []
    assert results.groups(Level.TEAM, wave_id=wave.pk) == []
    assert all(score is None for score in results.total(wave_id=wave.pk).scores.values())


def test_open_answers_show_from_ten_writers_and_never_below(known):
    wave = known["wave"]
    for key in "ABCD":
        written = [a["open_remarks"] for cell in known["raw"] if cell[0] == key for a in known["raw"][cell]]
        written = [text for text in written if text]
        (found,) = open_answers(school_id=known["schools"][key].pk, wave_id=wave.pk)
        assert found.count == len(written)
        if len(written) >= 10:
            assert sorted(found.answers) == sorted(written)
        else:
            assert found.answers is None


def test_answers_of_a_moment_still_open_count_nowhere_until_it_closes(known):
    wave = known["wave"]
    late = SchoolFactory(name="School E", sector=Sector.PO, region=known["north"], school_group=known["group_one"])
    responses_add(
        wave=wave, school=late, team=None, answers=[{"enthusiasm": 5, "open_remarks": "x"}] * 12, status="open"
    )
    results = results_compute(wave_ids=[wave.pk])
    assert "School E" not in {group.name for group in results.groups(Level.SCHOOL, wave_id=wave.pk)}
    before = results.total(wave_id=wave.pk).scores["enthusiasm"].n
    assert open_answers(school_id=late.pk, wave_id=wave.pk)[0].count == 0
    WaveSchool.objects.filter(wave=wave, school=late).update(status="closed")
    after = results_compute(wave_ids=[wave.pk]).total(wave_id=wave.pk).scores["enthusiasm"]
    assert after.n == before + 12
    assert open_answers(school_id=late.pk, wave_id=wave.pk)[0].count == 12


def test_the_thresholds_are_settings(known, settings):
    wave = known["wave"]
    settings.AGGREGATE_MIN_RESPONDENTS = 9
    schools = {g.name for g in results_compute(wave_ids=[wave.pk]).groups(Level.SCHOOL, wave_id=wave.pk)}
    assert schools == {"School A", "School B", "School D"}  # 17, 16, 20 respondents
    teams = {g.name for g in results_compute(wave_ids=[wave.pk]).groups(Level.TEAM, wave_id=wave.pk)}
    assert teams == {"D2"}  # D: hidden D1 5 + 5 without team = 10 ≥ 5
    settings.AGGREGATE_MIN_DIFFERENCE = 11
    teams = {g.name for g in results_compute(wave_ids=[wave.pk]).groups(Level.TEAM, wave_id=wave.pk)}
    assert teams == set()  # D's rest of 10 is now too small, so D2 hides too


def test_the_trend_follows_an_item_code_across_versions_and_waves(known):
    first = known["wave"]
    school = known["schools"]["D"]
    second = WaveFactory(version=first.version)
    responses_add(wave=second, school=school, team=None, answers=[{"enthusiasm": 5}] * 4)  # too few
    third = WaveFactory(version=first.version)
    responses_add(wave=third, school=school, team=None, answers=[{"enthusiasm": 4}] * 6)
    results = results_compute(wave_ids=[first.pk, second.pk, third.pk], school_ids=[school.pk])
    trend = results.trend(Level.SCHOOL, key=school.pk, code="enthusiasm")
    assert [wave_id for wave_id, _ in trend] == [first.pk, second.pk, third.pk]
    d_values = values_of(known, [("D", "D1"), ("D", "D2"), ("D", None)], "enthusiasm")
    assert str(trend[0][1].mean) == expected("scale", d_values)["mean"]
    assert trend[1][1] is None
    assert str(trend[2][1].mean) == "4.0"


def test_four_queries_whatever_the_number_of_schools_and_waves(known, django_assert_num_queries):
    wave = known["wave"]
    with django_assert_num_queries(4):
        results_compute(wave_ids=[wave.pk])
    more = WaveFactory(version=wave.version)
    for school in known["schools"].values():
        responses_add(wave=more, school=school, team=None, answers=[{"enthusiasm": 3}] * 6)
    with django_assert_num_queries(4):
        results = results_compute(wave_ids=[wave.pk, more.pk])
    with django_assert_num_queries(1):  # the names
        results.groups(Level.SCHOOL, wave_id=more.pk)
    with django_assert_num_queries(0):
        results.total(wave_id=more.pk)
