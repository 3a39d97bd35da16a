"""The result charts: SVG that parses, shows every figure as text, leaves out what is suppressed,
needs no inline CSS, comes out byte-identical for the same data, and is served under its own CSP.
No database: the charts are pure functions of already-aggregated data."""

import re
import sys
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import matplotlib
import pytest
from django.conf import settings
from django.middleware.csp import ContentSecurityPolicyMiddleware
from django.test import RequestFactory

from barometer.chart_documents import Chart, svg_response
from barometer.charts import (
    DISTRIBUTION_RAMP,
    PRIMARY,
    SERIES_COLOURS,
    STEP_COLOURS,
    SUPPRESSED_FILL,
    TRACK,
    WIDTH,
    Bar,
    DistributionRow,
    Point,
    Series,
    Step,
    _ink_on,
    _ramp,
    bar_chart,
    contrast,
    distribution_chart,
    format_count,
    format_mean,
    format_percent,
    staircase_chart,
    trend_chart,
)

SVG = "{http://www.w3.org/2000/svg}"
SUPPRESSED = "te weinig antwoorden"
OPTIONS = ["helemaal oneens", "oneens", "neutraal", "eens", "helemaal eens"]
WAVES = ["Meting 1", "Meting 2", "Meting 3", "Meting 4"]


def parse(chart: Chart) -> ET.Element:
    return ET.fromstring(chart.svg)  # noqa: S314 -- the chart under test, not outside input


def texts(chart: Chart) -> list[str]:
    return [element.text for element in parse(chart).iter(f"{SVG}text")]


def paths_filled(chart: Chart, colour: str) -> list[ET.Element]:
    return [p for p in parse(chart).iter(f"{SVG}path") if p.get("fill") == colour]


def box(path: ET.Element) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) of a path drawn from straight segments."""
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", path.get("d"))]
    xs, ys = numbers[0::2], numbers[1::2]
    return min(xs), min(ys), max(xs), max(ys)


def school_bars() -> list[Bar]:
    return [
        Bar("Team onderbouw", 66.4, 14),
        Bar("Team zorg", None, 3),
        Bar("Team rekenen", 0.0, 6),
        Bar("Hele school", 70.0, 32),
    ]


def school_distribution() -> list[DistributionRow]:
    return [
        DistributionRow("Team onderbouw", (1, 2, 3, 8, 6), 20),
        DistributionRow("Team zorg", None, 3),
        DistributionRow("Hele school", (0, 3, 4, 13, 8), 28),
    ]


def one_school_trend() -> list[Series]:
    return [
        Series(
            "De Regenboog",
            [Point(WAVES[0], 55.0, 20), Point(WAVES[1], 70.0, 22), Point(WAVES[2], None, 4), Point(WAVES[3], 78.0, 21)],
        )
    ]


def steps() -> list[Step]:
    return [
        Step("Implementatie", "80%", "32 van 36 weken een bordsessie, 41 lesbezoeken", 80.0),
        Step("Enthousiasme", "3,4", "gemiddelde op 1–5", 3.4),
        Step("Leercultuur", "3,6", "zes onderdelen", None),
        Step("Lespraktijk", "70%", "lessen zijn beter geworden", 70.0),
    ]


CHARTS = {
    "bar": lambda: bar_chart(title="Helpt de resultaten (% eens)", bars=school_bars(), unit="percent"),
    "distribution": lambda: distribution_chart(title="Mijn schoolcoach", rows=school_distribution(), options=OPTIONS),
    "trend": lambda: trend_chart(title="Leskwaliteit", series=one_school_trend(), unit="percent"),
    "staircase": lambda: staircase_chart(title="Effecttrap", steps=steps()),
}


def every_chart() -> list[Chart]:
    return [draw() for draw in CHARTS.values()]


# --- Numbers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"), [(66.4, "66%"), (66.5, "67%"), (0.0, "0%"), (100.0, "100%"), (78.49, "78%")]
)
def test_percentages_are_whole_and_round_half_up(value, expected):
    assert format_percent(value) == expected


@pytest.mark.parametrize(("value", "expected"), [(3.44, "3,4"), (3.45, "3,5"), (3.0, "3,0"), (1.05, "1,1")])
def test_means_have_one_decimal_and_a_decimal_comma(value, expected):
    """3.45 and 1.05 are just below their halves in binary; people (and the table) round them up."""
    assert format_mean(value) == expected


def test_counts_use_a_dutch_thousands_separator():
    assert format_count(1234567) == "1.234.567"
    assert format_count(12) == "12"


# --- Every chart -----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", CHARTS)
def test_svg_is_a_sized_svg_document_titled_with_its_alt(kind):
    chart = CHARTS[kind]()
    root = parse(chart)

    assert chart.svg.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    assert b"<!DOCTYPE" not in chart.svg
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox") == f"0 0 {chart.width} {chart.height}"
    assert (root.get("width"), root.get("height")) == (str(chart.width), str(chart.height))
    assert chart.width == WIDTH
    assert root[0].tag == f"{SVG}title"
    assert root[0].text == chart.alt


@pytest.mark.parametrize("kind", CHARTS)
def test_svg_has_no_css_for_a_csp_to_block(kind):
    """Every `style` became a presentation attribute: under `default-src 'none'` (or the site's
    `style-src 'self'`) a browser drops inline CSS, and the chart must look the same without it."""
    chart = CHARTS[kind]()
    root = parse(chart)

    assert [element.tag for element in root.iter() if "style" in element.attrib] == []
    assert list(root.iter(f"{SVG}style")) == []
    assert list(root.iter(f"{SVG}metadata")) == []
    assert root.get("stroke-linejoin") == "round"  # what matplotlib's <style> rule said
    assert any(element.get("fill") == PRIMARY for element in root.iter())  # colours survived as attributes


@pytest.mark.parametrize("kind", CHARTS)
def test_same_data_give_byte_identical_svg(kind):
    assert CHARTS[kind]().svg == CHARTS[kind]().svg


def test_charts_rendered_from_many_threads_at_once_are_identical_and_leave_rcparams_alone():
    """rc_context changes process-global rcParams; the goal charts (instruments) use it too. With
    one shared lock, concurrent renders of both kinds match serial ones byte for byte, and the
    defaults are back afterwards."""
    from instruments.charts import goal_progress_svg
    from instruments.models import Goal

    goal = Goal(id=7, big_goal="Meer leerlingen lezen op niveau", baseline=Decimal("8"), target=Decimal("20"), unit="%")
    jobs = [lambda draw=draw: draw().svg for draw in CHARTS.values()]
    jobs.append(lambda: goal_progress_svg(goal=goal, measurements=[]))
    fonttype_before = matplotlib.rcParams["svg.fonttype"]
    expected = [job() for job in jobs]

    with ThreadPoolExecutor(max_workers=8) as pool:
        rendered = list(pool.map(lambda job: job(), jobs * 4))

    assert rendered == expected * 4
    assert matplotlib.rcParams["svg.fonttype"] == fonttype_before == "path"
    assert matplotlib.rcParams["svg.hashsalt"] is None


def test_rendering_never_uses_pyplot(monkeypatch):
    """pyplot keeps a global figure registry that gunicorn threads would share. With pyplot made
    unimportable, every chart still renders, and the module holds no reference to it."""
    import barometer.charts

    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)  # `import matplotlib.pyplot` now fails
    monkeypatch.delattr(matplotlib, "pyplot", raising=False)

    assert len(every_chart()) == 4
    assert [name for name, value in vars(barometer.charts).items() if "pyplot" in getattr(value, "__name__", "")] == []


def test_user_text_is_text_not_markup_or_math():
    chart = bar_chart(title="<b>Titel</b>", bars=[Bar("<script>alert(1)</script> & $x^2$", 50.0, 9)], unit="percent")

    assert b"<script>" not in chart.svg
    assert b"<b>" not in chart.svg
    assert "<script>alert(1)</script> & $x^2$" in texts(chart)
    assert "<b>Titel</b>" in texts(chart)


def test_long_labels_are_wrapped_to_two_lines_and_kept_whole_in_the_table():
    label = "Team bovenbouw met een heel lange naam " * 6
    chart = bar_chart(title="Titel", bars=[Bar(label.strip(), 50.0, 9)], unit="percent")

    lines = [t for t in texts(chart) if t.startswith(("Team", "bovenbouw", "met", "een", "heel", "lange", "naam"))]
    assert len(lines) == 2
    assert lines[-1].endswith("…")
    assert chart.rows[0][0] == label.strip()


def test_a_long_title_wraps_onto_at_most_three_lines_and_the_chart_grows_to_hold_it():
    short = bar_chart(title="Kort", bars=school_bars(), unit="percent")
    long_title = "Het programma helpt de resultaten van mijn leerlingen " * 3
    long = bar_chart(title=long_title, bars=school_bars(), unit="percent")

    title_lines = [t for t in texts(long) if t.split()[0] in long_title.split()]
    assert len(title_lines) == 3
    assert long.height > short.height


@pytest.mark.parametrize(
    "chart",
    [
        lambda: bar_chart(title="Leeg", bars=[], unit="mean"),
        lambda: distribution_chart(title="Leeg", rows=[], options=OPTIONS),
        lambda: trend_chart(title="Leeg", series=[], unit="mean"),
        lambda: staircase_chart(title="Leeg", steps=[]),
    ],
    ids=["bar", "distribution", "trend", "staircase"],
)
def test_no_data_gives_a_chart_that_says_so(chart):
    chart = chart()

    assert "Geen gegevens." in texts(chart)
    assert chart.alt == "Leeg: geen gegevens."
    assert len(chart.table) == 1  # the header only


# --- Bars ------------------------------------------------------------------------------------------


def test_bar_chart_shows_labels_figures_and_numbers_of_answers_as_text():
    chart = bar_chart(title="Helpt de resultaten (% eens)", bars=school_bars(), unit="percent")

    shown = texts(chart)
    for expected in ["Helpt de resultaten (% eens)", "Team onderbouw", "Hele school", "66%", "70%", "0%", "n = 14"]:
        assert expected in shown
    assert [t for t in shown if t.endswith("%")][-5:] == ["0%", "25%", "50%", "75%", "100%"]  # the scale


def test_a_suppressed_bar_is_not_drawn_and_says_too_few_answers():
    """Three shown bars (0% included, as an empty bar on its track), one suppressed: three bars
    and three tracks, and the suppression text in the SVG and the table."""
    chart = bar_chart(title="Helpt de resultaten", bars=school_bars(), unit="percent")

    assert len(paths_filled(chart, PRIMARY)) == 3
    assert len(paths_filled(chart, TRACK)) == 3
    assert SUPPRESSED in texts(chart)
    assert chart.rows[1] == ("Team zorg", SUPPRESSED, "3")


def test_bar_lengths_follow_the_fixed_scale():
    chart = bar_chart(title="Schaal", bars=[Bar("a", 25.0, 9), Bar("b", 100.0, 9)], unit="percent")

    (_l, _t, full, _b) = box(paths_filled(chart, TRACK)[0])
    left, _top, quarter, _bottom = box(paths_filled(chart, PRIMARY)[0])
    _left, _top, whole, _bottom = box(paths_filled(chart, PRIMARY)[1])
    assert whole == pytest.approx(full, abs=0.01)
    assert quarter - left == pytest.approx((whole - left) / 4, abs=0.02)


def test_mean_bars_start_at_one_on_a_one_to_five_scale():
    chart = bar_chart(title="Enthousiasme", bars=[Bar("a", 1.0, 9), Bar("b", 3.0, 9)], unit="mean")

    bars = paths_filled(chart, PRIMARY)
    one, three = box(bars[0]), box(bars[1])
    track = box(paths_filled(chart, TRACK)[0])
    assert one[2] - one[0] == pytest.approx(0, abs=0.01)  # a mean of 1 is the bottom of the scale
    assert three[2] - three[0] == pytest.approx((track[2] - track[0]) / 2, abs=0.02)
    assert [t for t in texts(chart) if t in {"1", "2", "3", "4", "5"}] == ["1", "2", "3", "4", "5"]
    assert chart.header == ("Groep", "Gemiddelde (1–5)", "Aantal antwoorden")
    assert chart.rows == (("a", "1,0", "9"), ("b", "3,0", "9"))


def test_bar_table_gives_every_figure():
    chart = bar_chart(title="Helpt de resultaten", bars=school_bars(), unit="percent", label_heading="Team")

    assert chart.table == (
        ("Team", "Percentage", "Aantal antwoorden"),
        ("Team onderbouw", "66%", "14"),
        ("Team zorg", SUPPRESSED, "3"),
        ("Team rekenen", "0%", "6"),
        ("Hele school", "70%", "32"),
    )


def test_bar_alt_lists_a_few_bars_and_summarises_many():
    few = bar_chart(title="Helpt de resultaten", bars=school_bars(), unit="percent")
    many = bar_chart(
        title="Enthousiasme per school",
        bars=[Bar(f"School {i}", 2.0 + i / 10, 20) for i in range(6)] + [Bar("School x", None, 2)],
        unit="mean",
    )

    assert few.alt == (
        "Helpt de resultaten: Team onderbouw 66%, Team zorg te weinig antwoorden, Team rekenen 0%, Hele school 70%."
    )
    assert many.alt == (
        "Enthousiasme per school: 7 staven, van 2,0 (School 0) tot 2,5 (School 5); 1 met te weinig antwoorden. "
        "Alle cijfers staan in de tabel bij de grafiek."
    )


# --- Distribution ----------------------------------------------------------------------------------


def test_distribution_chart_shows_options_and_shares_as_text():
    chart = distribution_chart(title="Mijn schoolcoach", rows=school_distribution(), options=OPTIONS)

    shown = texts(chart)
    assert all(option in shown for option in OPTIONS)  # the legend
    for share in ["10%", "15%", "40%", "30%", "11%", "14%", "46%", "29%"]:
        assert share in shown
    assert "5%" not in shown  # too narrow a part to hold its label: the table has it


def test_a_suppressed_distribution_row_has_no_bar_and_says_too_few_answers():
    chart = distribution_chart(title="Mijn schoolcoach", rows=school_distribution(), options=OPTIONS)

    # One part per option per shown row, plus the legend's swatch.
    for colour in DISTRIBUTION_RAMP:
        assert len(paths_filled(chart, colour)) == 2 + 1
    assert SUPPRESSED in texts(chart)
    assert chart.rows[1] == ("Team zorg", *[SUPPRESSED] * 5, "3")


def test_distribution_table_gives_every_share():
    chart = distribution_chart(title="Mijn schoolcoach", rows=school_distribution(), options=OPTIONS)

    assert chart.table == (
        ("Groep", *OPTIONS, "Aantal antwoorden"),
        ("Team onderbouw", "5%", "10%", "15%", "40%", "30%", "20"),
        ("Team zorg", *[SUPPRESSED] * 5, "3"),
        ("Hele school", "0%", "11%", "14%", "46%", "29%", "28"),
    )
    assert chart.alt == (
        "Mijn schoolcoach: verdeling van de antwoorden (helemaal oneens, oneens, neutraal, eens, helemaal eens) "
        "voor Team onderbouw, Team zorg, Hele school. Alle percentages staan in de tabel bij de grafiek."
    )


def test_a_question_as_title_reads_as_a_question_in_the_alt():
    chart = distribution_chart(
        title="Verwacht je dat de school doorgaat?",
        rows=[DistributionRow("Hele school", (7, 25), 32)],
        options=["nee", "ja"],
    )

    assert chart.alt.startswith("Verwacht je dat de school doorgaat? Verdeling van de antwoorden (nee, ja)")
    assert {"22%", "78%"} <= set(texts(chart))


@pytest.mark.parametrize("count", range(2, 8))
def test_text_on_every_answer_colour_has_at_least_4_5_to_1_contrast(count):
    for colour in _ramp(count):
        assert contrast(_ink_on(colour), colour) >= 4.5, colour


# --- Trend -----------------------------------------------------------------------------------------


def test_a_suppressed_wave_is_a_gap_in_the_line_not_a_point_at_zero():
    chart = trend_chart(title="Leskwaliteit", series=one_school_trend(), unit="percent")
    root = parse(chart)
    colour = SERIES_COLOURS[0]

    markers = [use for use in root.iter(f"{SVG}use") if use.get("fill") == colour]
    assert len(markers) == 3 + 1 + 0  # three waves shown, the legend's marker, nothing for wave 3
    line = [p for p in root.iter(f"{SVG}path") if p.get("stroke") == colour and p.get("fill") == "none"]
    runs = [p.get("d").count("M") for p in line]
    assert 2 in runs  # the data line breaks in two: waves 1–2, then wave 4 on its own
    shown = texts(chart)
    assert [t for t in shown if t in {"55%", "70%", "78%"}] == ["55%", "70%", "78%"]
    assert "Geen punt: te weinig antwoorden." in shown
    assert chart.rows == (("De Regenboog", "55% (n = 20)", "70% (n = 22)", SUPPRESSED, "78% (n = 21)"),)


def test_trend_of_several_groups_has_a_legend_their_latest_values_and_every_figure_in_the_table():
    series = [
        Series("De Regenboog", [Point(WAVES[0], 3.2, 20), Point(WAVES[1], 3.6, 22), Point(WAVES[2], None, 3)]),
        Series("Het Kompas", [Point(WAVES[0], 3.0, 30), Point(WAVES[1], 3.1, 28), Point(WAVES[2], 3.45, 31)]),
        Series("Landelijk", [Point(WAVES[1], 3.5, 950), Point(WAVES[2], 3.7, 1000)]),
    ]
    chart = trend_chart(title="Enthousiasme", series=series, unit="mean")

    shown = texts(chart)
    assert {"De Regenboog", "Het Kompas", "Landelijk"} <= set(shown)
    assert {"3,6", "3,5", "3,7"} <= set(shown)  # each line's latest shown value
    assert [t for t in shown if t.startswith("Meting")] == WAVES[:3]
    assert chart.table == (
        ("Groep", "Meting 1", "Meting 2", "Meting 3"),
        ("De Regenboog", "3,2 (n = 20)", "3,6 (n = 22)", SUPPRESSED),
        ("Het Kompas", "3,0 (n = 30)", "3,1 (n = 28)", "3,5 (n = 31)"),
        ("Landelijk", "–", "3,5 (n = 950)", "3,7 (n = 1.000)"),
    )
    assert chart.alt == (
        "Enthousiasme: gemiddelde (1–5) over 3 metingen, van Meting 1 tot Meting 3; De Regenboog van 3,2 naar "
        "3,6; Het Kompas van 3,0 naar 3,5; Landelijk van 3,5 naar 3,7. Alle cijfers staan in de tabel bij de grafiek."
    )


def test_every_line_colour_has_at_least_3_to_1_contrast_on_white():
    for colour in SERIES_COLOURS:
        assert contrast(colour, "#ffffff") >= 3, colour


# --- Staircase -------------------------------------------------------------------------------------


def test_staircase_shows_each_step_with_its_figure_and_detail():
    chart = staircase_chart(title="Effecttrap De Regenboog", steps=steps())

    shown = texts(chart)
    for expected in ["Implementatie", "Enthousiasme", "Leercultuur", "Lespraktijk", "80%", "3,4", "70%"]:
        assert expected in shown
    assert "gemiddelde op 1–5" in shown
    assert chart.alt == (
        "Effecttrap De Regenboog: Implementatie 80%, Enthousiasme 3,4, Leercultuur te weinig antwoorden, "
        "Lespraktijk 70%."
    )
    assert chart.table == (
        ("Stap", "Uitkomst", "Waaruit"),
        ("Implementatie", "80%", "32 van 36 weken een bordsessie, 41 lesbezoeken"),
        ("Enthousiasme", "3,4", "gemiddelde op 1–5"),
        ("Leercultuur", SUPPRESSED, "zes onderdelen"),
        ("Lespraktijk", "70%", "lessen zijn beter geworden"),
    )


def test_a_suppressed_step_keeps_its_place_in_grey_without_its_figure():
    chart = staircase_chart(title="Effecttrap", steps=steps())

    shown = texts(chart)
    assert SUPPRESSED in shown
    assert "3,6" not in shown  # the suppressed figure is nowhere in the SVG
    assert b"3,6" not in chart.svg
    assert len(paths_filled(chart, SUPPRESSED_FILL)) == 1
    assert len(paths_filled(chart, STEP_COLOURS[2])) == 0


def test_a_line_break_in_a_steps_detail_starts_a_new_line():
    step = Step("Implementatie", "80%", "Zelf: 80% wekelijks een bordsessie\nVastgelegd: 32 van 36 weken", 80.0)

    shown = texts(staircase_chart(title="Effecttrap", steps=[step]))

    assert "Zelf: 80% wekelijks een bordsessie" in shown
    assert "Vastgelegd: 32 van 36 weken" in shown


def test_steps_rise_from_bottom_left_to_top_right_in_the_given_order():
    chart = staircase_chart(title="Effecttrap", steps=steps())
    fills = [STEP_COLOURS[0], STEP_COLOURS[1], SUPPRESSED_FILL, STEP_COLOURS[3]]

    treads = [box(paths_filled(chart, colour)[0]) for colour in fills]
    lefts = [left for left, _top, _right, _bottom in treads]
    tops = [top for _left, top, _right, _bottom in treads]
    assert lefts == sorted(lefts) and len(set(lefts)) == 4
    assert tops == sorted(tops, reverse=True) and len(set(tops)) == 4  # y runs down: later is higher


# --- Response --------------------------------------------------------------------------------------


def test_svg_response_is_private_svg_under_the_narrowest_csp():
    chart = CHARTS["bar"]()

    response = svg_response(chart)

    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert response.content == chart.svg
    assert response["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert set(response["Cache-Control"].replace(" ", "").split(",")) == {"private", "max-age=60"}
    # The WSGI server (wsgiref, gunicorn) refuses a header name that is not exactly a str.
    assert [name for name, _value in response.items() if type(name) is not str] == []


def test_the_csp_middleware_keeps_the_svg_responses_own_policy():
    """The site's policy (style-src 'self', …) must not replace the SVG's: Django's middleware
    leaves a Content-Security-Policy header a response already has."""
    chart = CHARTS["bar"]()
    middleware = ContentSecurityPolicyMiddleware(lambda request: svg_response(chart))

    response = middleware(RequestFactory().get("/resultaten/grafiek.svg"))

    assert response["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert settings.SECURE_CSP  # the site does have a policy, which would otherwise apply
