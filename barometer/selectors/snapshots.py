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
from barometer.report_charts import national_charts
from barometer.selectors import reports
from barometer.selectors.results import Level
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


# -------------------------------------------------------------------------------- writing
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
