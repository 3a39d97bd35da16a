"""Which charts a school's results get and what they show (barometer/report_charts.py), from a
report built in the test, without a request: the trend only across two moments or more, the
percentages and the 1–5 marks each in their own trend, and the staircase's steps in words."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from barometer import report_charts
from barometer.models import QuestionKind
from barometer.selectors.reports import SchoolReport
from barometer.selectors.results import GroupScores, Item, Score

AUTUMN, SPRING = SimpleNamespace(pk=1, name="Meting najaar"), SimpleNamespace(pk=2, name="Meting voorjaar")


def item(code: str, kind: str, text: str) -> Item:
    return Item(
        question_id=0, version_id=0, code=code, kind=kind, text=text, section="", component="", position=(0, 0, 0)
    )


ITEMS = [
    item("helps_teaching", QuestionKind.AGREE, "Mijn lessen worden beter"),
    item("enthusiasm", QuestionKind.SCALE, "Mijn enthousiasme"),
    item("use_board", QuestionKind.FREQUENCY, "Hoe vaak het bord"),
]


def agree(n: int, yes: int) -> Score:
    return Score(kind=QuestionKind.AGREE, n=n, agree=yes, total=yes, counts=(yes, n - yes))


def marks(*counts: int) -> Score:
    return Score(
        kind=QuestionKind.SCALE,
        n=sum(counts),
        agree=0,
        total=sum(mark * count for mark, count in enumerate(counts, start=1)),
        counts=tuple(counts),
    )


def often(*counts: int) -> Score:
    return Score(kind=QuestionKind.FREQUENCY, n=sum(counts), agree=0, total=0, counts=tuple(counts))


SCORES = {"helps_teaching": agree(10, 7), "enthusiasm": marks(0, 1, 3, 4, 2), "use_board": often(1, 2, 3, 4, 0)}


def report(*, trend: bool, staircase=None) -> SchoolReport:
    trend_waves = [AUTUMN, SPRING] if trend else [SPRING]
    return SchoolReport(
        waves=trend_waves,
        wave=SPRING,
        items=ITEMS,
        school=GroupScores(key=1, name="De Regenboog", scores=SCORES),
        trend_waves=trend_waves,
        trends={code: [None, score] if trend else [score] for code, score in SCORES.items()},
        staircase=staircase,
    )


def cells(chart) -> set[str]:
    return {cell for row in chart.table for cell in row}


def stairs(**fields) -> SimpleNamespace:
    values = {"reported_use": 60, "enthusiasm": marks(0, 1, 3, 4, 2), "culture": None, "teaching": agree(10, 7)}
    return SimpleNamespace(**{**values, **fields})


def test_a_school_without_a_closed_moment_gets_no_chart():
    assert report_charts.school_charts(SchoolReport(waves=[], wave=None)) == {}


def test_one_moment_gets_the_items_and_no_trend():
    assert set(report_charts.school_charts(report(trend=False))) == {"eens", "verdeling-scale", "verdeling-frequency"}


def test_two_moments_get_a_trend_of_the_percentages_and_one_of_the_marks():
    found = report_charts.school_charts(report(trend=True))
    assert set(found) == {"eens", "verdeling-scale", "verdeling-frequency", "verloop-eens", "verloop-gemiddelde"}
    assert "Mijn lessen worden beter" in cells(found["verloop-eens"])
    assert "Mijn enthousiasme" not in cells(found["verloop-eens"])
    assert "Mijn enthousiasme" in cells(found["verloop-gemiddelde"])
    assert "Hoe vaak het bord" not in cells(found["verloop-gemiddelde"]), "frequencies have no mean to follow"
    assert {"Meting najaar", "Meting voorjaar"} <= cells(found["verloop-eens"])


def test_a_report_with_a_staircase_gets_the_staircase_chart():
    assert "effecttrap" in report_charts.school_charts(report(trend=False, staircase=stairs()))
    assert "effecttrap" not in report_charts.school_charts(report(trend=False))


def test_the_staircase_steps_say_each_figure_in_words():
    steps = report_charts.staircase_steps(stairs())
    assert [step.label for step in steps] == ["Implementatie", "Enthousiasme", "Leercultuur", "Lespraktijk"]
    assert [step.value_text for step in steps] == ["60% in het ritme", "3,7 van 5", "", "70% eens"]
    assert [step.value for step in steps] == [60, 3.7, None, 70.0]
    assert steps[2].detail == "nog geen cultuursurvey gesloten"


def test_a_closed_culture_survey_and_an_unknown_rhythm_show_as_such():
    steps = report_charts.staircase_steps(stairs(reported_use=None, culture=SimpleNamespace(mean=Decimal("3.8"))))
    assert (steps[0].value_text, steps[0].value) == ("", None)
    assert (steps[2].value_text, steps[2].value, steps[2].detail) == (
        "3,8 van 5",
        3.8,
        "gemiddelde van de cultuursurvey",
    )
