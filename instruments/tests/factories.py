"""Builders for instruments/ tests. Boards and what is on them are made through the services, so
tests start from the same rows (history, revision, cycle) the product makes."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from instruments.models import Action, BoardKind, ImprovementBoard
from instruments.services import board as services
from leerkracht import clock
from schools.models import Team, User
from schools.services import team_membership_add
from schools.tests.factories import UserFactory


def member(team: Team, **fields) -> User:
    """A new teacher in `team` (and so in its school)."""
    return team_membership_add(user=UserFactory(**fields), team=team).user


def team_board(team: Team, *, user: User) -> ImprovementBoard:
    """The team's board, made from the template as when someone first opens it."""
    return services.team_board_get_or_create(team=team, user=user)


def class_board(team: Team, *, teacher: User, title: str = "Groep 5") -> ImprovementBoard:
    """A class board run by `teacher`, a member of `team`."""
    return services.board_create(school_id=team.school_id, kind=BoardKind.CLASS, title=title, user=teacher, team=team)


def started_weeks_ago(board: ImprovementBoard, count: int) -> ImprovementBoard:
    """Pretend the board was made `count` weeks ago (created_at is set on insert only)."""
    when = timezone.now() - dt.timedelta(weeks=count)
    ImprovementBoard.objects.filter(pk=board.pk).update(created_at=when)
    board.refresh_from_db()
    return board


def week(offset: int) -> dt.date:
    """The Monday `offset` weeks from this week (negative: in the past)."""
    return clock.this_week() + dt.timedelta(weeks=offset)


def action(board: ImprovementBoard, *, user: User, title: str = "Nakijkafspraken maken", **fields) -> Action:
    """An action on the board's open cycle."""
    return services.action_create(board=board, user=user, title=title, **fields)
