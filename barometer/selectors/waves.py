"""Reads of the barometer waves: who a school's moment invites, and how many have answered.

Response rates are counts of who answered, never what: they come from `Invitation.answered_at`,
which lives apart from the anonymous answers (DESIGN.md §5).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count
from django.utils.translation import gettext as _

from barometer.models import Invitation, WaveSchool
from leerkracht.roles import Role
from schools.models import SchoolMembership, TeamMembership

# Who a wave asks: everyone who teaches in the school. A team member is a teacher of the school;
# the schoolcoach teaches too. A school leader with no team is not asked.
TEACHER_ROLES = (Role.LERAAR, Role.SCHOOLCOACH)


def wave_schools_teachers(*, school_ids: Sequence[int]) -> dict[int, dict[int, int | None]]:
    """Per school, its active teachers as {user id: their first team's id (lowest id) or None}:
    active team members with their lowest team, then active leraren and schoolcoaches without
    one. Two queries however many schools (the invite reads a batch of 100 at once)."""
    teachers: dict[int, dict[int, int | None]] = {school_id: {} for school_id in school_ids}
    in_teams = (
        TeamMembership.objects.filter(school_id__in=school_ids, user__is_active=True)
        .order_by("school_id", "user_id", "team_id")
        .values_list("school_id", "user_id", "team_id")
    )
    for school_id, user_id, team_id in in_teams:
        teachers[school_id].setdefault(user_id, team_id)
    in_roles = SchoolMembership.objects.filter(
        school_id__in=school_ids, role__in=TEACHER_ROLES, user__is_active=True
    ).values_list("school_id", "user_id")
    for school_id, user_id in in_roles:
        teachers[school_id].setdefault(user_id, None)
    return teachers


def wave_school_teachers(*, school_id: int) -> dict[int, int | None]:
    """The school's active teachers as {user id: their first team's id (lowest id) or None}."""
    return wave_schools_teachers(school_ids=[school_id])[school_id]


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
