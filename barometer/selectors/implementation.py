"""What the instruments recorded, per school and period: the "recorded" half of the impact
staircase's implementation step, to stand beside what teachers report in the barometer's
"Hoe vaak gebruik je de instrumenten?" section (the figure no survey tool has).

A period is [since, until) in Europe/Amsterdam dates: from midnight at the start of `since` to
midnight at the start of `until`, Amsterdam time, so a session at 00:30 on the first day counts
and one at 23:30 the evening before does not, in winter (UTC+1) and summer (UTC+2) alike.

What counts is the instruments' own rule (`instruments.selectors.metrics`, which owns these
numbers and documents why): a closed session of a team board; a visit that began and was neither
cancelled nor marked "niet doorgegaan" (`visits_debriefed` is the stricter subset with a debrief
recorded, status "geweest", since the survey item asks about visits "met een nagesprek"); a
design that reached "klaar" (placed by when it was started, so a past period's figure can grow a
little); a feedback round at least one pupil answered.

Who the rates are divided by:

- **teams**: the school's teams with at least one active member (a team nobody is in cannot hold
  a session).
- **teachers**: the rule of `barometer.selectors.waves.wave_school_teachers`, which decides who a
  wave asks: active members of the school's teams plus active leraren and schoolcoaches of the
  school, each person once. The recorded rate then divides by the same people the self-reported
  frequency comes from.

Rates are in the units of the frequency question's options ("Wekelijks of vaker", "Een paar
keer per maand", "Maandelijks", "Een paar keer per jaar"): board sessions per team per week,
the rest per teacher per month (a month is 365.25 / 12 days). Each rate is how often *one
teacher* took part, so it compares with one teacher's answer: a visit counts for its visitor and
for the visited teacher (the item asks "kijk je bij een collega in de les, of kijkt een collega
bij jou"), a design for each of its authors, a feedback round for the teacher who opened it.

Tenancy: every model read here is tenant-owned and nothing here opens a scope. The caller's scope
must cover `school_ids` (a request's scope does; for many schools a page or task opens
`tenancy.scope(school_ids=...)`); a school outside it comes back with zeros, as the net filters
its rows out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from barometer.selectors.waves import TEACHER_ROLES
from instruments.models import VisitStatus
from instruments.selectors.metrics import (  # noqa: F401 (re-exported: the barometer's pages read them here)
    DAYS_PER_MONTH,
    DAYS_PER_WEEK,
    TARGET_BOARD_SESSIONS_PER_TEAM_PER_WEEK,
    TARGET_DESIGNS_PER_TEACHER_PER_MONTH,
    TARGET_VISITS_PER_TEACHER_PER_MONTH,
    VISIT_PARTICIPANTS,
    board_sessions_held,
    feedback_rounds_answered,
    lesson_designs_made,
    lesson_visits_done,
)
from leerkracht import clock
from schools.models import School, SchoolMembership, TeamMembership


def _rate(count: int, per: int, span: float) -> float | None:
    """`count` per one of `per` per unit of `span`; None when there is nobody or no time to
    divide by (a school without teachers has no rate, not a rate of zero)."""
    if not per or span <= 0:
        return None
    return count / per / span


@dataclass(frozen=True)
class Recorded:
    """What the instruments recorded in one school over one period, with the rates a page puts
    beside the self-reported frequencies. See the module docstring for what each count counts."""

    board_sessions: int
    teams: int
    visits_done: int
    designs_made: int
    feedback_rounds: int
    teachers: int
    weeks: float
    visits_debriefed: int = 0
    design_authors: int = 0  # authors of the designs made, summed: one per teacher per design

    @property
    def months(self) -> float:
        return self.weeks * DAYS_PER_WEEK / DAYS_PER_MONTH

    @property
    def board_sessions_per_team_per_week(self) -> float | None:
        """Beside "Hoe vaak sta je met je team bij het verbeterbord": 1.0 is the weekly target."""
        return _rate(self.board_sessions, self.teams, self.weeks)

    @property
    def visits_per_teacher_per_month(self) -> float | None:
        """How often a teacher took part in a visit (as visitor or visited) per month."""
        return _rate(VISIT_PARTICIPANTS * self.visits_done, self.teachers, self.months)

    @property
    def debriefed_visits_per_teacher_per_month(self) -> float | None:
        """As `visits_per_teacher_per_month`, counting only visits with a recorded debrief."""
        return _rate(VISIT_PARTICIPANTS * self.visits_debriefed, self.teachers, self.months)

    @property
    def designs_per_teacher_per_month(self) -> float | None:
        """How often a teacher co-authored a design that was made, per month."""
        return _rate(self.design_authors, self.teachers, self.months)

    @property
    def feedback_rounds_per_teacher_per_month(self) -> float | None:
        """How often a teacher held a feedback round pupils answered, per month."""
        return _rate(self.feedback_rounds, self.teachers, self.months)


def recorded_by_school(*, school_ids: Sequence[int], since: dt.date, until: dt.date) -> dict[int, Recorded]:
    """What the instruments recorded in each school over [since, until), Amsterdam dates: five
    queries whatever the number of schools (teams and teachers, then one grouped count per
    instrument); a school with nothing recorded gets zeros."""
    start, end = clock.period_bounds(since=since, until=until)
    ids = list(dict.fromkeys(school_ids))
    if not ids:
        return {}
    weeks = (until - since).days / DAYS_PER_WEEK

    people = _people(ids)
    sessions = _count_by_school(board_sessions_held(school_ids=ids, start=start, end=end), n=Count("pk"))
    visits = _count_by_school(
        lesson_visits_done(school_ids=ids, start=start, end=end),
        done=Count("pk"),
        debriefed=Count("pk", filter=Q(status=VisitStatus.DONE)),
    )
    designs = _count_by_school(
        lesson_designs_made(school_ids=ids, start=start, end=end),
        made=Count("pk", distinct=True),  # distinct: the join to the authors repeats each design
        authors=Count("authorships"),
    )
    rounds = _count_by_school(feedback_rounds_answered(school_ids=ids, start=start, end=end), n=Count("pk"))

    result = {}
    for school_id in ids:
        teams, teachers = people.get(school_id, (0, 0))
        visit_counts = visits.get(school_id, {})
        design_counts = designs.get(school_id, {})
        result[school_id] = Recorded(
            board_sessions=sessions.get(school_id, {}).get("n", 0),
            teams=teams,
            visits_done=visit_counts.get("done", 0),
            designs_made=design_counts.get("made", 0),
            feedback_rounds=rounds.get(school_id, {}).get("n", 0),
            teachers=teachers,
            weeks=weeks,
            visits_debriefed=visit_counts.get("debriefed", 0),
            design_authors=design_counts.get("authors", 0),
        )
    return result


def recorded_for_school(*, school_id: int, since: dt.date, until: dt.date) -> Recorded:
    """What the instruments recorded in one school over [since, until) (see recorded_by_school)."""
    return recorded_by_school(school_ids=[school_id], since=since, until=until)[school_id]


def _count_by_school(queryset, **aggregates) -> dict[int, dict[str, int]]:
    """One grouped query: {school id: {aggregate name: value}} for the schools with any row."""
    rows = queryset.order_by().values("school_id").annotate(**aggregates)
    return {row.pop("school_id"): row for row in rows}


def _people(ids: list[int]) -> dict[int, tuple[int, int]]:
    """{school id: (teams, teachers)} in one query, with the teacher rule of
    `wave_school_teachers`: active team members, plus active leraren and schoolcoaches who are
    in no team of the school (so nobody is counted twice)."""
    members = TeamMembership.objects.filter(school_id=OuterRef("pk"), user__is_active=True).order_by()
    teams = members.values("school_id").annotate(n=Count("team_id", distinct=True)).values("n")
    in_teams = members.values("school_id").annotate(n=Count("user_id", distinct=True)).values("n")
    in_a_team = TeamMembership.objects.filter(school_id=OuterRef("school_id"), user_id=OuterRef("user_id"))
    by_role_only = (
        SchoolMembership.objects.filter(school_id=OuterRef("pk"), role__in=TEACHER_ROLES, user__is_active=True)
        .exclude(Exists(in_a_team))
        .order_by()
        .values("school_id")
        .annotate(n=Count("user_id", distinct=True))  # distinct: a leraar may also be schoolcoach
        .values("n")
    )

    def counted(subquery):
        return Coalesce(Subquery(subquery, output_field=IntegerField()), Value(0))

    rows = (
        School.objects.filter(pk__in=ids)
        .order_by()
        .annotate(team_count=counted(teams), in_teams=counted(in_teams), by_role_only=counted(by_role_only))
        .values_list("pk", "team_count", "in_teams", "by_role_only")
    )
    return {pk: (team_count, in_teams + by_role_only) for pk, team_count, in_teams, by_role_only in rows}
