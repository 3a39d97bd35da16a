"""Reads of the barometer waves: how many of those a school's moment invites have answered. Who it
invites is everyone who teaches in the school (`schools.selectors.teachers_by_school`).

Response rates are counts of who answered, never what: they come from `Invitation.answered_at`,
which lives apart from the anonymous answers (DESIGN.md §5).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count
from django.utils.translation import gettext as _

from barometer.models import Invitation, WaveSchool


@dataclass(frozen=True)
class ResponseRate:
    """Invited and answered in one team (or the whole school)."""

    team_id: int | None
    name: str
    invited: int
    answered: int

    @property
    def percent(self) -> int | None:
        """Whole percent, halves rounded up (exact integer arithmetic); None when nobody was invited."""
        if not self.invited:
            return None
        return (200 * self.answered + self.invited) // (2 * self.invited)


@dataclass(frozen=True)
class ResponseRates:
    school: ResponseRate
    teams: list[ResponseRate]


def response_rates(*, wave_school: WaveSchool) -> ResponseRates:
    """The response rate of one school's moment, per team (by name; people without a team last)
    and for the school, live from the invitations, in one query."""
    rows = (
        Invitation.objects.filter(school_id=wave_school.school_id, wave_school_id=wave_school.pk)
        .values("team_id", "team__name")
        .annotate(invited=Count("pk"), answered=Count("answered_at"))
        .order_by()
    )
    return _rates([_rate(row) for row in rows])


@dataclass(frozen=True)
class Moment:
    """One of a school's wave moments with its response rates."""

    wave_school: WaveSchool
    rates: ResponseRates


MOMENTS_SHOWN = 6


def school_moments(*, school_id: int) -> list[Moment]:
    """The school's latest wave moments that have opened (open first, then the most recent), each
    with its response rate per team and for the school: two queries, however many moments, teams
    and teachers."""
    wave_schools = list(
        WaveSchool.objects.filter(school_id=school_id)
        .exclude(opened_at__isnull=True)
        .select_related("wave__version__questionnaire")
        .order_by("-opens_at")[:MOMENTS_SHOWN]
    )
    wave_schools.sort(key=lambda ws: ws.status != "open")  # stable: open first, each newest first
    rows = (
        Invitation.objects.filter(school_id=school_id, wave_school_id__in=[ws.pk for ws in wave_schools])
        .values("wave_school_id", "team_id", "team__name")
        .annotate(invited=Count("pk"), answered=Count("answered_at"))
        .order_by()
    )
    by_moment: dict[int, list[ResponseRate]] = {ws.pk: [] for ws in wave_schools}
    for row in rows:
        by_moment[row["wave_school_id"]].append(_rate(row))
    return [Moment(wave_school=ws, rates=_rates(by_moment[ws.pk])) for ws in wave_schools]


def _rate(row: dict) -> ResponseRate:
    return ResponseRate(
        team_id=row["team_id"],
        name=row["team__name"] or _("Zonder team"),
        invited=row["invited"],
        answered=row["answered"],
    )


def _rates(teams: list[ResponseRate]) -> ResponseRates:
    teams.sort(key=lambda rate: (rate.team_id is None, rate.name.casefold(), rate.team_id or 0))
    school = ResponseRate(
        team_id=None,
        name=_("Hele school"),
        invited=sum(rate.invited for rate in teams),
        answered=sum(rate.answered for rate in teams),
    )
    return ResponseRates(school=school, teams=teams)
