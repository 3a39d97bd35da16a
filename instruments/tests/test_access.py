"""Each question of access to the instruments is one rule: the queryset that lists what a user may
reach and the check of one object in hand agree, for every role, in the home and the foreign
school (instruments/access.py)."""

from __future__ import annotations

import pytest
from django.http import Http404

from instruments.access import (
    access_board_by_id,
    board_editable,
    lesson_visit_visible,
    readable_boards,
    visible_lesson_visits,
)
from instruments.models import BoardKind, ImprovementBoard, LessonVisit
from instruments.services import board as services
from instruments.tests.factories import member
from leerkracht.roles import Capability, Role
from schools.access import compute_access


def every_kind_of_board(world) -> None:
    """Besides the world's team boards: a class board of another team and an organisational board."""
    coach = world.users[Role.SCHOOLCOACH]
    services.board_create(
        school_id=world.home.pk,
        kind=BoardKind.CLASS,
        title="Groep 5",
        user=member(world.other_home_team),
        team=world.other_home_team,
    )
    services.board_create(school_id=world.home.pk, kind=BoardKind.ORGANISATIONAL, title="MT", user=coach)


@pytest.mark.parametrize("role", list(Role))
def test_a_board_in_hand_is_editable_exactly_when_it_can_be_fetched_for_editing(world, role):
    every_kind_of_board(world)
    access = compute_access(world.users[role])
    for school in (world.home, world.foreign):
        boards = ImprovementBoard.objects.filter(school=school)
        assert boards.exists()
        for board in boards:
            try:
                access_board_by_id(access, school_id=school.pk, board_id=board.pk, capability=Capability.TEAM_EDIT)
                fetched = True
            except Http404:
                fetched = False
            assert board_editable(access, board) is fetched, f"{role}: {board.kind} board of {school}"
            listed = readable_boards(access, school_id=school.pk, capability=Capability.TEAM_EDIT)
            assert listed.filter(pk=board.pk).exists() is fetched


@pytest.mark.parametrize("role", list(Role))
def test_a_visit_in_hand_is_visible_exactly_when_the_calendar_lists_it(world, role):
    access = compute_access(world.users[role])
    for school in (world.home, world.foreign):
        visits = list(LessonVisit.objects.filter(school=school))
        assert visits
        listed = set(visible_lesson_visits(access, school_id=school.pk).values_list("pk", flat=True))
        assert {visit.pk for visit in visits if lesson_visit_visible(access, visit)} == listed, f"{role} in {school}"
