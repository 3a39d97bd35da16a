"""The barometer's result charts: SVG documents drawn with matplotlib, each with a text alternative.

Pure functions: the data come in already aggregated and already suppressed (a value of None is a
group with too few answers), and nothing here reads the database or a request. Each function
returns a `Chart`: the SVG bytes, a short `alt` for `<img alt>`, and a `table` the page renders as a
real <table> under the chart, so a screen-reader user gets every figure the chart shows.

How it is drawn, and why:

- matplotlib's object-oriented API (a `Figure` with its own `FigureCanvasSVG`), never pyplot: pyplot
  keeps a global registry of figures, which threads of one gunicorn worker would share.
- Every chart is laid out by hand in points (1 pt = 1 SVG user unit) on one axes spanning the
  figure, with y running down. Text is measured with matplotlib's own font metrics, so labels are
  wrapped (or cut off with "…": the table keeps the full text) before they are drawn, and the
  figure is exactly as tall as its rows: nothing is clipped, whatever the titles and labels say.
- The figure is 432 pt (6 in) wide with 14 pt text. Shown at phone width (~360 px) text is ~12 px;
  the page should cap the image at ~40rem (as `.goal-chart img` does) so it is ~20 px there.
  Labels sit above their bars rather than beside them, so the bars get the full width on a phone.
- Colours: the site's teal and warm accent, and for lines the Okabe–Ito hues darkened until each
  has at least 3:1 contrast on white (WCAG 1.4.11). Lines also differ by marker and dash, so no
  figure depends on telling colours apart. Text inside a coloured shape is dark or white,
  whichever contrasts more.
- `svg.fonttype: none` (through `matplotlib.rc_context`) keeps text as <text>: smaller, searchable,
  and readable by the tests. A fixed `svg.hashsalt` makes the output deterministic: the same data
  give byte-identical SVG, so a response can be cached and compared.

Why the SVG carries no CSS at all: matplotlib writes `style="…"` on nearly every element plus a
<style> element, and an SVG is a document with a CSP of its own, the one on its response. The site's
policy (`style-src 'self'`) would drop every inline style: black shapes, default serif font, text
anchored wrongly. Checked in Chromium 156: inside <img> it ignores the image's policy, but opened
on its own (e.g. "afbeelding openen in nieuw tabblad") the raw matplotlib SVG renders exactly so;
browsers have differed on the <img> case. Rather than relax the policy to `'unsafe-inline'`,
`_finish_svg` moves every declaration into the SVG presentation attribute of the same name (all
that matplotlib writes have one) and drops the <style> (its one rule is set on the root); a test
fails if any `style` is left. The document then needs nothing inline, so `svg_response` gives it
the narrowest policy there is, `default-src 'none'`: opened on its own it can load and run nothing,
and it still looks the same.
"""

from __future__ import annotations

import functools
import io
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

import matplotlib
from django.utils.translation import gettext as _
from matplotlib.artist import Artist
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.colors import LinearSegmentedColormap, to_hex, to_rgb
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.textpath import TextToPath
from matplotlib.transforms import Affine2D

# rcParams are process-global: every chart module takes the one shared lock (leerkracht/charts.py).
from barometer.chart_documents import Chart
from leerkracht.charts import SVG_NS, render_lock, svg_without_css, two_decimals

Unit = Literal["percent", "mean"]

# --- Data in -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    """One group or item: its percentage or mean, or None when too few answered."""

    label: str
    value: float | None
    n: int | None


@dataclass(frozen=True)
class DistributionRow:
    """How one group answered: a count per answer option (in the options' order), or None."""

    label: str
    counts: tuple[int, ...] | None
    n: int | None


@dataclass(frozen=True)
class Point:
    """One group's figure in one wave; None when too few answered (a gap in the line, not 0)."""

    wave_label: str
    value: float | None
    n: int | None


@dataclass(frozen=True)
class Series:
    """One group's line over the waves."""

    label: str
    points: list[Point]


@dataclass(frozen=True)
class Step:
    """One step of the impact staircase: its headline figure as text, what it is made of (a line
    break starts a new line: implementation's self-reported and recorded figures side by side),
    and the value behind it (None when the survey figure is suppressed)."""

    label: str
    value_text: str
    detail: str
    value: float | None


# --- Look -----------------------------------------------------------------------------------------

WIDTH = 432.0  # pt: 6 in
PAD = 10.0
GAP = 6.0

TITLE_SIZE = 16.0
LABEL_SIZE = 14.0
SMALL_SIZE = 12.0
BIG_SIZE = 20.0
LINE_HEIGHT = 1.25

TEXT = "#1f2a30"  # the site's text colour, 14.9:1 on white
MUTED = "#4f5b62"  # 7.1:1 on white
GRID = "#e3ddd3"
AXIS = "#7d7265"  # the site's strong border, 4.8:1 on white
PRIMARY = "#0b5563"  # the site's teal, 8.4:1 on white
SUPPRESSED_FILL = "#ece7df"
TRACK = "#eee9e1"

# The site's teal, then Okabe–Ito hues darkened for 3:1 on white (no green: it is the teal's
# neighbour for deuteranopes); each line also has its own marker and dash.
SERIES_COLOURS = ("#0b5563", "#c24f00", "#7a4a9c", "#1f2a30", "#0072b2", "#946500")
SERIES_MARKERS = ("o", "s", "D", "^", "v", "P")
SERIES_DASHES = ("-", "--", ":", "-.", "-", "--")

# Disagree in warm tones, neutral grey, agree in the site's teal: readable with any colour vision.
DISTRIBUTION_RAMP = ("#8a3a0c", "#e39a65", "#d8d3cb", "#7fb6bf", "#0b5563")
# The staircase rises from light to dark teal.
STEP_COLOURS = ("#c9e1e4", "#8fc0c8", "#2f8593", "#0b5563")

FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Noto Sans', sans-serif"

_RC = {
    # Lay out with the font matplotlib ships, the same on every server; the browser draws the text
    # in the site's font (FONT_FAMILY), which is narrower, so wrapped text still fits.
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "svg.fonttype": "none",
    "svg.hashsalt": "leerkracht-barometer",
}
_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}
_TEXT_TO_PATH = TextToPath()


def _suppressed_text() -> str:
    return _("te weinig antwoorden")


# --- Numbers in Dutch -----------------------------------------------------------------------------


def _rounded(value: float, places: int) -> Decimal:
    # Through repr, so 3.45 rounds to 3.5 (half up, as people round), not to binary 3.4499….
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def format_percent(value: float) -> str:
    """A percentage in whole percents, Dutch style: 66.5 → "67%"."""
    return f"{_rounded(value, 0):f}%"


def format_mean(value: float) -> str:
    """A mean with one decimal and a decimal comma: 3.44 → "3,4"."""
    return f"{_rounded(value, 1):f}".replace(".", ",")


def format_count(value: int) -> str:
    """A count with a Dutch thousands separator: 1234 → "1.234"."""
    return f"{value:,}".replace(",", ".")


def format_value(value: float | None, unit: Unit) -> str:
    """A figure as the chart and table show it, or the suppression text."""
    if value is None:
        return _suppressed_text()
    return format_percent(value) if unit == "percent" else format_mean(value)


def _n_text(n: int | None) -> str:
    return "–" if n is None else format_count(n)


def _axis(unit: Unit) -> tuple[float, float, list[float], str]:
    """The fixed scale of a unit: (low, high, ticks, table heading)."""
    if unit == "percent":
        return 0.0, 100.0, [0, 25, 50, 75, 100], _("Percentage")
    return 1.0, 5.0, [1, 2, 3, 4, 5], _("Gemiddelde (1–5)")


def _tick_text(value: float, unit: Unit) -> str:
    return format_percent(value) if unit == "percent" else format_count(int(value))


# --- Charts ---------------------------------------------------------------------------------------


def bar_chart(*, title: str, bars: list[Bar], unit: Unit, label_heading: str | None = None) -> Chart:
    """Horizontal bars, one per group or item, on the unit's fixed scale (0–100% or 1–5), so
    charts side by side compare by eye. A suppressed bar is not drawn: its row says why."""
    low, high, ticks, value_heading = _axis(unit)
    bar_height = 16.0

    def layout(canvas: _Canvas | None) -> float:
        y = _draw_title(canvas, title)
        value_room = max([_width(format_value(b.value, unit), LABEL_SIZE, "bold") for b in bars] + [0.0]) + GAP
        left, right = PAD, WIDTH - PAD - value_room
        scale = (right - left) / (high - low)
        if not bars:
            y = _draw_lines(canvas, [_("Geen gegevens.")], x=PAD, y=y, size=LABEL_SIZE, color=MUTED)
        for bar in bars:
            y = _draw_row_label(canvas, bar.label, bar.n, y=y)
            if bar.value is None:
                _text(canvas, left, y + bar_height / 2, _suppressed_text(), SMALL_SIZE, MUTED, va="center", italic=True)
            elif canvas:
                # The full scale as a pale track behind the bar: 0% still shows an (empty) bar,
                # which a suppressed row does not.
                end = left + (min(max(bar.value, low), high) - low) * scale
                canvas.add(Rectangle((left, y), right - left, bar_height, color=TRACK, linewidth=0))
                canvas.add(Rectangle((left, y), end - left, bar_height, color=PRIMARY, linewidth=0))
                figure = format_value(bar.value, unit)
                _text(canvas, end + 4, y + bar_height / 2, figure, LABEL_SIZE, TEXT, "bold", va="center")
            y += bar_height + 12
        if bars:
            y = _draw_scale(canvas, ticks, unit, low=low, left=left, scale=scale, top=y - 6)
        return y + PAD

    table = [(label_heading or _("Groep"), value_heading, _("Aantal antwoorden"))]
    table += [(bar.label, format_value(bar.value, unit), _n_text(bar.n)) for bar in bars]
    return _render(layout, alt=_bar_alt(title, bars, unit), table=table)


def distribution_chart(*, title: str, rows: list[DistributionRow], options: list[str]) -> Chart:
    """One 100% bar per group, split into the share of each answer option (from "helemaal oneens"
    to "helemaal eens"), with the share written in each part wide enough to hold it."""
    colours = _ramp(len(options))
    bar_height = 22.0

    def layout(canvas: _Canvas | None) -> float:
        y = _draw_title(canvas, title)
        y = _draw_legend(canvas, [(option, colour, "box") for option, colour in zip(options, colours, strict=True)], y)
        left, width = PAD, WIDTH - 2 * PAD
        if not rows:
            y = _draw_lines(canvas, [_("Geen gegevens.")], x=PAD, y=y, size=LABEL_SIZE, color=MUTED)
        for row in rows:
            y = _draw_row_label(canvas, row.label, row.n, y=y)
            shares = _shares(row.counts)
            if shares is None:
                _text(canvas, left, y + bar_height / 2, _suppressed_text(), SMALL_SIZE, MUTED, va="center", italic=True)
            elif canvas:
                x = left
                for share, colour in zip(shares, colours, strict=True):
                    part = width * share / 100
                    canvas.add(Rectangle((x, y), part, bar_height, color=colour, linewidth=0))
                    label, middle = format_percent(share), (x + part / 2, y + bar_height / 2)
                    if share > 0 and _width(label, SMALL_SIZE, "bold") + 6 <= part:
                        _text(canvas, *middle, label, SMALL_SIZE, _ink_on(colour), "bold", ha="center", va="center")
                    x += part
                # Separate the parts (the neutral grey is close to the page) and outline the whole.
                for boundary in _boundaries(shares, left, width):
                    canvas.line([boundary, boundary], [y, y + bar_height], color="white", linewidth=1.2)
                canvas.add(Rectangle((left, y), width, bar_height, fill=False, edgecolor=AXIS, linewidth=0.8))
            y += bar_height + 14
        return (y - 14 if rows else y) + PAD

    table = [(_("Groep"), *options, _("Aantal antwoorden"))]
    for row in rows:
        shares = _shares(row.counts)
        cells = [_suppressed_text()] * len(options) if shares is None else [format_percent(s) for s in shares]
        table.append((row.label, *cells, _n_text(row.n)))
    return _render(layout, alt=_distribution_alt(title, rows, options), table=table)


def trend_chart(*, title: str, series: list[Series], unit: Unit) -> Chart:
    """A line per group over the waves, on the unit's fixed scale. A suppressed wave is a gap in
    the line (never a zero); one group gets every value written, several get their latest."""
    low, high, ticks, value_heading = _axis(unit)
    waves = _wave_labels(series)
    plot_height = 190.0
    single = len(series) == 1

    def layout(canvas: _Canvas | None) -> float:
        y = _draw_title(canvas, title)
        if series:  # a legend even for one line: the title need not name the group
            entries = [(s.label, _series_style(i)[0], i) for i, s in enumerate(series)]
            y = _draw_legend(canvas, entries, y)
        tick_labels = [_tick_text(t, unit) for t in ticks]
        left = PAD + max(_width(t, SMALL_SIZE) for t in tick_labels) + GAP
        end_labels = [] if single else [_last_shown(s, unit) for s in series]
        right_room = max([_width(text, SMALL_SIZE, "bold") for text, _v in filter(None, end_labels)] + [0.0])
        right = WIDTH - PAD - (right_room + GAP + 11 if right_room else 0)
        top = y + (SMALL_SIZE + 6 if single else SMALL_SIZE / 2)  # room for the value above a point
        bottom = top + plot_height
        column = (right - left) / max(len(waves), 1)
        xs = [left + column * (i + 0.5) for i in range(len(waves))]

        def to_y(value: float) -> float:
            return bottom - (value - low) / (high - low) * plot_height

        if canvas:
            for tick, text in zip(ticks, tick_labels, strict=True):
                canvas.line([left, right], [to_y(tick)] * 2, color=GRID if tick != low else AXIS, linewidth=0.8)
                _text(canvas, left - GAP, to_y(tick), text, SMALL_SIZE, MUTED, ha="right", va="center")
        label_top = bottom + 6
        y = label_top
        for x, wave in zip(xs, waves, strict=True):
            lines = _wrap(wave, width=column - 4, size=SMALL_SIZE, max_lines=2)
            y = max(y, _draw_lines(canvas, lines, x=x, y=label_top, size=SMALL_SIZE, color=TEXT, ha="center"))

        if canvas:
            placed: list[tuple[float, str, int]] = []
            for i, line in enumerate(series):
                colour, marker, dash = _series_style(i)
                by_wave = {p.wave_label: p for p in line.points}
                values = [by_wave[w].value if w in by_wave else None for w in waves]
                ys = [float("nan") if v is None else to_y(min(max(v, low), high)) for v in values]
                canvas.line(
                    xs,
                    ys,
                    color=colour,
                    linestyle=dash,
                    linewidth=2.2,
                    marker=marker,
                    markersize=7,
                    markeredgecolor="white",
                    markeredgewidth=1,
                )
                if single:
                    for x, v, py in zip(xs, values, ys, strict=True):
                        if v is not None:
                            figure = format_value(v, unit)
                            _text(canvas, x, py - 7, figure, SMALL_SIZE, TEXT, "bold", ha="center", va="bottom")
                elif end_labels[i]:
                    text, value = end_labels[i]
                    placed.append((to_y(min(max(value, low), high)), text, i))
            _draw_end_labels(canvas, placed, x=right + GAP, top=top, bottom=bottom)

        if any(p.value is None for s in series for p in s.points):
            note = [_("Geen punt: te weinig antwoorden.")]
            y = _draw_lines(canvas, note, x=PAD, y=y + 4, size=SMALL_SIZE, color=MUTED, italic=True)
        if not series:
            _text(canvas, WIDTH / 2, top + plot_height / 2, _("Geen gegevens."), LABEL_SIZE, MUTED, ha="center")
        return y + PAD

    table = [(_("Groep"), *waves)]
    for line in series:
        by_wave = {p.wave_label: p for p in line.points}
        cells = []
        for wave in waves:
            point = by_wave.get(wave)
            if point is None:
                cells.append("–")
            elif point.value is None:
                cells.append(_suppressed_text())
            else:
                n = f" (n = {format_count(point.n)})" if point.n is not None else ""
                cells.append(format_value(point.value, unit) + n)
        table.append((line.label, *cells))
    return _render(layout, alt=_trend_alt(title, series, waves, unit, value_heading), table=table)


def staircase_chart(*, title: str, steps: list[Step]) -> Chart:
    """The impact staircase (effecttrap): implementation → enthusiasm → learning culture → teaching
    practice, drawn as treads that rise from the bottom left to the top right, each carrying its
    label, its figure and what the figure is made of. Treads rather than columns, so the text gets
    nearly the full width on a phone and nothing needs cutting short. A step whose survey figure
    is suppressed stays in place (the stair is the model), in grey, with the suppression text
    instead of the figure."""
    indent = 34.0
    inner = 8.0
    gap = 3.0

    def tread(i: int, step: Step) -> tuple[float, list[str], str, list[str]]:
        """(left edge, label lines, figure text, detail lines) of step i."""
        left = PAD + indent * i
        room = WIDTH - PAD - left - 2 * inner
        if step.value is None:
            figure, figure_width = _suppressed_text(), _width(_suppressed_text(), SMALL_SIZE, italic=True)
        else:
            figure = _fit(step.value_text, width=room / 2, size=BIG_SIZE, weight="bold")
            figure_width = _width(figure, BIG_SIZE, "bold")
        label = _wrap(step.label, width=room - figure_width - GAP, size=LABEL_SIZE, weight="bold", max_lines=2)
        detail = [
            line
            for paragraph in step.detail.splitlines()
            if paragraph.strip()
            for line in _wrap(paragraph, width=room, size=SMALL_SIZE, max_lines=3)
        ]
        return left, label, figure, detail

    def layout(canvas: _Canvas | None) -> float:
        y = _draw_title(canvas, title)
        if not steps:
            return _draw_lines(canvas, [_("Geen gegevens.")], x=PAD, y=y, size=LABEL_SIZE, color=MUTED) + PAD
        treads = [tread(i, step) for i, step in enumerate(steps)]
        heights = [
            2 * inner
            + max(len(label) * LABEL_SIZE * LINE_HEIGHT, BIG_SIZE * 1.1)
            + len(detail) * SMALL_SIZE * LINE_HEIGHT
            for _left, label, _figure, detail in treads
        ]
        # The first step is drawn lowest: walk from the top (the last step) down.
        for i in range(len(steps) - 1, -1, -1):
            step, (left, label, figure, detail) = steps[i], treads[i]
            colour = SUPPRESSED_FILL if step.value is None else STEP_COLOURS[min(i, len(STEP_COLOURS) - 1)]
            ink = _ink_on(colour)
            if canvas:
                canvas.add(Rectangle((left, y), WIDTH - PAD - left, heights[i], color=colour, linewidth=0))
            top = y + inner
            below_label = _draw_lines(canvas, label, x=left + inner, y=top, size=LABEL_SIZE, color=ink, weight="bold")
            right = WIDTH - PAD - inner
            if step.value is None:
                _text(canvas, right, top + 2, figure, SMALL_SIZE, MUTED, ha="right", italic=True)
            else:
                figure_ink = PRIMARY if contrast(PRIMARY, colour) >= 4.5 else ink
                _text(canvas, right, top - 2, figure, BIG_SIZE, figure_ink, "bold", ha="right")
            detail_top = max(below_label, top + BIG_SIZE * 1.1)
            _draw_lines(canvas, detail, x=left + inner, y=detail_top, size=SMALL_SIZE, color=ink)
            y += heights[i] + gap
        return y - gap + PAD

    table = [(_("Stap"), _("Uitkomst"), _("Waaruit"))]
    table += [(s.label, _suppressed_text() if s.value is None else s.value_text, s.detail) for s in steps]
    parts = [f"{s.label} {_suppressed_text() if s.value is None else s.value_text}" for s in steps]
    alt = _sentence(title, ", ".join(parts) or _("geen gegevens"))
    return _render(layout, alt=alt, table=table)


# --- Text alternatives ----------------------------------------------------------------------------


def _sentence(title: str, text: str) -> str:
    """ "Title: text." — or "Title? Text." after a title that is a question."""
    title = title.strip().rstrip(".:")
    if title.endswith(("?", "!")):
        return f"{title} {text[:1].upper()}{text[1:]}."
    return _("%(title)s: %(text)s.") % {"title": title, "text": text}


def _bar_alt(title: str, bars: list[Bar], unit: Unit) -> str:
    shown = [b for b in bars if b.value is not None]
    hidden = len(bars) - len(shown)
    if not bars:
        return _sentence(title, _("geen gegevens"))
    if len(bars) <= 4:
        text = ", ".join(f"{b.label} {format_value(b.value, unit)}" for b in bars)
        return _sentence(title, text)
    if shown:
        top = max(shown, key=lambda b: b.value)
        bottom = min(shown, key=lambda b: b.value)
        text = _("%(count)s staven, van %(low)s (%(low_label)s) tot %(high)s (%(high_label)s)") % {
            "count": len(bars),
            "low": format_value(bottom.value, unit),
            "low_label": bottom.label,
            "high": format_value(top.value, unit),
            "high_label": top.label,
        }
    else:
        text = _("%(count)s staven") % {"count": len(bars)}
    if hidden:
        text += _("; %(count)s met te weinig antwoorden") % {"count": hidden}
    return _sentence(title, text) + " " + _("Alle cijfers staan in de tabel bij de grafiek.")


def _distribution_alt(title: str, rows: list[DistributionRow], options: list[str]) -> str:
    if not rows:
        return _sentence(title, _("geen gegevens"))
    text = _("verdeling van de antwoorden (%(options)s) voor %(groups)s") % {
        "options": ", ".join(options),
        "groups": ", ".join(r.label for r in rows),
    }
    return _sentence(title, text) + " " + _("Alle percentages staan in de tabel bij de grafiek.")


def _trend_alt(title: str, series: list[Series], waves: list[str], unit: Unit, heading: str) -> str:
    if not series or not waves:
        return _sentence(title, _("geen gegevens"))
    text = _("%(what)s over %(count)s metingen, van %(first)s tot %(last)s") % {
        "what": heading[:1].lower() + heading[1:],
        "count": len(waves),
        "first": waves[0],
        "last": waves[-1],
    }
    if len(series) <= 3:
        parts = []
        for line in series:
            shown = [p for p in line.points if p.value is not None]
            if not shown:
                parts.append(f"{line.label} {_suppressed_text()}")
            elif len(shown) == 1:
                parts.append(f"{line.label} {format_value(shown[0].value, unit)}")
            else:
                parts.append(
                    _("%(label)s van %(first)s naar %(last)s")
                    % {
                        "label": line.label,
                        "first": format_value(shown[0].value, unit),
                        "last": format_value(shown[-1].value, unit),
                    }
                )
        text += "; " + "; ".join(parts)
    else:
        text += _(", voor %(count)s groepen") % {"count": len(series)}
    return _sentence(title, text) + " " + _("Alle cijfers staan in de tabel bij de grafiek.")


# --- Data helpers ---------------------------------------------------------------------------------


def _shares(counts: tuple[int, ...] | None) -> list[float] | None:
    if counts is None or sum(counts) == 0:
        return None
    total = sum(counts)
    return [100 * c / total for c in counts]


def _boundaries(shares: list[float], left: float, width: float) -> list[float]:
    edges, x = [], left
    for share in shares[:-1]:
        x += width * share / 100
        if 0 < x - left < width:
            edges.append(x)
    return edges


def _wave_labels(series: list[Series]) -> list[str]:
    """The waves in the order they first appear: the callers list points oldest first."""
    waves: list[str] = []
    for line in series:
        for point in line.points:
            if point.wave_label not in waves:
                waves.append(point.wave_label)
    return waves


def _last_shown(line: Series, unit: Unit) -> tuple[str, float] | None:
    shown = [p for p in line.points if p.value is not None]
    return (format_value(shown[-1].value, unit), shown[-1].value) if shown else None


def _series_style(index: int) -> tuple[str, str, str]:
    # After six lines the colours and markers repeat; the dash then flips, so no two lines match.
    i = index % len(SERIES_COLOURS)
    return SERIES_COLOURS[i], SERIES_MARKERS[i], SERIES_DASHES[(i + index // len(SERIES_COLOURS)) % len(SERIES_DASHES)]


def _ramp(count: int) -> list[str]:
    """`count` colours from disagree to agree; for two options the two ends."""
    if count <= 0:
        return []
    if count == len(DISTRIBUTION_RAMP):
        return list(DISTRIBUTION_RAMP)
    cmap = LinearSegmentedColormap.from_list("barometer", DISTRIBUTION_RAMP)
    return [_readable(to_hex(cmap(i / (count - 1) if count > 1 else 1.0))) for i in range(count)]


def _readable(colour: str) -> str:
    """An in-between colour lightened until dark or white text on it has 4.5:1 (a mid-tone can
    have less with either)."""
    rgb = to_rgb(colour)
    for step in range(21):
        mixed = to_hex(tuple(c + (1 - c) * step / 20 for c in rgb))
        if contrast(_ink_on(mixed), mixed) >= 4.5:
            return mixed
    return "#ffffff"


def _luminance(colour: str) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in to_rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str, second: str) -> float:
    """The WCAG contrast ratio of two colours (1 to 21)."""
    high, low = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _ink_on(colour: str) -> str:
    return "#ffffff" if contrast("#ffffff", colour) >= contrast(TEXT, colour) else TEXT


# --- Text layout ----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def _width(text: str, size: float, weight: str = "normal", italic: bool = False) -> float:
    """The width in pt of a line as matplotlib lays it out (DejaVu Sans). Cached: wrapping
    measures the same words over and over, and a measurement costs a font lookup."""
    prop = FontProperties(family="DejaVu Sans", size=size, weight=weight, style="italic" if italic else "normal")
    width, _height, _descent = _TEXT_TO_PATH.get_text_width_height_descent(text, prop, ismath=False)
    return width


def _wrap(text: str, *, width: float, size: float, weight: str = "normal", max_lines: int = 2) -> list[str]:
    """Words into lines no wider than `width`; what does not fit in `max_lines` ends in "…"."""
    lines: list[str] = []
    for word in text.split():
        if lines and _width(f"{lines[-1]} {word}", size, weight) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] += "…"
    return [_fit(line, width=width, size=size, weight=weight) for line in lines] or [""]


def _fit(line: str, *, width: float, size: float, weight: str) -> str:
    if _width(line, size, weight) <= width:
        return line
    line = line.rstrip("…")
    while line and _width(f"{line}…", size, weight) > width:
        line = line[:-1]
    return f"{line.rstrip()}…"


# --- Drawing --------------------------------------------------------------------------------------


class _Canvas:
    """A figure to draw on in points with y running down. Artists go on the figure itself: no
    axes, whose ticks and spines would only be built to be hidden (a third of the drawing time)."""

    def __init__(self, height: float):
        self.figure = Figure(figsize=(WIDTH / 72, height / 72), dpi=72)
        FigureCanvasSVG(self.figure)
        self.figure.patch.set_visible(False)  # transparent: the chart sits on cards and pages alike
        self.transform = Affine2D().scale(1 / 72, -1 / 72).translate(0, height / 72) + self.figure.dpi_scale_trans

    def add(self, artist: Artist) -> None:
        artist.set_transform(self.transform)
        self.figure.add_artist(artist)

    def line(self, xs: list[float], ys: list[float], **style) -> None:
        self.add(Line2D(xs, ys, **style))

    def text(self, x: float, y: float, text: str, **style) -> None:
        self.figure.text(x, y, text, transform=self.transform, **style)


def _text(canvas, x, y, text, size, color, weight="normal", *, ha="left", va="top", italic=False) -> None:
    if canvas is None:
        return
    canvas.text(
        x,
        y,
        text,
        fontsize=size,
        color=color,
        fontweight=weight,
        fontstyle="italic" if italic else "normal",
        ha=ha,
        va=va,
        parse_math=False,  # a label with "$" stays text
    )


def _draw_lines(canvas, lines, *, x, y, size, color, weight="normal", ha="left", italic=False) -> float:
    """Lines of text from `y` down; returns the y below the last line."""
    for line in lines:
        _text(canvas, x, y, line, size, color, weight, ha=ha, italic=italic)
        y += size * LINE_HEIGHT
    return y


def _draw_title(canvas, title: str) -> float:
    lines = _wrap(title, width=WIDTH - 2 * PAD, size=TITLE_SIZE, weight="bold", max_lines=3)
    return _draw_lines(canvas, lines, x=PAD, y=PAD, size=TITLE_SIZE, color=TEXT, weight="bold") + GAP


def _draw_row_label(canvas, label: str, n: int | None, *, y: float) -> float:
    """A row's label (up to two lines) with its number of answers at the right."""
    n_text = "" if n is None else _("n = %(n)s") % {"n": format_count(n)}
    n_room = _width(n_text, SMALL_SIZE) + GAP if n_text else 0
    lines = _wrap(label, width=WIDTH - 2 * PAD - n_room, size=LABEL_SIZE, max_lines=2)
    if n_text:
        _text(canvas, WIDTH - PAD, y + (LABEL_SIZE - SMALL_SIZE) / 2, n_text, SMALL_SIZE, MUTED, ha="right")
    return _draw_lines(canvas, lines, x=PAD, y=y, size=LABEL_SIZE, color=TEXT) + 2


def _draw_legend(canvas, entries, y: float) -> float:
    """Legend entries flowed into lines like words; `kind` "box" is a swatch, an int a line style."""
    swatch, spacing, line_height = 18.0, 14.0, SMALL_SIZE * LINE_HEIGHT + 2
    x = PAD
    for label, colour, kind in entries:
        text = _fit(label, width=WIDTH - 2 * PAD - swatch - 4, size=SMALL_SIZE, weight="normal")
        width = swatch + 4 + _width(text, SMALL_SIZE)
        if x > PAD and x + width > WIDTH - PAD:
            x, y = PAD, y + line_height
        middle = y + SMALL_SIZE * LINE_HEIGHT / 2
        if canvas:
            if kind == "box":
                canvas.add(Rectangle((x + 4, middle - 6), 12, 12, color=colour, linewidth=0))
            else:
                colour, marker, dash = _series_style(kind)
                canvas.line([x, x + swatch], [middle, middle], color=colour, linestyle=dash, linewidth=2.2)
                canvas.line(
                    [x + swatch / 2],
                    [middle],
                    color=colour,
                    marker=marker,
                    markersize=7,
                    markeredgecolor="white",
                    markeredgewidth=1,
                )
        _text(canvas, x + swatch + 4, middle, text, SMALL_SIZE, TEXT, va="center")
        x += width + spacing
    return y + line_height + GAP


def _draw_scale(canvas, ticks, unit: Unit, *, low: float, left: float, scale: float, top: float) -> float:
    """The scale under the bars: a tick and its value at each step."""
    for tick in ticks:
        x = left + (tick - low) * scale
        if canvas:
            canvas.line([x, x], [top, top + 4], color=AXIS, linewidth=0.8)
        _text(canvas, x, top + 6, _tick_text(tick, unit), SMALL_SIZE, MUTED, ha="center")
    return top + 6 + SMALL_SIZE * LINE_HEIGHT


def _draw_end_labels(canvas, placed: list[tuple[float, str, int]], *, x: float, top: float, bottom: float) -> None:
    """Each line's latest value at the right, after the line's marker (so it is not told by colour
    alone), nudged apart so no two overlap."""
    step = SMALL_SIZE * 1.15
    placed = sorted(placed)
    positions: list[float] = []
    for y, _t, _c in placed:
        positions.append(max(y, positions[-1] + step) if positions else y)
    overflow = positions[-1] - bottom if positions else 0
    if overflow > 0:
        positions = [p - overflow for p in positions]
        for i in range(len(positions) - 2, -1, -1):
            positions[i] = min(positions[i], positions[i + 1] - step)
    for y, (_y, text, index) in zip(positions, placed, strict=True):
        colour, marker, _dash = _series_style(index)
        y = max(y, top)
        canvas.line([x + 4], [y], color=colour, marker=marker, markersize=6, linestyle="none")
        _text(canvas, x + 11, y, text, SMALL_SIZE, colour, "bold", va="center")


def _render(layout, *, alt: str, table) -> Chart:
    """Lay the chart out once to learn its height, then draw it on a figure of that height."""
    with render_lock, matplotlib.rc_context(_RC):
        height = round(layout(None))
        canvas = _Canvas(height)
        layout(canvas)
        buffer = io.BytesIO()
        canvas.figure.savefig(buffer, format="svg", metadata=_METADATA)
    svg = _finish_svg(buffer.getvalue(), title=alt)
    return Chart(svg=svg, alt=alt, table=tuple(tuple(row) for row in table), width=round(WIDTH), height=height)


# --- SVG clean-up ---------------------------------------------------------------------------------


def _finish_svg(raw: bytes, *, title: str) -> bytes:
    """matplotlib's SVG without CSS (leerkracht/charts.py, and see the module docstring), sized in
    px from its viewBox, titled with the alt text."""
    root = svg_without_css(raw, font_family=FONT_FAMILY)
    view_box = root.get("viewBox", "").split()
    if len(view_box) == 4:
        root.set("width", two_decimals(view_box[2]))
        root.set("height", two_decimals(view_box[3]))
    title_element = ET.Element(f"{{{SVG_NS}}}title")
    title_element.text = title
    root.insert(0, title_element)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
