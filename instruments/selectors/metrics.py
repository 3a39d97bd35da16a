"""The numbers of what the instruments recorded: board sessions held, lesson visits done, lesson
designs made and feedback rounds answered (STYLE.md: each app owns its entities' numbers).
The barometer reads these definitions for the implementation step of its impact staircase
(`barometer.selectors.implementation`); the school page shows them per team
(`school_rhythm`). Neither redefines what counts.

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

from django.db.models import Count, Exists, OuterRef, QuerySet
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
)
from leerkracht import clock
from leerkracht.access import Access
from leerkracht.roles import Capability, Reach, Role
from schools.models import SchoolMembership, Team, TeamMembership

DAYS_PER_WEEK = 7
DAYS_PER_MONTH = 365.25 / 12
DESIGNS_MADE = (DesignStatus.READY, DesignStatus.GIVEN, DesignStatus.EVALUATED)
VISIT_PARTICIPANTS = 2  # a visitor and a visited teacher (the model forbids one person as both)
TEACHER_ROLES = (Role.LERAAR, Role.SCHOOLCOACH)  # who teaches, besides the members of the teams

# The rhythm targets of DESIGN.md §3. Feedback is "regularly": the programme names no
# number, so there is no target for it.
TARGET_BOARD_SESSIONS_PER_TEAM_PER_WEEK = 1.0
TARGET_VISITS_PER_TEACHER_PER_MONTH = DAYS_PER_MONTH / 14  # every other week, as visitor or visited
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
    teams_of: dict[int, set[int]] = defaultdict(set)
    for team_id, user_id in TeamMembership.objects.filter(school_id=school_id, user__is_active=True).values_list(
        "team_id", "user_id"
    ):
        members[team_id].add(user_id)
        teams_of[user_id].add(team_id)
    # The school's teachers: the members of its teams and its leraren and schoolcoaches, once
    # each (the rule by which the barometer asks a school's teachers).
    teachers = set(teams_of) | set(
        SchoolMembership.objects.filter(school_id=school_id, role__in=TEACHER_ROLES, user__is_active=True)
        .values_list("user_id", flat=True)
        .distinct()
    )

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
