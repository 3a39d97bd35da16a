"""The goal progress chart (SVG) and its text alternative. No database: unsaved model instances."""

import datetime as dt
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.utils import timezone

from instruments.charts import format_number, goal_progress_svg, goal_progress_text
from instruments.models import Goal, Measurement
from leerkracht.clock import week_label

SVG = "{http://www.w3.org/2000/svg}"


def monday(week: int) -> dt.date:
    """The Monday of `week` in the current ISO year, so week_label() shows no year."""
    return dt.date.fromisocalendar(timezone.localdate().isocalendar().year, week, 1)


def make_goal(**fields) -> Goal:
    defaults = {
        "big_goal": "Meer leerlingen lezen op niveau",
        "baseline": Decimal("8"),
        "target": Decimal("20"),
        "unit": "%",
    }
    return Goal(**(defaults | fields))


def measured(*weeks_and_values: tuple[dt.date, str]) -> list[Measurement]:
    return [Measurement(week=week, value=Decimal(value)) for week, value in weeks_and_values]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 -- the chart under test, not outside input


def texts(root: ET.Element) -> list[ET.Element]:
    return list(root.iter(f"{SVG}text"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("12.50"), "12,5"),
        (Decimal("20.00"), "20"),
        (Decimal("100"), "100"),
        (Decimal("0.05"), "0,05"),
        (Decimal("-3.50"), "-3,5"),
        (Decimal("-0.00"), "0"),
        (12.499999999, "12,5"),
    ],
)
def test_format_number_uses_a_decimal_comma_without_trailing_zeros(value, expected):
    assert format_number(value) == expected


def test_text_for_a_goal_not_reached_lists_the_weeks_and_what_is_left():
    goal = make_goal()
    measurements = measured((monday(46), "12.50"), (monday(45), "10"))

    assert goal_progress_text(goal=goal, measurements=measurements) == (
        "Doel: Meer leerlingen lezen op niveau. Beginwaarde 8 %, streefwaarde 20 %. "
        "Metingen: week 45: 10 %, week 46: 12,5 %. Laatste meting 12,5 %: nog 7,5 % te gaan."
    )


@pytest.mark.parametrize("latest", ["20", "20.00", "23.5"])
def test_text_says_reached_when_the_latest_value_is_at_or_above_the_target(latest):
    goal = make_goal()
    measurements = measured((monday(45), "10"), (monday(46), latest))

    text = goal_progress_text(goal=goal, measurements=measurements)

    assert text.endswith(f"Laatste meting {format_number(Decimal(latest))} %: streefwaarde gehaald.")


@pytest.mark.parametrize(
    ("latest", "ending"),
    [
        ("9", "Laatste meting 9 leerlingen: nog 4 leerlingen te gaan."),
        ("15", "Laatste meting 15 leerlingen: nog 10 leerlingen te gaan."),
        ("5", "Laatste meting 5 leerlingen: streefwaarde gehaald."),
        ("4", "Laatste meting 4 leerlingen: streefwaarde gehaald."),
    ],
)
def test_text_for_a_goal_to_lower_something_counts_down_to_the_target(latest, ending):
    goal = make_goal(
        big_goal="Minder leerlingen te laat", baseline=Decimal("14"), target=Decimal("5"), unit="leerlingen"
    )
    measurements = measured((monday(45), "13"), (monday(46), latest))

    assert goal_progress_text(goal=goal, measurements=measurements).endswith(ending)


def test_text_without_measurements_says_so_in_both_forms():
    goal = make_goal()
    expected = "Doel: Meer leerlingen lezen op niveau. Beginwaarde 8 %, streefwaarde 20 %. Nog geen metingen."

    assert goal_progress_text(goal=goal, measurements=[]) == expected
    assert goal_progress_text(goal=goal, measurements=[], short=True) == expected


def test_short_text_leaves_out_the_list_of_measurements():
    goal = make_goal()
    measurements = measured((monday(45), "10"), (monday(46), "12"))

    assert goal_progress_text(goal=goal, measurements=measurements, short=True) == (
        "Doel: Meer leerlingen lezen op niveau. Beginwaarde 8 %, streefwaarde 20 %. "
        "Laatste meting 12 %: nog 8 % te gaan."
    )


def test_text_without_target_baseline_or_unit_reports_only_the_values():
    goal = make_goal(big_goal="Rustiger in de gang.", baseline=None, target=None, unit="")
    measurements = measured((monday(45), "3.25"))

    assert goal_progress_text(goal=goal, measurements=measurements) == (
        "Doel: Rustiger in de gang. Metingen: week 45: 3,25. Laatste meting 3,25."
    )


def test_svg_is_xml_without_prolog_labelled_by_its_title():
    goal = make_goal()
    measurements = measured((monday(45), "10"), (monday(46), "12"))

    svg = goal_progress_svg(goal=goal, measurements=measurements)
    root = parse(svg)

    assert not svg.startswith("<?xml")
    assert "<!DOCTYPE" not in svg
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title = root[0]
    assert title.tag == f"{SVG}title"
    assert root.get("aria-labelledby") == title.get("id")
    assert title.text == goal_progress_text(goal=goal, measurements=measurements, short=True)


def test_svg_is_sized_by_css_through_its_viewbox():
    root = parse(goal_progress_svg(goal=make_goal(), measurements=measured((monday(45), "10"))))

    assert root.get("viewBox") == "0 0 460.8 187.2"
    assert root.get("width") is None
    assert root.get("height") is None


def test_svg_is_deterministic():
    goal = make_goal()
    measurements = measured((monday(45), "10"), (monday(46), "12"))

    assert goal_progress_svg(goal=goal, measurements=measurements) == goal_progress_svg(
        goal=goal, measurements=measurements
    )


def test_svg_is_deterministic_when_rendered_from_several_threads_at_once():
    """rcParams are process-global: without the render lock, one thread's rc_context ends in the
    middle of another's render (other ids, other fonts) and the settings leak afterwards."""
    goals = [make_goal(id=n, target=Decimal(20 + n)) for n in range(4)]
    measurements = measured((monday(45), "10"), (monday(46), "12"))
    expected = [goal_progress_svg(goal=goal, measurements=measurements) for goal in goals]

    with ThreadPoolExecutor(max_workers=8) as pool:
        rendered = list(pool.map(lambda goal: goal_progress_svg(goal=goal, measurements=measurements), goals * 4))

    assert rendered == expected * 4


def test_svg_labels_the_target_and_baseline_lines():
    root = parse(goal_progress_svg(goal=make_goal(), measurements=measured((monday(45), "10"))))

    labels = [text.text for text in texts(root)]
    assert "doel: 20 %" in labels
    assert "begin: 8 %" in labels
    assert "10 %" in labels  # the latest value, next to its point


def test_svg_without_measurements_shows_the_lines_and_a_note():
    root = parse(goal_progress_svg(goal=make_goal(), measurements=[]))

    labels = [text.text for text in texts(root)]
    assert "Nog geen metingen" in labels
    assert "doel: 20 %" in labels
    assert "begin: 8 %" in labels
    assert not [label for label in labels if label.startswith("wk ")]


def test_svg_has_no_css_for_the_csp_to_block():
    """The page's CSP has no 'unsafe-inline' for styles: inline `style` would be dropped."""
    svg = goal_progress_svg(goal=make_goal(), measurements=measured((monday(45), "10"), (monday(46), "12")))
    root = parse(svg)

    assert [element.tag for element in root.iter() if "style" in element.attrib] == []
    assert list(root.iter(f"{SVG}style")) == []
    assert list(root.iter(f"{SVG}metadata")) == []


def test_two_charts_inlined_on_one_page_share_no_ids():
    measurements = measured((monday(45), "10"), (monday(46), "12"))
    first = parse(goal_progress_svg(goal=make_goal(id=1), measurements=measurements))
    second = parse(goal_progress_svg(goal=make_goal(id=2), measurements=measurements))

    first_ids = {element.get("id") for element in first.iter() if element.get("id")}
    second_ids = {element.get("id") for element in second.iter() if element.get("id")}
    assert first_ids
    assert first_ids.isdisjoint(second_ids)


def test_svg_shows_user_text_as_text_not_markup_or_math():
    goal = make_goal(big_goal="<script>alert(1)</script> & meer", unit="$a$ <b>")
    measurements = measured((monday(45), "10"))

    svg = goal_progress_svg(goal=goal, measurements=measurements)
    root = parse(svg)

    assert "<script>" not in svg
    assert root[0].text.startswith("Doel: <script>alert(1)</script> & meer.")
    assert "doel: 20 $a$ <b>" in [text.text for text in texts(root)]


def test_svg_labels_at_most_six_weeks_and_always_the_latest():
    start = monday(40)
    measurements = [Measurement(week=start + dt.timedelta(weeks=n), value=Decimal(10 + n)) for n in range(10)]

    root = parse(goal_progress_svg(goal=make_goal(), measurements=measurements))

    week_labels = [text.text for text in texts(root) if text.text.startswith("wk ")]
    assert len(week_labels) <= 6
    assert week_labels[-1] == "wk 49"


def test_year_boundary_keeps_date_order_in_chart_and_text():
    week_52 = dt.date(2025, 12, 22)
    week_1 = dt.date(2025, 12, 29)  # ISO week 1 of 2026 starts in December
    week_2 = dt.date(2026, 1, 5)
    goal = make_goal()
    measurements = measured((week_1, "11"), (week_2, "12"), (week_52, "10"))

    root = parse(goal_progress_svg(goal=goal, measurements=measurements))
    text = goal_progress_text(goal=goal, measurements=measurements)

    ticks = [(float(t.get("x")), t.text) for t in texts(root) if t.text.startswith("wk ")]
    assert [label for _x, label in ticks] == ["wk 52", "wk 1", "wk 2"]
    assert [x for x, _label in ticks] == sorted(x for x, _label in ticks)
    positions = [text.index(f"{week_label(week)}: ") for week in (week_52, week_1, week_2)]
    assert positions == sorted(positions)
    assert text.endswith("Laatste meting 12 %: nog 8 % te gaan.")
