"""Reads for the national response-rate overview: every school's moment in the barometer's waves
with how many teachers were invited and how many answered, filtered, sorted and paged.

Counts of who answered only, never what: they come from `Invitation.answered_at`, which lives
apart from the anonymous answers (DESIGN.md §5); the Response and Answer tables are not read.
The rows reuse `ResponseRate` of the school page, so a percentage is rounded the same way on both.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from barometer.models import Invitation, Wave, WaveSchool, WaveSchoolStatus
from barometer.selectors.waves import ResponseRate
from leerkracht.access import Access
from leerkracht.tenancy import ALL
from schools.models import Region, Sector

PAGE_SIZE = 50


@dataclass(frozen=True)
class OverviewFilters:
    """What the admin narrowed the list to; empty values filter nothing."""

    wave: int | None = None
    sector: str = ""
    region: int | None = None
    status: str = ""  # a WaveSchoolStatus value
    q: str = ""

    @property
    def active(self) -> bool:
        return any((self.wave, self.sector, self.region, self.status, self.q))


@dataclass(frozen=True)
class OverviewRow:
    """One school's moment (with its school, region and wave loaded) and its response rate."""

    wave_school: WaveSchool
    rate: ResponseRate


@dataclass(frozen=True)
class WaveTotal:
    """A wave's figures over the selection: its school moments, how many are open, the rate."""

    wave_id: int
    moments: int
    open_moments: int
    rate: ResponseRate


@dataclass(frozen=True)
class ResponseOverview:
    page: Page  # object_list: list[OverviewRow]
    waves: list[WaveTotal]  # newest wave first
    total: ResponseRate  # over the whole selection, every page
    open_moments: int  # in the whole selection

    @property
    def live(self) -> bool:
        """A moment in the selection is open: its counts still change."""
        return self.open_moments > 0


def _selection(*, access: Access, filters: OverviewFilters) -> QuerySet[WaveSchool]:
    """The school moments this user may see that match the filters, unannotated. A cancelled
    wave's moments (which never opened) are not listed."""
    moments = WaveSchool.objects.exclude(status=WaveSchoolStatus.CANCELLED)
    visible = access.visible_school_ids()
    if visible is not ALL:
        # The tenant scope would hold this line too; saying it here keeps the selector safe to
        # reuse for a narrower page (a region's or a bestuur's) without leaning on the net.
        moments = moments.filter(school_id__in=visible)
    if filters.wave:
        moments = moments.filter(wave_id=filters.wave)
    if filters.sector:
        moments = moments.filter(school__sector=filters.sector)
    if filters.region:
        moments = moments.filter(school__region_id=filters.region)
    if filters.status:
        moments = moments.filter(status=filters.status)
    if filters.q:
        q = filters.q.strip()
        moments = moments.filter(Q(school__name__icontains=q) | Q(school__code__iexact=q))
    return moments


STATUS_ORDER = {WaveSchoolStatus.OPEN: 0, WaveSchoolStatus.CLOSED: 1, WaveSchoolStatus.PLANNED: 2}


@dataclass(frozen=True)
class _Ranked:
    """A selected moment's id, wave, status, sort keys and counts: what ranking and the totals
    need, without loading the school, region and wave of every row."""

    pk: int
    wave_id: int
    wave_name: str
    status: str
    opens_at: dt.datetime
    school_name: str
    invited: int
    answered: int

    @property
    def sort_key(self) -> tuple:
        # Open first; within a status the lowest exact ratio first (so the order agrees with the
        # rounded percentages shown), moments nobody was invited to yet last.
        rate = self.answered / self.invited if self.invited else None
        return (
            STATUS_ORDER.get(self.status, 3),
            rate is None,
            rate or 0.0,
            self.opens_at,
            self.school_name.casefold(),
            self.pk,
        )


def response_overview(
    *, access: Access, filters: OverviewFilters = OverviewFilters(), page: int = 1
) -> ResponseOverview:
    """One page (50) of the selected school moments, open ones first and among them the lowest
    response rate first (where a schoolcoach may need a nudge), with totals per wave and over the
    selection, in three queries however many schools: the selected moments, their counts, and
    the page's moments with their school, region and wave."""
    selection = _selection(access=access, filters=filters)
    moments = list(selection.values_list("pk", "wave_id", "wave__name", "status", "opens_at", "school__name"))
    counts: dict[int, tuple[int, int]] = {}
    if moments:
        # One GROUP BY on the invitations' wave_school_id, hashed in memory. Counting per row with
        # correlated subqueries was tried first: at 4,250 schools their cost estimate switches on
        # PostgreSQL's JIT, which alone took three seconds; grouping the moments joined to their
        # invitations sorted every invitation (on disk) and took 300 ms more than this.
        counted = (
            Invitation.objects.filter(wave_school__in=selection.values("pk"))
            .order_by()
            .values_list("wave_school_id")
            .annotate(invited=Count("pk"), answered=Count("answered_at"))
        )
        counts = {pk: (invited, answered) for pk, invited, answered in counted}
    ranked = sorted((_Ranked(*row, *counts.get(row[0], (0, 0))) for row in moments), key=lambda moment: moment.sort_key)
    current = Paginator(ranked, PAGE_SIZE).get_page(page)
    on_page = {}
    if current.object_list:
        on_page = WaveSchool.objects.select_related("school__region", "wave").in_bulk(
            [m.pk for m in current.object_list]
        )
    current.object_list = [
        OverviewRow(
            wave_school=on_page[m.pk],
            rate=ResponseRate(team_id=None, name=m.school_name, invited=m.invited, answered=m.answered),
        )
        for m in current.object_list
        if m.pk in on_page  # a moment deleted between the queries is left out, not an error
    ]
    return ResponseOverview(page=current, **_totals(ranked))


def _totals(ranked: list[_Ranked]) -> dict:
    """The selection's figures per wave (newest first) and in all, from its rows."""
    per_wave: dict[int, dict] = {}
    for m in ranked:
        wave = per_wave.setdefault(
            m.wave_id, {"name": m.wave_name, "moments": 0, "open": 0, "invited": 0, "answered": 0}
        )
        wave["moments"] += 1
        wave["open"] += m.status == WaveSchoolStatus.OPEN
        wave["invited"] += m.invited
        wave["answered"] += m.answered
    waves = [
        WaveTotal(
            wave_id=wave_id,
            moments=wave["moments"],
            open_moments=wave["open"],
            rate=ResponseRate(team_id=None, name=wave["name"], invited=wave["invited"], answered=wave["answered"]),
        )
        for wave_id, wave in sorted(per_wave.items(), reverse=True)  # ids grow with creation
    ]
    total = ResponseRate(
        team_id=None,
        name=_("Totaal van de selectie"),
        invited=sum(w.rate.invited for w in waves),
        answered=sum(w.rate.answered for w in waves),
    )
    return {"waves": waves, "total": total, "open_moments": sum(w.open_moments for w in waves)}


@dataclass(frozen=True)
class OverviewChoices:
    waves: list[Wave]
    regions: list[Region]
    sectors: list[tuple[str, str]]


def response_overview_choices(*, access: Access) -> OverviewChoices:
    """The options of the overview's filters: every wave (newest first) and region (two queries);
    the sectors are a fixed list."""
    return OverviewChoices(
        waves=list(Wave.objects.only("id", "name", "created_at").order_by("-created_at", "-id")),
        regions=list(Region.objects.only("id", "name").order_by("name")),
        sectors=list(Sector.choices),
    )
