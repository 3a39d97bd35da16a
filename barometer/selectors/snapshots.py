"""The national results as snapshots: each selection (wave, filters) computed once per version of
the answers and kept whole — the report, every chart already drawn, the CSV already written — so
the page, each of its chart images and the export read the same snapshot and none of them
aggregates or draws again.

Where a snapshot lives, and why the cache. A snapshot is derived data that `national_report` can
rebuild at any moment; the selections are whatever filters admins combine (unbounded keys, most
asked once), and a snapshot of an old version of the answers is worth nothing. The cache (Redis
in production, shared by every web process and worker) holds that with no table, no migration and
no clean-up: old versions and rare selections fall out by themselves (`SNAPSHOT_TTL`, Redis's
eviction). A table would survive a Redis flush and could be read from a replica, but would need a
sweep for dead versions and costs a query per read; after a flush the price here is one cold
computation per selection asked for, and the next change of the answers warms the common ones.

The version of the answers (`barometer.services.results`): every key carries it, a close or a
move of answers sets a new one after its commit and schedules `snapshots_warm`, which computes the
common selections (`COMMON_BREAKDOWNS` for the country, the sector breakdown for each sector, of
the newest wave) in the background. A read takes the version before it computes, so what it
keeps under a version is never older than that version.

Suppression holds as on the page: a snapshot is the suppressed `NationalReport` and what is drawn
and written from it, never anything finer.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass, replace

from django.core.cache import cache
from django.utils import translation
from django.utils.translation import gettext as _

from barometer.chart_documents import Chart
from barometer.models import QuestionKind
from barometer.models.questionnaire import OPTIONS
from barometer.selectors import reports
from barometer.selectors.results import MEAN_KINDS, PERCENT_KINDS, Level, Score
from barometer.services.results import data_version, warm_started
from schools.models import Sector

SNAPSHOT_TTL = 60 * 60 * 24 * 7  # a week: a version's snapshots outlive any look at its results
# What an admin opens first, of the newest wave: the country split by each of these, and every
# sector with the page's default split (by sector).
COMMON_BREAKDOWNS = (Level.SECTOR, Level.REGION, Level.SCHOOL_GROUP)


@dataclass(frozen=True)
class Selection:
    """What a national report is asked for: the arguments of `reports.national_report`."""

    wave_id: int | None = None
    sector: str | None = None
    region_id: int | None = None
    breakdown: str = Level.SECTOR
    code: str | None = None
    code_x: str | None = None
    code_y: str | None = None

    def key(self, version: str) -> str:
        """The cache key of this selection's snapshot for a version of the answers."""
        wanted = json.dumps(self.__dict__, sort_keys=True, default=str)
        digest = hashlib.sha256(wanted.encode()).hexdigest()[:32]
        return f"barometer:results:national:{version}:{translation.get_language()}:{digest}"


@dataclass(frozen=True)
class NationalSnapshot:
    """One selection's report with its charts drawn and its CSV written."""

    version: str
    report: reports.NationalReport
    charts: dict[str, Chart]
    csv: str

    @property
    def csv_name(self) -> str:
        return f"barometer-{self.report.wave.pk if self.report.wave else 'leeg'}.csv"


# -------------------------------------------------------------------------------- reading
def national_snapshot(selection: Selection) -> NationalSnapshot:
    """The selection's snapshot for the current version: read, or computed once and kept."""
    version = data_version()
    key = selection.key(version)
    snapshot = cache.get(key)
    if snapshot is None:
        snapshot = snapshot_compute(selection, version=version)
        cache.set(key, snapshot, timeout=SNAPSHOT_TTL)
    return snapshot


def snapshot_compute(
    selection: Selection, *, version: str, computed: reports.NationalComputed | None = None
) -> NationalSnapshot:
    """The selection's report, its charts drawn and its CSV written: what a snapshot keeps."""
    report = reports.national_report(**selection.__dict__, computed=computed)
    return NationalSnapshot(version=version, report=report, charts=national_charts(report), csv=national_csv(report))


def snapshots_warm() -> int:
    """Compute the common snapshots of the current version (one aggregation for all of them) that
    are not kept yet; for the background task, in the platform-wide scope. Returns how many."""
    warm_started()
    version = data_version()
    computed = reports.NationalComputed()
    if not computed.waves:
        return 0
    newest = computed.waves[0].pk
    made = {}
    for sector, breakdowns in [(None, COMMON_BREAKDOWNS)] + [(value, (Level.SECTOR,)) for value in Sector.values]:
        for breakdown in breakdowns:
            # The page without a wave chosen shows the newest: one snapshot under both keys.
            chosen = Selection(wave_id=newest, sector=sector, breakdown=breakdown)
            keys = [chosen.key(version), replace(chosen, wave_id=None).key(version)]
            if set(keys) <= cache.get_many(keys).keys():
                continue
            snapshot = snapshot_compute(chosen, version=version, computed=computed)
            made.update(dict.fromkeys(keys, snapshot))
    cache.set_many(made, timeout=SNAPSHOT_TTL)
    return len(made) // 2


# -------------------------------------------------------------------------------- drawing, writing
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
        options = [label for _value, label in OPTIONS[kind]]
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


def national_csv(report: reports.NationalReport) -> str:
    """The selection's figures as CSV (semicolon, decimal comma, for Dutch spreadsheets): the
    total and every group of the breakdown, per item; a hidden figure is an empty cell."""
    out = io.StringIO()
    out.write("\ufeff")  # Excel reads UTF-8 only with the byte order mark
    writer = csv.writer(out, delimiter=";")
    writer.writerow(
        [_("Meetmoment"), _("Groep"), _("Vraag"), _("Code"), _("Antwoorden"), _("% eens of ja"), _("Gemiddelde")]
    )
    for group_name, group in report.export_groups:
        for item in report.items:
            score = group.scores.get(item.code)
            writer.writerow(
                [
                    report.wave.name,
                    group_name,
                    item.text,
                    item.code,
                    score.n if score else "",
                    score.percent if score and score.percent is not None else "",
                    str(score.mean).replace(".", ",") if score and score.mean is not None else "",
                ]
            )
    return out.getvalue()
