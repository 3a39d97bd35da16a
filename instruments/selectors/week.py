"""Reads of "Mijn week": what one person has to do this week in one school, from every instrument.

Each list is the acting person's own (actions they own, visits they take part in, designs they
co-author, rounds they opened, the boards of their own teams), read through the access rules of
the instruments (`instruments.access`), one query per list whatever their length. A visit is
shown as *that* it happens: never its notes, which this page does not read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from instruments.access import readable_boards
from instruments.models import (
    Action,
    ActionStatus,
    BoardKind,
    BoardSession,
    DesignStatus,
    FeedbackResponse,
    FeedbackRound,
    ImprovementBoard,
    LessonDesign,
    LessonVisit,
    PendingFeedback,
    VisitStatus,
)
from instruments.selectors.board import with_owner_names
from instruments.selectors.feedback import _count_of
from leerkracht import clock
from leerkracht.access import Access
from leerkracht.roles import Capability
from schools.models import Team
from schools.selectors import display_name_sql

# How far ahead "coming" visits reach: this week and the next, so a visit on Monday is seen in
# the week before.
VISITS_AHEAD_WEEKS = 2
# A week's list is short; a person with more than this many of one kind sees the first ones and
# the link to the instrument's own page, which lists them all.
LIST_LIMIT = 20


def day_label(day: dt.date) -> str:
    """ "dinsdag 8 december (week 50)": a day the Dutch way, with its week number."""
    return f"{date_format(day, 'l j F')} ({clock.week_label(clock.monday_of(day))})"


def moment_label(moment: dt.datetime) -> str:
    """ "dinsdag 8 december (week 50), 10:00" in Amsterdam."""
    local = clock.local(moment)
    return f"{day_label(local.date())}, {local:%H:%M}"


# --- Actions ----------------------------------------------------------------------------------


def my_actions(*, access: Access, school_id: int) -> list[Action]:
    """The acting person's actions in the school that are due this week or overdue and not done,
    on the open cycle of a board they may change (where moving them to done works), each with its
    board, its owners' names and `overdue`; the most overdue first."""
    week = clock.this_week()
    editable = readable_boards(access, school_id=school_id, capability=Capability.TEAM_EDIT)
    actions = list(
        with_owner_names(
            Action.objects.filter(
                school_id=school_id,
                board__in=editable.values("pk"),
                cycle__closed_at__isnull=True,
                ownerships__user_id=access.user_id,
                due_week__lte=week,
            )
            .exclude(status=ActionStatus.DONE)
            .select_related("board", "board__team")
        ).order_by("due_week", "board__title", "position", "id")[:LIST_LIMIT]
    )
    for action in actions:
        action.overdue = action.due_week < week
        action.due_label = clock.week_days_label(action.due_week)
    return actions


def my_action_get(*, access: Access, school_id: int, action_id: int) -> Action:
    """One of the acting person's own actions in the school, on a board they may change (what
    "Mijn week" moves to done); DoesNotExist for any other action (the view's 404)."""
    editable = readable_boards(access, school_id=school_id, capability=Capability.TEAM_EDIT)
    return Action.objects.select_related("board", "board__school", "board__team").get(
        pk=action_id, school_id=school_id, board__in=editable.values("pk"), ownerships__user_id=access.user_id
    )


# --- Board sessions of my teams ---------------------------------------------------------------


@dataclass
class TeamWeek:
    """One of my teams: its board (or none yet), whether this week's session was held, and when
    the next one is, on the weekday the team last met."""

    team: Team
    board_id: int | None
    held_on: dt.date | None  # this week's session was closed on this day
    running: bool  # this week's session is open now
    usual_day: str  # "dinsdag": the weekday of the last session ("" before the first)
    next_day: dt.date | None  # the next session on the team's usual day (None: see the state)
    state: str = field(default="")  # "held", "running", "due", "missed", "never", "no_board"

    @property
    def next_label(self) -> str:
        return day_label(self.next_day) if self.next_day else ""


def my_team_weeks(*, access: Access, school_id: int) -> list[TeamWeek]:
    """The acting person's teams in the school (not archived), each with its board's week (one
    query)."""
    week = clock.this_week()
    team_boards = ImprovementBoard.objects.filter(team=OuterRef("pk"), kind=BoardKind.TEAM)
    sessions = BoardSession.unscoped.filter(board__team=OuterRef("pk"), board__kind=BoardKind.TEAM)
    teams = (
        Team.objects.filter(school_id=school_id, pk__in=access.teams_by_school.get(school_id, ()))
        .filter(archived_at__isnull=True)
        .annotate(
            board_id=Subquery(team_boards.values("pk")[:1]),
            last_started_at=Subquery(sessions.order_by("-started_at").values("started_at")[:1]),
            closed_this_week=Subquery(
                sessions.filter(week=week, closed_at__isnull=False).order_by("-closed_at").values("closed_at")[:1]
            ),
            running=Exists(sessions.filter(week=week, closed_at__isnull=True)),
        )
        .order_by("name", "id")
    )
    return [_team_week(team, week) for team in teams]


def _team_week(team: Team, week: dt.date) -> TeamWeek:
    today = clock.today()
    last = clock.local(team.last_started_at).date() if team.last_started_at else None
    usual = date_format(last, "l") if last else ""
    held_on = clock.local(team.closed_this_week).date() if team.closed_this_week else None
    this_weeks_day = week + dt.timedelta(days=last.weekday()) if last else None
    next_day = None
    if team.board_id is None:
        state = "no_board"
    elif held_on:
        state, next_day = "held", this_weeks_day + dt.timedelta(weeks=1)
    elif team.running:
        state = "running"
    elif last is None:
        state = "never"
    elif this_weeks_day >= today:
        state, next_day = "due", this_weeks_day
    else:
        # The usual day has passed without a session this week: still to be held, say so.
        state = "missed"
    return TeamWeek(
        team=team,
        board_id=team.board_id,
        held_on=held_on,
        running=team.running,
        usual_day=usual,
        next_day=next_day,
        state=state,
    )


# --- Lesson visits ----------------------------------------------------------------------------


@dataclass
class MyVisits:
    coming: list[LessonVisit]  # planned, not yet begun, this week or the next
    to_confirm: list[LessonVisit]  # planned and begun: say whether it took place
    debriefs: list[LessonVisit]  # took place, no debrief yet

    @property
    def empty(self) -> bool:
        return not (self.coming or self.to_confirm or self.debriefs)


def my_visits(*, access: Access, school_id: int) -> MyVisits:
    """The acting person's lesson visits in the school (as visitor or visited) that ask something
    of them this week: coming, to confirm, or with a debrief to write (one query). That and when,
    with whom: never what was observed."""
    now = timezone.now()
    until = clock.day_start(clock.this_week() + dt.timedelta(weeks=VISITS_AHEAD_WEEKS))
    visits = list(
        _my_visit_rows(access=access, school_id=school_id)
        .filter(
            Q(status=VisitStatus.PLANNED, starts_at__lt=until) | Q(status=VisitStatus.HELD, debriefed_at__isnull=True)
        )
        .select_related("group")
        .annotate(visitor_name=display_name_sql("visitor"), visited_name=display_name_sql("visited"))
        .order_by("starts_at", "id")
    )
    for visit in visits:
        visit.i_visit = visit.visitor_id == access.user_id
        visit.other_name = visit.visited_name if visit.i_visit else visit.visitor_name
        visit.when_label = moment_label(visit.starts_at)
    coming = [v for v in visits if v.status == VisitStatus.PLANNED and v.starts_at > now]
    to_confirm = [v for v in visits if v.status == VisitStatus.PLANNED and v.starts_at <= now]
    debriefs = [v for v in visits if v.status == VisitStatus.HELD]
    return MyVisits(coming=coming[:LIST_LIMIT], to_confirm=to_confirm[:LIST_LIMIT], debriefs=debriefs[:LIST_LIMIT])


def _my_visit_rows(*, access: Access, school_id: int) -> QuerySet[LessonVisit]:
    if access.user_id is None:
        return LessonVisit.objects.none()
    return LessonVisit.objects.filter(school_id=school_id).filter(
        Q(visitor_id=access.user_id) | Q(visited_id=access.user_id)
    )


def my_visit_get(*, access: Access, school_id: int, visit_id: int) -> LessonVisit:
    """A lesson visit of the school the acting person takes part in (visitor or visited): what
    "Mijn week" marks as held; DoesNotExist for any other visit (the view's 404)."""
    return _my_visit_rows(access=access, school_id=school_id).get(pk=visit_id)


# --- Lesson designs ---------------------------------------------------------------------------


def my_designs(*, access: Access, school_id: int) -> list[LessonDesign]:
    """The lesson designs the acting person co-authors in the school that are not evaluated yet,
    each with its next step (`next_step_label`, `next_step_url`); the soonest planned first."""
    designs = list(
        LessonDesign.objects.filter(school_id=school_id, authorships__user_id=access.user_id)
        .exclude(status=DesignStatus.EVALUATED)
        .select_related("group", "team")
        .order_by(F("planned_on").asc(nulls_last=True), "id")[:LIST_LIMIT]
    )
    for design in designs:
        kwargs = {"school_id": school_id, "design_id": design.pk}
        detail = reverse("instruments:lesson_design_detail", kwargs=kwargs)
        if design.status == DesignStatus.DRAFT:
            design.next_step_label = _("Maak het ontwerp samen af en zet het op ‘klaar’")
            design.next_step_url = reverse("instruments:lesson_design_edit", kwargs=kwargs)
        elif design.status == DesignStatus.READY:
            design.next_step_label = (
                _("Geef de les op %(day)s") % {"day": day_label(design.planned_on)}
                if design.planned_on
                else _("Geef de les en zet het daarna op ‘gegeven’")
            )
            design.next_step_url = detail
        else:
            design.next_step_label = _("Evalueer samen: bereikten de leerlingen het lesdoel?")
            design.next_step_url = reverse("instruments:lesson_design_evaluate", kwargs=kwargs)
        design.detail_url = detail
    return designs


# --- Feedback rounds --------------------------------------------------------------------------


def my_open_rounds(*, access: Access, school_id: int) -> list[FeedbackRound]:
    """The acting teacher's feedback rounds in the school that are open now, each with its number
    of answers (a count only: what pupils answered is read on the round's own page)."""
    now = timezone.now()
    rounds = list(
        FeedbackRound.objects.filter(
            school_id=school_id, teacher_id=access.user_id, closed_at__isnull=True, closes_at__gt=now
        )
        .select_related("group")
        .annotate(
            response_count=_count_of(FeedbackResponse, round=OuterRef("pk")),
            pending_count=_count_of(PendingFeedback, round=OuterRef("pk")),
        )
        .order_by("closes_at", "id")[:LIST_LIMIT]
    )
    for feedback_round in rounds:
        feedback_round.closes_label = moment_label(feedback_round.closes_at)
    return rounds
