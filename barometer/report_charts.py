"""Which charts a results report gets, and what each shows: the series, labels and titles chosen
from the report's suppressed figures (`barometer.selectors.reports`). The drawing itself is
`barometer.charts`; a drawn chart is a `barometer.chart_documents.Chart`.

The school's results page draws its charts per request from `school_charts`; the national page's
charts are drawn once per selection by `national_charts` into its snapshot
(`barometer.selectors.snapshots`), which the page, each chart image and the CSV read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from barometer.chart_documents import Chart
from barometer.models import QuestionKind
from barometer.models.questionnaire import OPTIONS
from barometer.selectors import reports
from barometer.selectors.results import MEAN_KINDS, PERCENT_KINDS, Score

# The drawing module loads matplotlib, which costs every process that loads it seconds: it is
# imported by the functions that draw, when a chart is asked for.
if TYPE_CHECKING:
    from barometer import charts


def chart_value(score: Score | None) -> float | None:
    """The figure a chart draws: the published (rounded) percent or mean, so chart and text agree."""
    if score is None:
        return None
    return float(score.percent) if score.percent is not None else float(score.mean)


def chart_n(score: Score | None) -> int | None:
    """The respondents a chart shows beside a figure (none for a hidden one)."""
    return score.n if score is not None else None


def score_charts(*, items, group, title_suffix: str) -> dict[str, Chart]:
    """A bar chart of the items with a percentage, and the answer distributions of the others."""
    from barometer import charts

    found = {}
    percent_bars = [
        charts.Bar(
            label=item.text, value=chart_value(group.scores.get(item.code)), n=chart_n(group.scores.get(item.code))
        )
        for item in items
        if item.kind in PERCENT_KINDS
    ]
    if percent_bars:
        found["eens"] = charts.bar_chart(
            title=_("Percentage (helemaal) eens of ja") + title_suffix,
            bars=percent_bars,
            unit="percent",
            label_heading=_("Vraag"),
        )
    rows_by_kind: dict[str, list[charts.DistributionRow]] = {}
    for item in items:
        if item.kind in MEAN_KINDS and item.kind != QuestionKind.LIKERT:
            score = group.scores.get(item.code)
            rows_by_kind.setdefault(item.kind, []).append(
                charts.DistributionRow(label=item.text, counts=score.counts if score else None, n=chart_n(score))
            )
    titles = {
        QuestionKind.SCALE: _("Cijfers van 1 tot 5: hoe de leraren antwoordden"),
        QuestionKind.FREQUENCY: _("Hoe vaak de leraren de instrumenten gebruiken"),
    }
    for kind, rows in rows_by_kind.items():
        options = [str(label) for _value, label in OPTIONS[kind]]
        found[f"verdeling-{kind}"] = charts.distribution_chart(
            title=titles.get(kind, _("Hoe de leraren antwoordden")) + title_suffix, rows=rows, options=options
        )
    return found


def national_charts(report: reports.NationalReport) -> dict[str, Chart]:
    """The national page's charts by key: the selection's items, the breakdown and the trend."""
    from barometer import charts

    if report.wave is None:
        return {}
    found = score_charts(items=report.items, group=report.total, title_suffix="")
    if report.item is not None:
        unit = "percent" if report.item.kind in PERCENT_KINDS else "mean"
        found["uitsplitsing"] = charts.bar_chart(
            title=report.item.text,
            bars=[
                charts.Bar(label=name, value=chart_value(score), n=chart_n(score)) for name, score in report.breakdown
            ],
            unit=unit,
            label_heading=str(report.breakdown_label),
        )
        if len(report.trend) > 1:
            found["verloop"] = charts.trend_chart(
                title=_("Verloop: %(item)s") % {"item": report.item.text},
                series=[
                    charts.Series(
                        label=_("Selectie"),
                        points=[
                            charts.Point(wave_label=wave.name, value=chart_value(score), n=chart_n(score))
                            for wave, score in report.trend
                        ],
                    )
                ],
                unit=unit,
            )
    return found


def school_charts(report: reports.SchoolReport) -> dict[str, Chart]:
    """The school page's charts by key: the items, their trend over the moments of the same
    questionnaire, and the impact staircase (none before a moment has closed)."""
    from barometer import charts

    if report.wave is None:
        return {}

    found = score_charts(items=report.items, group=report.school, title_suffix="")
    if len(report.trend_waves) > 1:
        labels = [wave.name for wave in report.trend_waves]
        for unit, kinds, key, title in (
            ("percent", PERCENT_KINDS, "verloop-eens", _("Verloop: percentage (helemaal) eens of ja")),
            ("mean", (QuestionKind.SCALE,), "verloop-gemiddelde", _("Verloop: gemiddelde (1–5)")),
        ):
            series = [
                charts.Series(
                    label=item.text,
                    points=[
                        charts.Point(wave_label=label, value=chart_value(score), n=chart_n(score))
                        for label, score in zip(labels, report.trends[item.code], strict=True)
                    ],
                )
                for item in report.items
                if item.kind in kinds
            ]
            if series:
                found[key] = charts.trend_chart(title=title, series=series, unit=unit)
    if report.staircase:
        found["effecttrap"] = charts.staircase_chart(title=_("Effecttrap"), steps=staircase_steps(report.staircase))
    return found


def staircase_steps(stairs: reports.Staircase) -> list[charts.Step]:
    """The four steps of the impact staircase as drawn, each with its figure in words."""
    from barometer import charts

    culture = stairs.culture
    return [
        charts.Step(
            label=_("Implementatie"),
            value_text=_("%(percent)s%% in het ritme") % {"percent": stairs.reported_use}
            if stairs.reported_use is not None
            else "",
            detail=_("leraren die de instrumenten zo vaak gebruiken als het programma vraagt (eigen zeggen)"),
            value=stairs.reported_use,
        ),
        charts.Step(
            label=_("Enthousiasme"),
            value_text=_("%(mean)s van 5") % {"mean": reports.headline(stairs.enthusiasm)},
            detail=_("gemiddeld cijfer voor het enthousiasme over het programma"),
            value=chart_value(stairs.enthusiasm),
        ),
        charts.Step(
            label=_("Leercultuur"),
            value_text=_("%(mean)s van 5") % {"mean": str(culture.mean).replace(".", ",")} if culture else "",
            detail=_("gemiddelde van de cultuursurvey") if culture else _("nog geen cultuursurvey gesloten"),
            value=float(culture.mean) if culture else None,
        ),
        charts.Step(
            label=_("Lespraktijk"),
            value_text=_("%(percent)s eens") % {"percent": reports.headline(stairs.teaching)},
            detail=_("leraren die zeggen dat het programma hun lessen beter maakt"),
            value=chart_value(stairs.teaching),
        ),
    ]
