"""A goal's progress as a small chart (SVG) and as the text that stands in for it.

The SVG is served as `image/svg+xml` and inlined in pages alike, so it has no XML prolog, no fixed
size (CSS sizes it through the viewBox), a <title> for screen readers, and no CSS at all: the page's
CSP allows no inline styles, so every `style` matplotlib writes becomes a presentation attribute.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

import matplotlib
from django.utils.translation import gettext as _
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

from leerkracht.charts import SVG_NS, render_lock, svg_without_css
from leerkracht.clock import week_label, week_number

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from instruments.models import Goal, Measurement

PRIMARY = "#1f5f8b"
TARGET = "#2e7d4f"
BASELINE = "#8a8a8a"
# #8a8a8a is fine for a line (3.4:1 on white) but too light for text; the label gets a darker grey.
BASELINE_TEXT = "#666666"
TEXT = "#1c2430"
GRID = "#e3e3e3"
AXIS = "#c4c4c4"
FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Noto Sans', sans-serif"

# 6.4 in = 460.8 viewBox units; shown ~320px wide that is a scale of 0.69, so 16 becomes ~11px.
FIGSIZE = (6.4, 2.6)
FONT_SIZE = 16
MAX_WEEK_LABELS = 6


_RC = {
    # Lay out with the font matplotlib ships, so the chart is the same on every machine; the
    # browser draws the text in the app's own font (see FONT_FAMILY).
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": FONT_SIZE,
    "xtick.labelsize": FONT_SIZE,
    "ytick.labelsize": FONT_SIZE,
    "text.color": TEXT,
    "xtick.color": TEXT,
    "ytick.color": TEXT,
    "axes.edgecolor": AXIS,
    "svg.fonttype": "none",
}


def format_number(value: Decimal | float | int) -> str:
    """Dutch notation without trailing zeros: Decimal("12.50") → "12,5", Decimal("20.00") → "20"."""
    if not isinstance(value, Decimal):
        value = Decimal(f"{value:.6f}")  # tick positions are floats: 12.499999999 → 12.5
    text = format(value.normalize(), "f")  # "f", or 100 would come out as 1E+2
    if text == "-0":
        text = "0"
    return text.replace(".", ",")


def format_quantity(value: Decimal | float | int, unit: str) -> str:
    """A value with the goal's unit: "20 %", "12 leerlingen", or just "3,5"."""
    number = format_number(value)
    return f"{number} {unit}" if unit else number


def goal_progress_text(*, goal: Goal, measurements: Iterable[Measurement], short: bool = False) -> str:
    """The text alternative for the chart, in Dutch. `short` leaves out the list of measurements:
    it is the chart's <title>; the full text belongs next to the chart on the page."""
    ordered = _in_week_order(measurements)
    unit = goal.unit.strip()
    big_goal = goal.big_goal.strip()
    sentences = [_("Doel: %(goal)s") % {"goal": big_goal} if big_goal else ""]

    if goal.baseline is not None and goal.target is not None:
        sentences.append(
            _("Beginwaarde %(baseline)s, streefwaarde %(target)s")
            % {"baseline": format_quantity(goal.baseline, unit), "target": format_quantity(goal.target, unit)}
        )
    elif goal.baseline is not None:
        sentences.append(_("Beginwaarde %(baseline)s") % {"baseline": format_quantity(goal.baseline, unit)})
    elif goal.target is not None:
        sentences.append(_("Streefwaarde %(target)s") % {"target": format_quantity(goal.target, unit)})

    if not ordered:
        sentences.append(_("Nog geen metingen"))
    else:
        if not short:
            listed = ", ".join(f"{week_label(m.week)}: {format_quantity(m.value, unit)}" for m in ordered)
            sentences.append(_("Metingen: %(measurements)s") % {"measurements": listed})
        sentences.append(_latest_status(goal, ordered[-1].value, unit))

    return " ".join(_as_sentence(s) for s in sentences if s)


def goal_progress_svg(*, goal: Goal, measurements: Iterable[Measurement]) -> str:
    """The goal's weekly measurements against its target and baseline, as an SVG document without
    prolog, sized by its viewBox, labelled for screen readers by the short text alternative."""
    ordered = _in_week_order(measurements)
    title = goal_progress_text(goal=goal, measurements=ordered, short=True)
    key = goal.pk if goal.pk is not None else "new"
    # A salt per goal keeps clip-path and marker ids apart when several charts share one page.
    rc = _RC | {"svg.hashsalt": f"leerkracht-goal-{key}"}
    with render_lock, matplotlib.rc_context(rc):
        figure = _draw(goal, ordered)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    return _finish_svg(buffer.getvalue(), title=title, title_id=f"goal-{key}-progress-title")


def _in_week_order(measurements: Iterable[Measurement]) -> list[Measurement]:
    # By date, not by week number: week 52 comes before week 1 of the next year.
    return sorted(measurements, key=lambda m: m.week)


def _lower_is_better(goal: Goal) -> bool:
    """A goal can be to bring something down (fewer late arrivals): its target is below its
    baseline. Without a baseline we cannot tell, and assume up."""
    return goal.baseline is not None and goal.target is not None and goal.target < goal.baseline


def _latest_status(goal: Goal, latest: Decimal, unit: str) -> str:
    values = {"latest": format_quantity(latest, unit)}
    if goal.target is None:
        return _("Laatste meting %(latest)s") % values
    reached = latest <= goal.target if _lower_is_better(goal) else latest >= goal.target
    if reached:
        return _("Laatste meting %(latest)s: streefwaarde gehaald") % values
    values["remaining"] = format_quantity(abs(goal.target - latest), unit)
    return _("Laatste meting %(latest)s: nog %(remaining)s te gaan") % values


def _as_sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?", "…")) else f"{text}."


def _draw(goal: Goal, ordered: list[Measurement]) -> Figure:
    figure = Figure(figsize=FIGSIZE, layout="constrained")
    FigureCanvasAgg(figure)  # measure text with Agg; no pyplot, no global figure registry
    figure.patch.set_visible(False)  # transparent: the chart sits on cards and on the page alike
    ax = figure.add_subplot()
    ax.patch.set_visible(False)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0, pad=6)
    ax.tick_params(axis="x", color=AXIS)
    ax.grid(axis="y", color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=4))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: format_number(value)))

    unit = goal.unit.strip()
    values = [m.value for m in ordered]
    references = [v for v in (goal.baseline, goal.target) if v is not None]
    if ordered:
        _draw_measurements(ax, goal, ordered, unit)
        _set_ylim(ax, values + references, pad=0.3)
    else:
        _set_ylim_empty(ax, references)
        ax.set_xlim(0, 1)
        ax.xaxis.set_major_locator(FixedLocator([]))
        ax.text(0.5, 0.5, _("Nog geen metingen"), transform=ax.transAxes, ha="center", va="center", parse_math=False)
        if not references:
            ax.yaxis.set_major_locator(FixedLocator([]))

    if goal.target is not None:
        others = [goal.baseline] if goal.baseline is not None else values
        _reference_line(
            ax,
            goal.target,
            label=_("doel: %(value)s") % {"value": format_quantity(goal.target, unit)},
            color=TARGET,
            text_color=TARGET,
            linestyle=(0, (6, 3)),
            at_left=True,
            above=all(goal.target >= other for other in others),
        )
    if goal.baseline is not None:
        others = [goal.target] if goal.target is not None else values
        _reference_line(
            ax,
            goal.baseline,
            label=_("begin: %(value)s") % {"value": format_quantity(goal.baseline, unit)},
            color=BASELINE,
            text_color=BASELINE_TEXT,
            linestyle=(0, (1.5, 2.5)),
            at_left=False,
            above=all(goal.baseline >= other for other in others),
        )
    return figure


def _draw_measurements(ax: Axes, goal: Goal, ordered: list[Measurement], unit: str) -> None:
    first = ordered[0].week
    # Weeks since the first measurement: a skipped week leaves a gap, a new year changes nothing.
    xs = [(m.week - first).days / 7 for m in ordered]
    ys = [float(m.value) for m in ordered]
    ax.plot(xs, ys, color=PRIMARY, linewidth=2.4, marker="o", markersize=7, solid_capstyle="round", zorder=3)

    span = xs[-1] - xs[0]
    ax.set_xlim(xs[0] - 0.5 - 0.04 * span, xs[-1] + 0.7 + 0.06 * span)
    ticks = _thinned(list(zip(xs, ordered, strict=True)), min_gap=span / MAX_WEEK_LABELS)
    ax.xaxis.set_major_locator(FixedLocator([x for x, _m in ticks]))
    ax.set_xticklabels([f"wk {week_number(m.week)}" for _x, m in ticks])

    # The latest value, on the side away from the baseline (whose label is at the right too).
    below = _lower_is_better(goal)
    ax.annotate(
        format_quantity(ordered[-1].value, unit),
        xy=(xs[-1], ys[-1]),
        xytext=(0, -11 if below else 11),
        textcoords="offset points",
        ha="center",
        va="top" if below else "bottom",
        color=PRIMARY,
        fontweight="bold",
        parse_math=False,
    )


def _thinned(ticks: list[tuple[float, Measurement]], *, min_gap: float) -> list[tuple[float, Measurement]]:
    """At most ~MAX_WEEK_LABELS week labels, always including the latest week."""
    kept: list[tuple[float, Measurement]] = []
    for x, measurement in reversed(ticks):
        if not kept or kept[-1][0] - x >= min_gap:
            kept.append((x, measurement))
    return kept[::-1]


def _reference_line(
    ax: Axes, value: Decimal, *, label: str, color: str, text_color: str, linestyle, at_left: bool, above: bool
) -> None:
    ax.axhline(float(value), color=color, linewidth=1.8, linestyle=linestyle, zorder=2)
    # Target label at the left, baseline label at the right: the line of measurements usually
    # starts near the baseline and ends near the target, so each label sits where the line is not.
    ax.annotate(
        label,
        xy=(0.01 if at_left else 0.99, float(value)),
        xycoords=ax.get_yaxis_transform(),
        xytext=(0, 5 if above else -5),
        textcoords="offset points",
        ha="left" if at_left else "right",
        va="bottom" if above else "top",
        color=text_color,
        parse_math=False,
    )


def _set_ylim(ax: Axes, values: list[Decimal], *, pad: float) -> None:
    low, high = float(min(values)), float(max(values))
    spread = high - low or max(abs(high) * 0.2, 1.0)
    ax.set_ylim(low - pad * spread, high + pad * spread)


def _set_ylim_empty(ax: Axes, references: list[Decimal]) -> None:
    # Keep the lines away from the middle, where the "no measurements yet" note goes.
    if not references:
        ax.set_ylim(0, 1)
        return
    low, high = float(min(references)), float(max(references))
    if high > low:
        spread = high - low
        ax.set_ylim(low - 0.5 * spread, high + 0.5 * spread)
    else:
        spread = max(abs(high) * 0.2, 1.0)
        ax.set_ylim(low - 0.5 * spread, high + 1.5 * spread)


def _finish_svg(raw: bytes, *, title: str, title_id: str) -> str:
    """Make matplotlib's SVG fit to inline and to serve: no CSS (leerkracht/charts.py), no fixed
    size, no ids nothing points at (matplotlib's "figure_1" would repeat per chart on a page)."""
    root = svg_without_css(raw, font_family=FONT_FAMILY)
    root.attrib.pop("width", None)
    root.attrib.pop("height", None)
    root.set("role", "img")
    root.set("aria-labelledby", title_id)
    title_element = ET.Element(f"{{{SVG_NS}}}title", {"id": title_id})
    title_element.text = title
    root.insert(0, title_element)
    return ET.tostring(root, encoding="unicode")
