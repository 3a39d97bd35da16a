"""The numbers of what the instruments recorded: board sessions held, lesson visits done, lesson
designs made and feedback rounds answered (STYLE.md: each app owns its entities' numbers).
The school page shows them per team (`school_rhythm`); the barometer's impact staircase reads them
per school (`recorded_by_school`) for its implementation step, and so will the coaches' dashboards.
Nobody else redefines what counts.

What counts, and why:

- **Board session held**: a session on a *team* board that was *closed* and was started in the
  period. Closing is what writes the session's record; a session started and never closed has
  none. Class boards and the organisational board keep other rhythms, so they are left out: the
  figure means "team sessions per team per week", as the weekly target does.
- **Visit done**: a lesson visit that started in the period, before now, and did not not take
  place (cancelled beforehand, or marked "niet doorgegaan" afterwards). A visit nobody said
  anything about yet counts: the notes are optional and private (DESIGN.md §5), so requiring
  them would undercount visits that took place. Only `LessonVisit` is read, never its notes.
- **Design made**: a lesson design created in the period that reached "klaar" or beyond.
  Reaching "klaar" needs two authors: the instrument's own mark of a lesson designed together.
- **Feedback round**: a feedback round opened in the period that at least one pupil
  answered (only whether an answer exists is read, never what it says).

A period is [start, end) as aware instants; `leerkracht.clock.period_bounds` makes them from Amsterdam dates.
Every model read here is tenant-owned: the caller's scope must cover the schools asked for.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from instruments.models import (
    VISIT_DID_NOT_HAPPEN,
    BoardKind,
    BoardSession,
    DesignStatus,
    FeedbackDeviceMark,
    FeedbackRound,
    LessonDesign,
    LessonDesignAuthor,
    LessonVisit,
    VisitStatus,
)
from leerkracht import clock
from leerkracht.access import Access
from leerkracht.roles import Capability, Reach
from schools.models import Team
from schools.selectors import TEACHER_ROLES, staff_rows, teams_and_teachers_by_school

DAYS_PER_WEEK = 7
DAYS_PER_MONTH = 365.25 / 12
DESIGNS_MADE = (DesignStatus.READY, DesignStatus.GIVEN, DesignStatus.EVALUATED)
VISIT_PARTICIPANTS = 2  # a visitor and a visited teacher (the model forbids one person as both)

# The rhythm targets of DESIGN.md §3. Feedback is "regularly": the programme names no
# number, so there is no target for it.
TARGET_BOARD_SESSIONS_PER_TEAM_PER_WEEK = 1.0
VISIT_EVERY_DAYS = 14  # every other week, as visitor or visited
TARGET_VISITS_PER_TEACHER_PER_MONTH = DAYS_PER_MONTH / VISIT_EVERY_DAYS
TARGET_DESIGNS_PER_TEACHER_PER_MONTH = 1.0

RHYTHM_WEEKS = 6  # the school page's window: long enough for "every other week" to show


# --- What counts: one queryset per instrument, for any number of schools -------------------------


def board_sessions_held(*, school_ids: Sequence[int], start: dt.datetime, end: dt.datetime) -> QuerySet[BoardSession]:
    """Closed sessions of team boards started in [start, end)."""
    return BoardSession.objects.filter(
        school_id__in=school_ids,
        board__kind=BoardKind.TEAM,
        closed_at__isnull=False,
        started_at__gte=start,
        started_at__lt=end,
    )


def lesson_visits_done(*, school_ids: Sequence[int], start: dt.datetime, end: dt.datetime) -> QuerySet[LessonVisit]:
    """Visits that began in [start, end) and before now, and were neither cancelled nor marked
    not held."""
    # A visit that has not started yet has not happened, whatever the period says.
    return LessonVisit.objects.filter(
        school_id__in=school_ids, starts_at__gte=start, starts_at__lt=min(end, timezone.now())
    ).exclude(status__in=VISIT_DID_NOT_HAPPEN)


def lesson_designs_made(*, school_ids: Sequence[int], start: dt.datetime, end: dt.datetime) -> QuerySet[LessonDesign]:
    """Designs created in [start, end) that reached "klaar" or beyond."""
    return LessonDesign.objects.filter(
        school_id__in=school_ids, status__in=DESIGNS_MADE, created_at__gte=start, created_at__lt=end
    )


def feedback_rounds_answered(
    *, school_ids: Sequence[int], start: dt.datetime, end: dt.datetime
) -> QuerySet[FeedbackRound]:
    """Rounds opened in [start, end) that at least one pupil answered. Read from the device marks:
    an answer may still wait sealed in the round's pool (services/feedback.py), but its mark is
    written when it is given."""
    answered = FeedbackDeviceMark.objects.filter(school_id=OuterRef("school_id"), round_id=OuterRef("pk"))
    return FeedbackRound.objects.filter(school_id__in=school_ids, opened_at__gte=start, opened_at__lt=end).filter(
        Exists(answered)
    )


# --- The school page: the rhythm per team ---------------------------------------------------------


def _rate(count: int, per: int, span: float) -> float | None:
    """`count` per one of `per` per unit of `span`; None when there is nobody to divide by."""
    if not per or span <= 0:
        return None
    return count / per / span


@dataclass(frozen=True)
class Rhythm:
    """What one team (or the whole school) recorded over `weeks` weeks. Visits count once for
    each participant who belongs here (visitor and visited), designs once for each author, as
    the per-teacher targets mean them."""

    name: str
    teams: int  # 1 for a team with members; for the school its teams with members
    teachers: int
    board_sessions: int
    visits: int  # visits done with at least one participant here
    visit_participations: int
    designs: int  # designs made with at least one author here
    design_authorships: int
    feedback_rounds: int
    weeks: int

    @property
    def months(self) -> float:
        return self.weeks * DAYS_PER_WEEK / DAYS_PER_MONTH

    @property
    def board_sessions_target(self) -> int:
        return round(TARGET_BOARD_SESSIONS_PER_TEAM_PER_WEEK * self.weeks * self.teams)

    @property
    def board_sessions_per_week(self) -> float | None:
        return _rate(self.board_sessions, self.teams, self.weeks)

    @property
    def board_sessions_on_target(self) -> bool:
        return bool(self.teams) and self.board_sessions >= self.board_sessions_target

    @property
    def visits_per_teacher(self) -> float | None:
        """Visits one teacher took part in over the period (as visitor or visited)."""
        return _rate(self.visit_participations, self.teachers, 1)

    @property
    def visits_target(self) -> float:
        """Per teacher over the period: one every other week."""
        return TARGET_VISITS_PER_TEACHER_PER_MONTH * self.months

    @property
    def visits_on_target(self) -> bool:
        per_teacher = self.visits_per_teacher
        return per_teacher is not None and per_teacher >= self.visits_target - 1e-9

    @property
    def designs_per_teacher(self) -> float | None:
        """Designs made that one teacher co-authored over the period."""
        return _rate(self.design_authorships, self.teachers, 1)

    @property
    def designs_target(self) -> float:
        """Per teacher over the period: roughly one a month."""
        return TARGET_DESIGNS_PER_TEACHER_PER_MONTH * self.months

    @property
    def designs_on_target(self) -> bool:
        per_teacher = self.designs_per_teacher
        return per_teacher is not None and per_teacher >= self.designs_target - 1e-9


@dataclass(frozen=True)
class SchoolRhythm:
    first_day: dt.date
    last_day: dt.date  # today
    weeks: int
    school: Rhythm
    teams: list[Rhythm]  # empty for a role that sees the school's numbers only
    shows_teams: bool


def school_rhythm(*, access: Access, school_id: int, weeks: int = RHYTHM_WEEKS) -> SchoolRhythm:
    """Per team of the school and for the whole school, what the instruments recorded in the last
    `weeks` weeks up to and including today (Amsterdam days), against the programme's rhythm.
    Seven whole weeks' worth of days, so a team that meets every Tuesday has held exactly
    `weeks` sessions whatever today is. Roles that see the school's teams get a row per team;
    the bestuurder its total only (the teams' work stays inside the school). Seven queries,
    whatever the number of teams."""
    today = timezone.localdate()
    since = today - dt.timedelta(weeks=weeks) + dt.timedelta(days=1)
    start, end = clock.period_bounds(since=since, until=today + dt.timedelta(days=1))
    ids = [school_id]
    shows_teams = access.team_reach(Capability.TEAM_VIEW, school_id) is Reach.NODE

    teams = list(Team.objects.filter(school_id=school_id).order_by("name", "pk").values_list("pk", "name"))
    members: dict[int, set[int]] = defaultdict(set)
    # The school's teachers (schools' rule, as the barometer asks them): the members of its teams
    # and its leraren and schoolcoaches, once each.
    in_teams, in_roles = staff_rows(school_id=school_id, roles=TEACHER_ROLES)
    for team_id, user_id in in_teams.values_list("team_id", "user_id"):
        members[team_id].add(user_id)
    teachers = set().union(*members.values()) | set(in_roles.values_list("user_id", flat=True).distinct())

    sessions = dict(
        board_sessions_held(school_ids=ids, start=start, end=end)
        .order_by()
        .values("board__team_id")
        .annotate(n=Count("pk"))
        .values_list("board__team_id", "n")
    )
    visits = list(lesson_visits_done(school_ids=ids, start=start, end=end).values_list("visitor_id", "visited_id"))
    authorships = list(
        LessonDesignAuthor.objects.filter(
            school_id=school_id, design__in=lesson_designs_made(school_ids=ids, start=start, end=end)
        ).values_list("design_id", "user_id")
    )
    rounds = list(feedback_rounds_answered(school_ids=ids, start=start, end=end).values_list("teacher_id", flat=True))

    def team_rhythm(name: str, *, people: set[int], session_count: int) -> Rhythm:
        """A team's figures: its members' part in what was read above, and its board's sessions."""
        taking_part = [sum(person in people for person in pair) for pair in visits]
        designs_here = {design for design, user in authorships if user in people}
        return Rhythm(
            name=name,
            teams=1 if people else 0,  # a team nobody is in cannot hold a session
            teachers=len(people),
            board_sessions=session_count,
            visits=sum(1 for n in taking_part if n),
            visit_participations=sum(taking_part),
            designs=len(designs_here),
            design_authorships=sum(1 for _, user in authorships if user in people),
            feedback_rounds=sum(1 for teacher in rounds if teacher in people),
            weeks=weeks,
        )

    rows = []
    if shows_teams:
        for team_id, name in teams:
            people = members.get(team_id, set())
            rows.append(team_rhythm(name, people=people, session_count=sessions.get(team_id, 0)))
    staffed = {team_id for team_id, _ in teams if members.get(team_id)}
    school = Rhythm(
        name="",
        teams=len(staffed),
        teachers=len(teachers),
        board_sessions=sum(sessions.values()),
        visits=len(visits),
        visit_participations=VISIT_PARTICIPANTS * len(visits),
        designs=len({design for design, _ in authorships}),
        design_authorships=len(authorships),
        feedback_rounds=len(rounds),
        weeks=weeks,
    )
    return SchoolRhythm(
        first_day=since,
        last_day=today,
        weeks=weeks,
        school=school,
        teams=rows,
        shows_teams=shows_teams,
    )


# --- Per school: what was recorded, for any number of schools ------------------------------------
#
# For a page or report that puts the instruments beside something else (the barometer's impact
# staircase beside what teachers report; later the coaches' dashboards). A period is [since, until)
# in Amsterdam dates (`clock.period_bounds`). Rates are in the units of the barometer's frequency
# question: board sessions per team per week, the rest per teacher per month. Each rate is how often
# *one teacher* took part, so it compares with one teacher's answer: a visit counts for its visitor
# and for the visited teacher, a design for each of its authors, a feedback round for the teacher
# who opened it. Teams are those with at least one active member; teachers are the school's
# teachers by `schools.selectors`' rule, the people a barometer wave asks.


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

    people = teams_and_teachers_by_school(school_ids=ids)
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
