"""Reads for planning barometer waves: which schools a wave asks, what a plan would invite (the
preview), every wave with where it stands, and whether a wave may still change.

The preview counts exactly what `wave_plan` would plan: participating schools (year 1, year 2 or
senior, with a startdag) that match the selection and whose moment opens from now on, and the
teachers a moment invites (`schools.selectors.teachers_by_school`: team members, leraren and schoolcoaches), each person
once however many of the schools they teach at (an invitation is unique per wave and teacher).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max, Min, Q, QuerySet
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from barometer.models import QuestionnaireVersion, VersionStatus, Wave, WaveSchool, WaveSchoolStatus

# The module, not its names: barometer.services.waves may import this module back (its daily
# planning resolves a wave's schools here), and attributes are read only when called.
from barometer.services import waves as wave_services
from leerkracht import clock
from leerkracht.access import Access
from leerkracht.tenancy import ALL
from schools.models import Region, School
from schools.selectors import teachers_count

# --- Which schools -----------------------------------------------------------------------------


@dataclass(frozen=True)
class WaveSelection:
    """Which schools a wave asks: the explicit `school_ids`, or else every participating school
    in `sectors`, `region_ids` and `phases` (an empty one does not narrow)."""

    school_ids: tuple[int, ...] = ()
    sectors: tuple[str, ...] = ()
    region_ids: tuple[int, ...] = ()
    phases: tuple[str, ...] = ()

    @property
    def explicit(self) -> bool:
        return bool(self.school_ids)


def wave_selection(*, wave: Wave) -> WaveSelection:
    """The selection a saved wave keeps (two queries: its regions and its listed schools)."""
    return WaveSelection(
        school_ids=tuple(
            sorted(wave.selected_schools.through.objects.filter(wave=wave).values_list("school_id", flat=True))
        ),
        sectors=tuple(wave.sectors),
        region_ids=tuple(sorted(wave.regions.through.objects.filter(wave=wave).values_list("region_id", flat=True))),
        phases=tuple(wave.phases),
    )


def selection_schools(*, selection: WaveSelection) -> QuerySet[School]:
    """The participating schools (in the tenant scope) a selection takes."""
    schools = School.objects.filter(phase__in=wave_services.PARTICIPATING_PHASES, start_date__isnull=False)
    if selection.explicit:
        return schools.filter(pk__in=selection.school_ids)
    if selection.sectors:
        schools = schools.filter(sector__in=selection.sectors)
    if selection.region_ids:
        schools = schools.filter(region_id__in=selection.region_ids)
    if selection.phases:
        schools = schools.filter(phase__in=selection.phases)
    return schools


def wave_selection_school_ids(*, wave: Wave) -> list[int]:
    """The ids of the participating schools a saved wave asks: what its planning passes to
    `wave_plan(school_ids=…)`, today and on every later daily planning (three queries)."""
    return list(selection_schools(selection=wave_selection(wave=wave)).order_by("pk").values_list("pk", flat=True))


# --- The preview -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedMoment:
    school_id: int
    opens_on: dt.date  # Amsterdam date


def planned_moments(*, wave: Wave, selection: WaveSelection, now: dt.datetime) -> tuple[int, list[PlannedMoment]]:
    """How many participating schools the selection takes, and the moments `wave_plan` would
    plan for them from `now` on (the same rules: a relative moment that has passed is not
    planned). `wave` may be unsaved: only its timing is read. One query."""
    rows = list(selection_schools(selection=selection).order_by("pk").values_list("pk", "start_date"))
    moments = []
    for school_id, start_date in rows:
        opens_on = wave_services.wave_opens_on(wave=wave, start_date=start_date)
        if opens_on is None or clock.instant(opens_on, wave.open_time) < now:
            continue
        moments.append(PlannedMoment(school_id=school_id, opens_on=opens_on))
    return len(rows), moments


@dataclass(frozen=True)
class WavePreview:
    """What a plan would invite: the schools the selection takes, how many of them get a moment,
    the teachers those moments invite (as they are today), and the first and last opening day."""

    matched: int
    schools: int
    teachers: int
    first_opens_on: dt.date | None
    last_opens_on: dt.date | None

    @property
    def past(self) -> int:
        """Schools taken whose moment has already passed (relative timing) or whose date has."""
        return self.matched - self.schools


def wave_preview(*, access: Access, wave: Wave, selection: WaveSelection, now: dt.datetime) -> WavePreview:
    """The preview of a plan for the schools this user may see (an admin: all): two queries,
    however many schools and teachers."""
    if access.visible_school_ids() is not ALL:
        # Planning is for admins (the view requires it); a narrower reader previews nothing.
        return WavePreview(matched=0, schools=0, teachers=0, first_opens_on=None, last_opens_on=None)
    matched, moments = planned_moments(wave=wave, selection=selection, now=now)
    days = [m.opens_on for m in moments]
    return WavePreview(
        matched=matched,
        schools=len(moments),
        teachers=teachers_count(school_ids=[m.school_id for m in moments]),
        first_opens_on=min(days, default=None),
        last_opens_on=max(days, default=None),
    )


# --- The waves ---------------------------------------------------------------------------------


class WaveState:
    """Where a wave stands, from its schools' moments (and whether it was cancelled)."""

    PLANNED = "gepland"
    RUNNING = "loopt"
    CLOSED = "afgerond"
    CANCELLED = "geannuleerd"
    LABELS = {
        PLANNED: gettext_lazy("Gepland"),
        RUNNING: gettext_lazy("Loopt"),
        CLOSED: gettext_lazy("Afgerond"),
        CANCELLED: gettext_lazy("Geannuleerd"),
    }


@dataclass(frozen=True)
class WaveRow:
    """A wave with its moments counted (cancelled ones left out) and its state."""

    wave: Wave
    moments: int
    planned: int
    open: int
    closed: int
    first_opens_at: dt.datetime | None
    last_closes_at: dt.datetime | None

    @property
    def state(self) -> str:
        if self.wave.cancelled_at:
            return WaveState.CANCELLED
        if self.open or (self.planned and self.closed):
            return WaveState.RUNNING  # a relative wave between two schools' moments runs on
        if self.closed:
            return WaveState.CLOSED
        return WaveState.PLANNED

    @property
    def state_label(self) -> str:
        return WaveState.LABELS[self.state]


def _with_counts(waves: QuerySet[Wave]) -> QuerySet[Wave]:
    live = ~Q(schools__status=WaveSchoolStatus.CANCELLED)
    return waves.select_related("version__questionnaire").annotate(
        moment_count=Count("schools", filter=live),
        planned_count=Count("schools", filter=Q(schools__status=WaveSchoolStatus.PLANNED)),
        open_count=Count("schools", filter=Q(schools__status=WaveSchoolStatus.OPEN)),
        closed_count=Count("schools", filter=Q(schools__status=WaveSchoolStatus.CLOSED)),
        first_opens_at=Min("schools__opens_at", filter=live),
        last_closes_at=Max("schools__closes_at", filter=live),
    )


def _row(wave: Wave) -> WaveRow:
    return WaveRow(
        wave=wave,
        moments=wave.moment_count,
        planned=wave.planned_count,
        open=wave.open_count,
        closed=wave.closed_count,
        first_opens_at=wave.first_opens_at,
        last_closes_at=wave.last_closes_at,
    )


def wave_list(*, access: Access) -> list[WaveRow]:
    """Every wave, newest first, with its moments counted: one query however many waves and
    schools. Waves are national, so only a user who sees every school sees them."""
    if access.visible_school_ids() is not ALL:
        return []
    return [_row(wave) for wave in _with_counts(Wave.objects.all()).order_by("-created_at", "-pk")]


def wave_get(*, access: Access, wave_id: int) -> WaveRow:
    """One wave with its counts (one query); DoesNotExist for a missing one or a user who does
    not see every school."""
    if access.visible_school_ids() is not ALL:
        raise Wave.DoesNotExist
    return _row(_with_counts(Wave.objects.filter(pk=wave_id)).get())


def published_versions() -> QuerySet[QuestionnaireVersion]:
    """The versions a wave may ask: published ones, by questionnaire and newest version first."""
    return (
        QuestionnaireVersion.objects.filter(status=VersionStatus.PUBLISHED)
        .select_related("questionnaire")
        .order_by("questionnaire__title", "-number")
    )


def planning_regions() -> QuerySet[Region]:
    """The regions a selection can name."""
    return Region.objects.only("id", "name").order_by("name")


def wave_change_refusal(*, wave: Wave, now: dt.datetime) -> str:
    """Why this wave can no longer be changed or cancelled ("" while it can): it was cancelled,
    or a school's moment has opened (or its opening time has come and the tick is about to).
    One query. Waves are national, so this reads every school's moment on purpose."""
    if wave.cancelled_at:
        return _("Dit meetmoment is geannuleerd en verandert niet meer.")
    started = (
        WaveSchool.unscoped.filter(wave=wave)
        .exclude(status=WaveSchoolStatus.CANCELLED)
        .filter(Q(status__in=[WaveSchoolStatus.OPEN, WaveSchoolStatus.CLOSED]) | Q(opens_at__lte=now))
        .order_by("opens_at")
        .values_list("opens_at", flat=True)
        .first()
    )
    if started is None:
        return ""
    return _(
        "Het eerste moment van dit meetmoment begon op %(day)s. Vanaf dan verandert het niet meer en kan het "
        "niet meer worden geannuleerd: iedereen krijgt dezelfde vragen met dezelfde termijn."
    ) % {"day": dutch_day(started.astimezone(clock.AMSTERDAM).date())}


def dutch_day(day: dt.date) -> str:
    """A date the Dutch way, with its week: "maandag 8 maart 2027 (week 10)"."""
    return _("%(day)s (week %(week)s)") % {"day": formats.date_format(day, "l j F Y"), "week": day.isocalendar().week}


def reminder_moment(*, access: Access, wave_school_id: int) -> WaveSchool:
    """A school's moment (with its school) for "Herinnering nu versturen"; DoesNotExist for a
    missing one or one of a school this user does not see."""
    moments = WaveSchool.objects.select_related("school")
    visible = access.visible_school_ids()
    if visible is not ALL:
        moments = moments.filter(school_id__in=visible)
    return moments.get(pk=wave_school_id)
