"""The result pages: what a school's leaders and coaches see, what admins see nationally, the
charts behind them, the export, and that none of them shows a suppressed figure."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import os
import pickle
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from barometer.models import Answer, Invitation, Question, QuestionnaireVersion, WaveSchool, WaveSchoolStatus
from barometer.selectors import reports, snapshots
from barometer.services import answers as answers_service
from barometer.services.results import results_changed
from barometer.services.waves import barometer_tick
from barometer.tests.factories import WaveFactory
from barometer.tests.results_data import responses_add
from leerkracht.roles import Role
from schools.tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def impact_version():
    return QuestionnaireVersion.objects.get(questionnaire__slug="impact-barometer", number=1)


def answers(count, *, enthusiasm, helps=1, appreciation=4, remark=""):
    return [
        {
            "helps_results": helps,
            "helps_teaching": helps,
            "coach_independence": 1,
            "school_continues": 1,
            "enthusiasm": enthusiasm,
            "use_board": 5,
            "use_lesson_design": 3,
            "use_lesson_visit": 2,
            "use_pupil_voice": 1,
            "coach_appreciation": appreciation,
            "open_remarks": remark,
        }
    ] * count


@pytest.fixture
def wave(world):
    """A closed wave: the home school with team A (8 answers, shown), team B (3, hidden) and 6
    teachers without a team; another school of the world with 6."""
    wave = WaveFactory(version=impact_version(), name="Meting voorjaar")
    team_a, team_b = world.teams[world.home.pk]
    responses_add(wave=wave, school=world.home, team=team_a, answers=answers(8, enthusiasm=4, remark="Fijn team"))
    responses_add(wave=wave, school=world.home, team=team_b, answers=answers(3, enthusiasm=1, helps=0))
    responses_add(wave=wave, school=world.home, team=None, answers=answers(6, enthusiasm=3, remark="Meer tijd"))
    responses_add(wave=wave, school=world.schools[1], team=None, answers=answers(6, enthusiasm=2))
    return wave


def school_url(world, school=None):
    return reverse("barometer:school_results", kwargs={"school_id": (school or world.home).pk})


def test_the_school_leader_sees_the_schools_figures_and_only_the_shown_teams(client, world, wave):
    client.force_login(world.users[Role.SCHOOLLEIDER])
    page = client.get(school_url(world)).content.decode()
    # helps_results: 14 of 17 agree → 82%; enthusiasm (8×4 + 3×1 + 6×3) / 17 = 3.118 → 3,1.
    assert "82%" in page and "3,1" in page
    assert "17 leraren antwoordden" in page
    assert "Team A" in page  # 8 answers, and the rest (3 + 6 = 9) is large enough
    assert "Team B" not in page  # 3 answers
    assert "versie 1" in page and "Meting voorjaar" in page


def test_the_open_answers_of_fourteen_writers_are_shown_and_another_school_is_not_reached(client, world, wave):
    client.force_login(world.users[Role.SCHOOLLEIDER])
    page = client.get(school_url(world)).content.decode()
    assert page.count("<li>Fijn team</li>") == 8
    assert page.count("<li>Meer tijd</li>") == 6
    other = client.get(school_url(world, world.schools[1]))
    assert other.status_code == 404  # not the leader's school


def test_the_open_answers_stay_hidden_below_the_threshold(client, world, wave, settings):
    settings.AGGREGATE_MIN_OPEN_ANSWERS = 15
    client.force_login(world.users[Role.SCHOOLLEIDER])
    page = client.get(school_url(world)).content.decode()
    assert "Fijn team" not in page and "Meer tijd" not in page
    assert "14 leraren schreven iets" in page
    assert "ten minste 15 leraren" in page


def test_a_school_with_too_few_answers_shows_no_figure_and_no_chart_data(client, world):
    wave = WaveFactory(version=impact_version())
    responses_add(wave=wave, school=world.home, team=None, answers=answers(4, enthusiasm=5, helps=1))
    client.force_login(world.users[Role.SCHOOLLEIDER])
    page = client.get(school_url(world)).content.decode()
    assert "100%" not in page and "5,0" not in page
    assert "te weinig antwoorden" in page
    svg = client.get(reverse("barometer:school_results_chart", kwargs={"school_id": world.home.pk, "chart": "eens"}))
    assert svg.status_code == 200
    assert b"te weinig antwoorden" in svg.content
    assert svg.content.count(b">100%<") == 1  # the axis's end; no bar says 100%


def test_each_chart_is_an_svg_with_alt_text_and_a_table_of_its_figures(client, world, wave):
    client.force_login(world.users[Role.SCHOOLCOACH])
    page = client.get(school_url(world)).content.decode()
    for key in ("eens", "verdeling-frequency", "verdeling-scale", "effecttrap"):
        src = reverse("barometer:school_results_chart", kwargs={"school_id": world.home.pk, "chart": key})
        assert src in page
        response = client.get(src, {"meetmoment": wave.pk})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("image/svg+xml")
        ET.fromstring(response.content)  # noqa: S314 (our own SVG: is it well-formed?)
    assert 'alt="' in page and "De cijfers van deze grafiek als tabel" in page
    missing = reverse("barometer:school_results_chart", kwargs={"school_id": world.home.pk, "chart": "onbekend"})
    assert client.get(missing).status_code == 404


def test_the_staircase_puts_what_teachers_say_beside_what_was_recorded(client, world, wave):
    client.force_login(world.users[Role.SCHOOLLEIDER])
    page = client.get(school_url(world)).content.decode()
    assert "Effecttrap" in page
    assert "100% wekelijks of vaker" in page  # use_board: everyone answered 5
    assert "0% een paar keer per maand of vaker" in page  # use_lesson_visit: everyone answered 2
    assert "bordsessies per team per week" in page
    assert "met dezelfde regels als het ritme van de instrumenten op de schoolpagina" in page, "why the two differ"


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.SCHOOLCOACH, 200),
        (Role.SCHOOLLEIDER, 200),
        (Role.EXPERTCOACH, 200),
        (Role.VERANDERCOACH, 200),
        (Role.BESTUURDER, 200),
        (Role.ADMIN, 200),
        (Role.LERAAR, 403),
    ],
)
def test_who_sees_a_schools_results(client, world, wave, role, status):
    client.force_login(world.users[role])
    assert client.get(school_url(world)).status_code == status


def test_an_open_moment_shows_no_results_yet(client, world):
    wave = WaveFactory(version=impact_version())
    responses_add(wave=wave, school=world.home, team=None, answers=answers(9, enthusiasm=4), status="open")
    client.force_login(world.users[Role.SCHOOLLEIDER])
    page = client.get(school_url(world)).content.decode()
    assert "nog geen meetmoment van deze school gesloten" in page


def test_choosing_a_wave_swaps_only_the_results(client, world, wave):
    older = WaveFactory(version=impact_version(), name="Meting najaar")
    responses_add(wave=older, school=world.home, team=None, answers=answers(5, enthusiasm=2))
    client.force_login(world.users[Role.SCHOOLLEIDER])
    response = client.get(school_url(world), {"meetmoment": older.pk}, **HTMX)
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results"')
    assert "Meting najaar" in body and "2,0" in body
    assert "Vary" in response and "HX-Request" in response["Vary"]


def count(client, path, django_assert_num_queries, expected, **kwargs):
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()
    with django_assert_num_queries(expected):
        assert client.get(path, **kwargs).status_code == 200


@pytest.mark.parametrize(("headers", "expected"), [({}, 21), (HTMX, 19)])
def test_the_school_page_makes_a_fixed_number_of_queries(
    client, world, wave, django_assert_num_queries, headers, expected
):
    client.force_login(world.users[Role.SCHOOLLEIDER])
    count(client, school_url(world), django_assert_num_queries, expected, **headers)
    later = WaveFactory(version=impact_version())
    for n in range(4):
        team = TeamFactory(school=world.home, name=f"Team extra {n}")
        responses_add(wave=later, school=world.home, team=team, answers=answers(6, enthusiasm=n + 1))
        responses_add(wave=wave, school=world.home, team=team, answers=answers(5, enthusiasm=n + 1))
    count(client, school_url(world), django_assert_num_queries, expected, **headers)


@pytest.mark.pins_queries("barometer:school_results_chart", "barometer:national_results_chart")
@pytest.mark.parametrize(("role", "name", "expected"), [(Role.SCHOOLLEIDER, "school", 19), (Role.ADMIN, "national", 8)])
def test_a_chart_makes_a_fixed_number_of_queries(client, world, wave, django_assert_num_queries, role, name, expected):
    kwargs = {"school_id": world.home.pk} if name == "school" else {}
    chart = reverse(f"barometer:{name}_results_chart", kwargs={**kwargs, "chart": "eens"})
    client.force_login(world.users[role])
    count(client, f"{chart}?meetmoment={wave.pk}", django_assert_num_queries, expected)
    for n in range(4):
        team = TeamFactory(school=world.home, name=f"Team extra {n}")
        responses_add(wave=wave, school=world.home, team=team, answers=answers(5, enthusiasm=n + 1))
    count(client, f"{chart}?meetmoment={wave.pk}", django_assert_num_queries, expected)


# -------------------------------------------------------------------------------- national
def national_url():
    return reverse("barometer:national_results")


def test_the_admin_sees_national_figures_summed_over_shown_schools_only(client, world, wave):
    tiny = world.schools[2]
    responses_add(wave=wave, school=tiny, team=None, answers=answers(4, enthusiasm=5))  # hidden school
    client.force_login(world.users[Role.ADMIN])
    page = client.get(national_url(), {"meetmoment": wave.pk}).content.decode()
    # Home 17 + school 2's 6 = 23 respondents; the 4 of the hidden school do not count.
    # enthusiasm: (8×4 + 3×1 + 6×3 + 6×2) / 23 = 65 / 23 = 2.83 → 2,8
    assert "2,8" in page
    assert "2 scholen tellen mee" in page


@pytest.mark.parametrize("role", [Role.SCHOOLLEIDER, Role.SCHOOLCOACH, Role.EXPERTCOACH, Role.LERAAR])
def test_only_admins_reach_the_national_results(client, world, wave, role):
    client.force_login(world.users[role])
    assert client.get(national_url()).status_code in (403, 404)
    assert client.get(reverse("barometer:national_results_export")).status_code in (403, 404)


def test_the_export_holds_the_selection_and_its_breakdown_without_hidden_figures(client, world, wave):
    tiny = world.schools[2]
    responses_add(wave=wave, school=tiny, team=None, answers=answers(4, enthusiasm=5))
    client.force_login(world.users[Role.ADMIN])
    response = client.get(reverse("barometer:national_results_export"), {"meetmoment": wave.pk, "per": "regio"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["Meetmoment", "Groep", "Vraag"]
    enthusiasm = {row[1]: row for row in body if row[3] == "enthusiasm"}
    assert enthusiasm["Selectie"][4:] == ["23", "", "2,8"]
    assert enthusiasm["Wereldregio 1"][4] == "23"  # both shown schools lie in region 1
    assert "5,0" not in {row[6] for row in enthusiasm.values()}  # the hidden school's mean appears nowhere


def test_the_correlation_gives_n_and_r_over_the_shown_schools(client, world):
    wave = WaveFactory(version=impact_version())
    pairs = [(2, 1), (3, 2), (3, 4), (4, 4), (5, 5)]  # (appreciation, enthusiasm) per school
    for school, (appreciation, enthusiasm) in zip(world.schools, pairs, strict=False):
        responses_add(
            wave=wave, school=school, team=None, answers=answers(5, enthusiasm=enthusiasm, appreciation=appreciation)
        )
    client.force_login(world.users[Role.ADMIN])
    response = client.get(national_url(), {"meetmoment": wave.pk, "x": "coach_appreciation", "y": "enthusiasm"})
    report = response.context["report"]
    expected = np.corrcoef([p[0] for p in pairs], [p[1] for p in pairs])[0, 1]
    assert report.correlation.n == 5
    assert report.correlation.r == pytest.approx(expected)
    assert f"{expected:.2f}".replace(".", ",") in response.content.decode()


def test_the_filters_narrow_the_selection_and_htmx_gets_the_results_only(client, world, wave):
    client.force_login(world.users[Role.ADMIN])
    home = world.home
    response = client.get(
        national_url(), {"meetmoment": wave.pk, "sector": home.sector, "regio": home.region_id}, **HTMX
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results"')
    assert "1 school telt mee" in body  # school 2 (index 1) has another sector


@pytest.mark.parametrize(("headers", "expected"), [({}, 9), (HTMX, 8)])
def test_the_national_page_makes_a_fixed_number_of_queries(
    client, world, wave, django_assert_num_queries, headers, expected
):
    client.force_login(world.users[Role.ADMIN])
    count(client, national_url(), django_assert_num_queries, expected, **headers)
    for school in world.schools[2:]:
        responses_add(wave=wave, school=school, team=None, answers=answers(7, enthusiasm=3))
    count(client, national_url(), django_assert_num_queries, expected, **headers)


# -------------------------------------------------------------------------------- snapshots
def chart_sources(page: str) -> list[str]:
    return [html.unescape(src) for src in re.findall(r'<img src="([^"]+\.svg[^"]*)"', page)]


class Calls:
    """Counts the calls of the aggregation and of the drawing of the national charts."""

    def __init__(self, monkeypatch):
        self.aggregations = 0
        self.drawings = 0
        compute, draw = reports.results_compute, snapshots.national_charts

        def counted_compute(**kwargs):
            self.aggregations += 1
            return compute(**kwargs)

        def counted_draw(report):
            self.drawings += 1
            return draw(report)

        monkeypatch.setattr(reports, "results_compute", counted_compute)
        monkeypatch.setattr(snapshots, "national_charts", counted_draw)


def test_the_charts_and_the_csv_read_the_pages_snapshot_and_compute_nothing(client, world, wave, monkeypatch):
    calls = Calls(monkeypatch)
    client.force_login(world.users[Role.ADMIN])
    query = {"meetmoment": wave.pk, "per": "regio"}
    page = client.get(national_url(), query).content.decode()
    assert (calls.aggregations, calls.drawings) == (1, 1)
    sources = chart_sources(page)
    assert len(sources) >= 3
    for source in sources:
        response = client.get(source)
        assert response.status_code == 200 and response["Content-Type"].startswith("image/svg+xml")
    assert client.get(reverse("barometer:national_results_export"), query).status_code == 200
    assert client.get(national_url(), query, **HTMX).status_code == 200
    assert (calls.aggregations, calls.drawings) == (1, 1), "every read after the first is served from the snapshot"
    client.get(national_url(), {**query, "per": "bestuur"})  # a selection not asked for before
    assert (calls.aggregations, calls.drawings) == (2, 2)
    client.get(national_url(), {**query, "per": "bestuur"})
    assert (calls.aggregations, calls.drawings) == (2, 2), "and then served warm"


@pytest.mark.parametrize(
    ("name", "headers", "expected"),
    [("page", {}, 3), ("page", HTMX, 2), ("chart", {}, 2), ("csv", {}, 2)],
)
def test_warm_results_make_a_fixed_number_of_queries(
    client, world, wave, django_assert_num_queries, name, headers, expected
):
    """Warm: the session and the user (and on the whole page the regions of the filter); the report,
    its charts and its CSV come from the snapshot, whatever the number of schools and answers. Cold
    the page makes 9 and 8 (`test_the_national_page_makes_a_fixed_number_of_queries`)."""
    client.force_login(world.users[Role.ADMIN])
    query = {"meetmoment": wave.pk}
    page = client.get(national_url(), query).content.decode()
    path = {
        "page": national_url(),
        "chart": chart_sources(page)[0].split("?")[0],
        "csv": reverse("barometer:national_results_export"),
    }[name]
    for school in world.schools[2:]:
        responses_add(wave=wave, school=school, team=None, answers=answers(7, enthusiasm=3))
    with django_assert_num_queries(expected):
        assert client.get(path, query, **headers).status_code == 200


def test_suppression_holds_identically_in_the_snapshot(client, world, wave):
    """A hidden school's figures are absent from the warm page and CSV as from the cold ones, and
    the warm reads are the cold ones, byte for byte."""
    tiny = world.schools[2]
    responses_add(wave=wave, school=tiny, team=None, answers=answers(4, enthusiasm=5))  # hidden school
    client.force_login(world.users[Role.ADMIN])
    query = {"meetmoment": wave.pk, "per": "regio"}
    export = reverse("barometer:national_results_export")
    cold_page, cold_csv = client.get(national_url(), query, **HTMX).content, client.get(export, query).content
    warm_page, warm_csv = client.get(national_url(), query, **HTMX).content, client.get(export, query).content
    assert (warm_page, warm_csv) == (cold_page, cold_csv)
    rows = list(csv.reader(io.StringIO(warm_csv.decode("utf-8-sig")), delimiter=";"))
    enthusiasm = {row[1]: row for row in rows[1:] if row[3] == "enthusiasm"}
    assert enthusiasm["Selectie"][4:] == ["23", "", "2,8"]
    assert "5,0" not in {row[6] for row in enthusiasm.values()}
    assert "2 scholen tellen mee" in warm_page.decode()


def test_the_background_task_computes_the_common_snapshots_after_a_change(client, world, wave, monkeypatch):
    with TestCase.captureOnCommitCallbacks(execute=True):
        results_changed()  # as a close or a move of answers does; its task runs eagerly here
    calls = Calls(monkeypatch)
    client.force_login(world.users[Role.ADMIN])
    for query in ({}, {"meetmoment": wave.pk}, {"per": "bestuur"}, {"sector": world.home.sector}):
        assert client.get(national_url(), query).status_code == 200
    assert (calls.aggregations, calls.drawings) == (0, 0), "no admin waits for the common selections"


def test_moving_a_pool_shows_the_new_numbers_at_the_next_read(client, world, wave):
    """The data version changes with the answers: after a school's moment closes and its pool is
    moved, the next read is computed from the new answers, not served from the old snapshot."""
    client.force_login(world.users[Role.ADMIN])
    query = {"meetmoment": wave.pk}
    before = client.get(national_url(), query).content.decode()
    assert "2 scholen tellen mee" in before and "2,8" in before  # enthusiasm over 23 respondents
    assert "2 scholen tellen mee" in client.get(national_url(), query).content.decode()  # served warm

    school = world.schools[2]
    now = timezone.now()
    moment = WaveSchool.objects.create(
        school=school,
        wave=wave,
        opens_on=now.date(),
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=1),
        status=WaveSchoolStatus.OPEN,
        opened_at=now - dt.timedelta(days=1),
    )
    questions = list(Question.objects.filter(version_id=wave.version_id))
    codes = {question.code: question.pk for question in questions}
    invitations = [
        Invitation.objects.create(
            school=school, wave_school=moment, wave=wave, user=UserFactory(), nonce=f"n{n}", token_digest=f"d{n}"
        )
        for n in range(7)
    ]
    given = answers(1, enthusiasm=5, remark="Goed")[0]
    answers_service.responses_submit_many(
        wave_school=moment,
        questions=questions,
        submissions=[(invitation, {codes[code]: value for code, value in given.items()}) for invitation in invitations],
    )
    # The deadline passes: the tick closes the moment and its task moves the pool.
    with TestCase.captureOnCommitCallbacks(execute=True):
        barometer_tick(now=moment.closes_at + dt.timedelta(minutes=1))
    assert Answer.objects.filter(school=school, wave=wave).exists()

    after = client.get(national_url(), query).content.decode()
    # 23 + 7 respondents; enthusiasm (65 + 7×5) / 30 = 3.33 → 3,3
    assert "3 scholen tellen mee" in after and "3,3" in after


def test_reading_a_snapshot_and_serving_its_chart_loads_neither_matplotlib_nor_pandas(client, world, wave):
    """A web process that has not drawn yet serves a kept chart without the seconds of loading
    matplotlib: a snapshot unpickles to classes of modules that do not import it."""
    client.force_login(world.users[Role.ADMIN])
    client.get(national_url(), {"meetmoment": wave.pk})
    kept = pickle.dumps(snapshots.national_snapshot(snapshots.Selection(wave_id=wave.pk)))
    code = (
        "import pickle, sys, django; django.setup(); import barometer.views.results; "
        "from barometer import chart_documents; "
        f"snapshot = pickle.loads({kept!r}); chart_documents.svg_response(next(iter(snapshot.charts.values()))); "
        "print(sorted(name for name in ('matplotlib', 'pandas') if name in sys.modules))"
    )
    found = subprocess.run(  # noqa: S603 - our own interpreter and fixed code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=os.environ
    )
    assert found.stdout.strip() == "[]"
