"""The board services: each rule, each refusal, optimistic concurrency, the history record,
board sessions and their rhythm, and closing a goal cycle."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from instruments.models import (
    Action,
    ActionStatus,
    Attendance,
    BoardEvent,
    BoardKind,
    BoardSession,
    Entity,
    Goal,
    GoalCycle,
    GoalStatus,
    ImprovementBoard,
    Measurement,
    Mood,
    Obstacle,
    ObstacleStatus,
    Success,
    Theme,
    Verb,
)
from instruments.selectors import board as selectors
from instruments.services import board as services
from instruments.tests.factories import action, class_board, member, started_weeks_ago, team_board, week
from leerkracht import clock
from leerkracht.conflicts import EditConflict
from leerkracht.roles import Role
from schools.tests.factories import TeamFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(world):
    """A team of the home school of our own: the world's teams may carry boards of their own."""
    return TeamFactory(school=world.home, name="Team C")


@pytest.fixture
def teacher(team):
    """A teacher of the team."""
    return member(team)


@pytest.fixture
def board(team, teacher):
    """The team's board, made by its teacher."""
    return team_board(team, user=teacher)


@pytest.fixture
def colleague(team):
    """A second member of the team."""
    return member(team)


@pytest.fixture
def outsider(world):
    """The schoolcoach: a member of the other home team, not of the team."""
    return world.users[Role.SCHOOLCOACH]


def field_errors(excinfo) -> set[str]:
    return set(excinfo.value.message_dict)


def revision(board: ImprovementBoard) -> int:
    return ImprovementBoard.objects.get(pk=board.pk).revision


def changes(board: ImprovementBoard, entity: Entity, entity_id: int, verb: Verb = Verb.CHANGED) -> dict:
    """The recorded changes of one card, by field: (old, new, user_id). Fails when a field was
    recorded twice, so a test never reads one of several changes by accident."""
    rows = list(BoardEvent.objects.filter(board=board, entity=entity, entity_id=entity_id, verb=verb))
    by_field = {e.field: (e.old, e.new, e.user_id) for e in rows}
    assert len(by_field) == len(rows), "a field was recorded more than once"
    return by_field


# --- Boards -----------------------------------------------------------------------------------


def test_board_create_makes_the_board_with_cycle_one_starting_this_week_and_records_both(world, team, teacher):
    """A new team board has one open cycle, number 1, starting this week; the board and the cycle
    each get a 'created' event by the maker, and the revision counts both."""
    board = services.board_create(
        school_id=world.home.pk, kind=BoardKind.TEAM, title="  Bord team A  ", user=teacher, team=team
    )
    board.refresh_from_db()
    assert (board.title, board.team, board.kind, board.owner) == ("Bord team A", team, BoardKind.TEAM, None)
    cycle = GoalCycle.objects.get(board=board)
    assert (cycle.number, cycle.starts_on, cycle.weeks, cycle.is_open) == (1, clock.this_week(), 6, True)
    events = set(BoardEvent.objects.filter(board=board).values_list("entity", "entity_id", "verb", "user_id"))
    assert events == {
        (Entity.BOARD, board.pk, Verb.CREATED, teacher.pk),
        (Entity.CYCLE, cycle.pk, Verb.CREATED, teacher.pk),
    }
    assert board.revision == 2


def test_board_create_refuses_a_second_team_board_for_the_same_team(world, team, board, teacher):
    """A team has one team board: a second board_create for it raises and makes nothing."""
    with pytest.raises(ValidationError):
        services.board_create(school_id=world.home.pk, kind=BoardKind.TEAM, title="Nog een", user=teacher, team=team)
    assert ImprovementBoard.objects.filter(team=team).count() == 1


def test_board_create_refuses_an_empty_title(world, team, teacher):
    """A title of only spaces is refused on the "title" field and no board is made."""
    with pytest.raises(ValidationError) as excinfo:
        services.board_create(school_id=world.home.pk, kind=BoardKind.TEAM, title="   ", user=teacher, team=team)
    assert field_errors(excinfo) == {"title"}
    assert not ImprovementBoard.objects.filter(team=team).exists()


def test_board_create_refuses_a_team_of_another_school(world, teacher):
    """A board of school A cannot hang on a team of school B."""
    foreign_team = world.teams[world.foreign.pk][0]
    before = ImprovementBoard.objects.count()
    with pytest.raises(ValidationError):
        services.board_create(
            school_id=world.home.pk, kind=BoardKind.TEAM, title="Bord", user=teacher, team=foreign_team
        )
    assert ImprovementBoard.objects.count() == before


def test_board_create_refuses_a_team_board_without_a_team(world, team, teacher):
    """Team and class boards need a team; only an organisational board stands without one."""
    before = ImprovementBoard.objects.count()
    with pytest.raises(ValidationError):
        services.board_create(school_id=world.home.pk, kind=BoardKind.CLASS, title="Groep 5", user=teacher)
    board = services.board_create(
        school_id=world.home.pk, kind=BoardKind.ORGANISATIONAL, title="MT-bord", user=teacher, team=team
    )
    assert board.team is None
    assert ImprovementBoard.objects.count() == before + 1


def test_board_create_class_board_is_owned_by_its_teacher(team, teacher):
    """A class board's owner is the teacher who made it (a team board has no owner)."""
    board = class_board(team, teacher=teacher)
    assert (board.kind, board.owner, board.team) == (BoardKind.CLASS, teacher, team)


def test_team_board_get_or_create_is_idempotent(team, teacher, colleague):
    """Opening the team board twice, by two people, gives the same board and one cycle."""
    first = team_board(team, user=teacher)
    second = team_board(team, user=colleague)
    assert first.pk == second.pk
    assert ImprovementBoard.objects.filter(team=team).count() == 1
    assert GoalCycle.objects.filter(board=first).count() == 1
    assert first.title == team.name


# --- Goals and measurements -------------------------------------------------------------------


def test_goal_create_puts_the_goal_in_the_open_cycle_and_records_each_filled_step(board, teacher):
    """goal_create places the goal in the open cycle and writes one 'created' event per filled
    field, with the value as people read it; empty steps are not recorded."""
    goal = services.goal_create(
        board=board, user=teacher, big_goal=" Beter lezen ", measure_what="AVI-niveau", target=Decimal("7.50")
    )
    assert goal.cycle == services.open_cycle(board)
    assert goal.big_goal == "Beter lezen"
    recorded = changes(board, Entity.GOAL, goal.pk, Verb.CREATED)
    assert recorded == {
        "big_goal": ("—", goal.big_goal, teacher.pk),
        "measure_what": ("—", "AVI-niveau", teacher.pk),
        "target": ("—", "7,5", teacher.pk),
        "status": ("—", "Loopt", teacher.pk),
    }


def test_goal_create_refuses_an_empty_big_goal(board, teacher):
    """Without a big goal nothing is made; the error is on "big_goal"."""
    with pytest.raises(ValidationError) as excinfo:
        services.goal_create(board=board, user=teacher, big_goal="  ", concrete="Iets")
    assert field_errors(excinfo) == {"big_goal"}
    assert not Goal.objects.filter(board=board).exists()


def test_goal_create_refuses_a_theme_of_another_school(world, board, teacher):
    """A goal's theme must be one of the board's school; another school's is refused on "theme"."""
    theme = Theme.objects.create(
        school=world.foreign,
        name="Rekenen",
        school_year=2026,
        starts_on=dt.date(2026, 8, 1),
        ends_on=dt.date(2027, 1, 31),
    )
    with pytest.raises(ValidationError) as excinfo:
        services.goal_create(board=board, user=teacher, big_goal="Beter rekenen", theme=theme)
    assert field_errors(excinfo) == {"theme"}
    assert not Goal.objects.filter(board=board).exists()


def test_goal_update_writes_the_changed_steps_and_bumps_the_version(board, teacher):
    """goal_update writes the fields that differ from base, raises the version by one and records
    old and new display values."""
    goal = services.goal_create(board=board, user=teacher, big_goal="Beter lezen")
    saved = services.goal_update(
        board=board,
        goal_id=goal.pk,
        user=teacher,
        version=goal.version,
        base={"big_goal": "Beter lezen", "concrete": "", "baseline": None},
        values={"big_goal": "Beter lezen", "concrete": "Groep 5 leest vlot", "baseline": Decimal("3")},
    )
    goal.refresh_from_db()
    assert (goal.concrete, goal.baseline, goal.version) == ("Groep 5 leest vlot", Decimal("3.00"), 2)
    assert saved.version == 2
    assert changes(board, Entity.GOAL, goal.pk) == {
        "concrete": ("—", "Groep 5 leest vlot", teacher.pk),
        "baseline": ("—", "3", teacher.pk),
    }


def test_goal_update_of_one_step_does_not_need_the_big_goal_in_the_form(board, teacher):
    """Marking a goal reached sends only the status; that is not refused for a missing big goal."""
    goal = services.goal_create(board=board, user=teacher, big_goal="Beter lezen")
    services.goal_update(
        board=board,
        goal_id=goal.pk,
        user=teacher,
        version=goal.version,
        base={"status": GoalStatus.ACTIVE},
        values={"status": GoalStatus.REACHED},
    )
    goal.refresh_from_db()
    assert (goal.status, goal.big_goal) == (GoalStatus.REACHED, "Beter lezen")


def test_goal_update_refuses_emptying_the_big_goal(board, teacher):
    """Clearing the big goal is refused on "big_goal" and nothing is written."""
    goal = services.goal_create(board=board, user=teacher, big_goal="Beter lezen")
    with pytest.raises(ValidationError) as excinfo:
        services.goal_update(
            board=board,
            goal_id=goal.pk,
            user=teacher,
            version=goal.version,
            base={"big_goal": "Beter lezen", "unit": ""},
            values={"big_goal": " ", "unit": "%"},
        )
    assert field_errors(excinfo) == {"big_goal"}
    goal.refresh_from_db()
    assert (goal.big_goal, goal.unit, goal.version) == ("Beter lezen", "", 1)


def test_measurement_add_stores_the_value_for_the_weeks_monday_and_records_it(board, teacher):
    """A measurement on any day of a week is stored for that week's Monday and recorded in the
    goal's history with the unit."""
    goal = services.goal_create(board=board, user=teacher, big_goal="Beter lezen", unit="%")
    wednesday = week(-1) + dt.timedelta(days=2)
    measurement = services.measurement_add(board=board, goal=goal, user=teacher, week=wednesday, value=Decimal("62.5"))
    assert (measurement.week, measurement.value, measurement.school_id) == (week(-1), Decimal("62.5"), board.school_id)
    event = BoardEvent.objects.get(board=board, entity=Entity.MEASUREMENT, entity_id=goal.pk)
    assert (event.new, event.user_id) == ("62,5 %", teacher.pk)


def test_measurement_add_refuses_a_future_week(board, teacher):
    """A measurement for next week is refused on "week"."""
    goal = services.goal_create(board=board, user=teacher, big_goal="Beter lezen")
    with pytest.raises(ValidationError) as excinfo:
        services.measurement_add(board=board, goal=goal, user=teacher, week=week(1), value=Decimal("1"))
    assert field_errors(excinfo) == {"week"}
    assert not Measurement.objects.filter(goal=goal).exists()


def test_measurement_add_refuses_a_second_measurement_for_the_same_week(board, teacher, colleague):
    """A second value for a week already measured is refused on "week"; the first stays."""
    goal = services.goal_create(board=board, user=teacher, big_goal="Beter lezen")
    services.measurement_add(board=board, goal=goal, user=teacher, week=week(0), value=Decimal("10"))
    with pytest.raises(ValidationError) as excinfo:
        services.measurement_add(board=board, goal=goal, user=colleague, week=week(0), value=Decimal("20"))
    assert field_errors(excinfo) == {"week"}
    assert list(Measurement.objects.filter(goal=goal).values_list("value", flat=True)) == [Decimal("10")]


def test_measurement_add_refuses_a_goal_of_another_board(world, board, teacher, outsider):
    """A goal of another board cannot be measured through this board."""
    other = team_board(world.other_home_team, user=outsider)
    goal = services.goal_create(board=other, user=outsider, big_goal="Rust in de klas")
    with pytest.raises(ValidationError):
        services.measurement_add(board=board, goal=goal, user=teacher, week=week(0), value=Decimal("1"))
    assert not Measurement.objects.filter(goal=goal).exists()


# --- Actions ----------------------------------------------------------------------------------


def test_action_create_stores_what_who_when_and_records_it(board, teacher, colleague):
    """action_create puts the action in the open cycle with its owners, week and goal, and records
    each filled field as display text."""
    goal = services.goal_create(board=board, user=teacher, big_goal="Beter lezen")
    made = action(board, user=teacher, title=" Leesrooster maken ", owners=[colleague], due_week=week(2), goal=goal)
    made.refresh_from_db()
    assert (made.title, made.cycle, made.goal, made.due_week, made.status) == (
        "Leesrooster maken",
        services.open_cycle(board),
        goal,
        week(2),
        ActionStatus.TODO,
    )
    assert set(made.owners.all()) == {colleague}
    assert made.done_at is None
    assert changes(board, Entity.ACTION, made.pk, Verb.CREATED) == {
        "title": ("—", "Leesrooster maken", teacher.pk),
        "owners": ("—", f"#{colleague.pk}", teacher.pk),  # by reference: named when read
        "due_week": ("—", clock.week_label(week(2)), teacher.pk),
        "status": ("—", "Te doen", teacher.pk),
        "goal": ("—", "Beter lezen", teacher.pk),
    }


def test_action_create_as_done_sets_done_at(board, teacher):
    """An action entered as done carries the moment it was done."""
    made = action(board, user=teacher, status=ActionStatus.DONE)
    assert made.done_at is not None


def test_action_create_refuses_an_empty_title(board, teacher):
    """An action without a what is refused on "title"."""
    with pytest.raises(ValidationError) as excinfo:
        action(board, user=teacher, title="  ")
    assert field_errors(excinfo) == {"title"}
    assert not Action.objects.filter(board=board).exists()


def test_action_create_refuses_an_owner_outside_the_team(board, teacher, outsider):
    """Someone of another team cannot own the action: the error is on "owners"."""
    with pytest.raises(ValidationError) as excinfo:
        action(board, user=teacher, owners=[teacher, outsider])
    assert field_errors(excinfo) == {"owners"}
    assert not Action.objects.filter(board=board).exists()


@pytest.mark.parametrize("offset", [-1, 6])
def test_action_create_refuses_a_due_week_outside_the_open_cycle(board, teacher, offset):
    """The cycle runs this week and the five after it; a due week before or after is refused on
    "due_week" (the cycle's last week itself is accepted)."""
    with pytest.raises(ValidationError) as excinfo:
        action(board, user=teacher, due_week=week(offset))
    assert field_errors(excinfo) == {"due_week"}
    assert action(board, user=teacher, due_week=week(5)).due_week == week(5)


def test_action_create_refuses_a_goal_of_another_board(world, board, teacher, outsider):
    """An action cannot point at another board's goal: the error is on "goal"."""
    other = team_board(world.other_home_team, user=outsider)
    foreign_goal = services.goal_create(board=other, user=outsider, big_goal="Rust in de klas")
    with pytest.raises(ValidationError) as excinfo:
        action(board, user=teacher, goal=foreign_goal)
    assert field_errors(excinfo) == {"goal"}
    assert not Action.objects.filter(board=board).exists()


def test_action_create_reports_every_bad_field_at_once(world, board, outsider, teacher):
    """All refusals come together, one key per field, so a form can show them all."""
    other = team_board(world.other_home_team, user=outsider)
    foreign_goal = services.goal_create(board=other, user=outsider, big_goal="Rust in de klas")
    with pytest.raises(ValidationError) as excinfo:
        action(board, user=teacher, title="", owners=[outsider], due_week=week(9), goal=foreign_goal)
    assert field_errors(excinfo) == {"title", "owners", "due_week", "goal"}


def test_action_update_changes_owners_week_and_goal(board, teacher, colleague):
    """action_update writes new owners, due week and goal and records each with old and new."""
    goal = services.goal_create(board=board, user=teacher, big_goal="Beter lezen")
    made = action(board, user=teacher, owners=[teacher])
    services.action_update(
        board=board,
        action_id=made.pk,
        user=colleague,
        version=made.version,
        base={"owners": {teacher}, "due_week": None, "goal": None},
        values={"owners": {teacher, colleague}, "due_week": week(3), "goal": goal},
    )
    made.refresh_from_db()
    assert set(made.owners.all()) == {teacher, colleague}
    assert (made.due_week, made.goal, made.version) == (week(3), goal, 2)
    recorded = changes(board, Entity.ACTION, made.pk)
    assert recorded["owners"] == (
        f"#{teacher.pk}",
        ",".join(f"#{pk}" for pk in sorted([teacher.pk, colleague.pk])),
        colleague.pk,
    )
    assert recorded["due_week"] == ("—", clock.week_label(week(3)), colleague.pk)
    assert recorded["goal"] == ("—", "Beter lezen", colleague.pk)


@pytest.mark.parametrize(
    ("field", "bad"),
    [("title", "blank"), ("owners", "outsider"), ("due_week", "next_cycle"), ("goal", "foreign_goal")],
)
def test_action_update_refuses_bad_input_on_its_field(world, board, teacher, outsider, field, bad):
    """Each bad value is refused on its own field and nothing of the edit is written."""
    other = team_board(world.other_home_team, user=outsider)
    bad_values = {
        "blank": " ",
        "outsider": {outsider},
        "next_cycle": week(7),
        "foreign_goal": services.goal_create(board=other, user=outsider, big_goal="Rust in de klas"),
    }
    made = action(board, user=teacher)
    base = {"title": made.title, "owners": set(), "due_week": None, "goal": None}
    with pytest.raises(ValidationError) as excinfo:
        services.action_update(
            board=board,
            action_id=made.pk,
            user=teacher,
            version=made.version,
            base=base,
            values={**base, field: bad_values[bad]},
        )
    assert field_errors(excinfo) == {field}
    made.refresh_from_db()
    assert (made.title, made.due_week, made.goal, made.version) == ("Nakijkafspraken maken", None, None, 1)
    assert not made.owners.exists()


def test_action_move_to_done_sets_done_at_and_back_clears_it(board, teacher):
    """Moving to done stamps done_at; moving back to doing clears it; each move is recorded."""
    made = action(board, user=teacher)
    moved = services.action_move(board=board, action_id=made.pk, user=teacher, status=ActionStatus.DONE, version=1)
    assert (moved.status, moved.version) == (ActionStatus.DONE, 2)
    assert moved.done_at is not None
    back = services.action_move(board=board, action_id=made.pk, user=teacher, status=ActionStatus.DOING, version=2)
    back.refresh_from_db()
    assert (back.status, back.done_at) == (ActionStatus.DOING, None)
    statuses = BoardEvent.objects.filter(entity=Entity.ACTION, entity_id=made.pk, verb=Verb.CHANGED, field="status")
    assert sorted(statuses.values_list("old", "new")) == [("Klaar", "Bezig"), ("Te doen", "Klaar")]


def test_action_move_refuses_an_unknown_status(board, teacher):
    """A status that is not to do / doing / done is refused on "status"."""
    made = action(board, user=teacher)
    with pytest.raises(ValidationError) as excinfo:
        services.action_move(board=board, action_id=made.pk, user=teacher, status="archived", version=1)
    assert field_errors(excinfo) == {"status"}
    made.refresh_from_db()
    assert made.status == ActionStatus.TODO


def test_action_move_never_conflicts_with_a_colleagues_text_edit(board, teacher, colleague):
    """A move from a stale version after a colleague changed the title goes through and keeps the
    colleague's title."""
    made = action(board, user=teacher)
    services.action_update(
        board=board, action_id=made.pk, user=colleague, version=1, base={"title": made.title}, values={"title": "Nieuw"}
    )
    services.action_move(board=board, action_id=made.pk, user=teacher, status=ActionStatus.DOING, version=1)
    made.refresh_from_db()
    assert (made.title, made.status, made.version) == ("Nieuw", ActionStatus.DOING, 3)


def test_action_move_of_another_boards_action_is_not_found(world, board, teacher, outsider):
    """An action id of another board is not found through this board."""
    other = team_board(world.other_home_team, user=outsider)
    foreign = action(other, user=outsider)
    with pytest.raises(Action.DoesNotExist):
        services.action_move(board=board, action_id=foreign.pk, user=teacher, status=ActionStatus.DONE, version=1)
    foreign.refresh_from_db()
    assert foreign.status == ActionStatus.TODO


# --- Obstacles and successes ------------------------------------------------------------------


def test_obstacle_create_parks_it_and_records_it(board, teacher):
    """A new knelpunt is parked, stripped, and recorded by its maker."""
    obstacle = services.obstacle_create(board=board, user=teacher, title=" Geen tijd ", description="Na 15 uur")
    assert (obstacle.title, obstacle.description, obstacle.status) == ("Geen tijd", "Na 15 uur", ObstacleStatus.PARKED)
    assert changes(board, Entity.OBSTACLE, obstacle.pk, Verb.CREATED) == {
        "title": ("—", "Geen tijd", teacher.pk),
        "description": ("—", "Na 15 uur", teacher.pk),
    }


def test_obstacle_create_refuses_an_empty_title(board, teacher):
    """A knelpunt without text is refused on "title"."""
    with pytest.raises(ValidationError) as excinfo:
        services.obstacle_create(board=board, user=teacher, title=" ")
    assert field_errors(excinfo) == {"title"}
    assert not Obstacle.objects.filter(board=board).exists()


def test_obstacle_update_changes_the_text(board, teacher):
    """obstacle_update writes the changed description and records it."""
    obstacle = services.obstacle_create(board=board, user=teacher, title="Geen tijd")
    services.obstacle_update(
        board=board,
        obstacle_id=obstacle.pk,
        user=teacher,
        version=1,
        base={"description": ""},
        values={"description": "Vergaderingen lopen uit"},
    )
    obstacle.refresh_from_db()
    assert (obstacle.description, obstacle.version) == ("Vergaderingen lopen uit", 2)
    assert changes(board, Entity.OBSTACLE, obstacle.pk) == {"description": ("—", "Vergaderingen lopen uit", teacher.pk)}


def test_obstacle_update_refuses_an_empty_title(board, teacher):
    """Clearing a knelpunt's title is refused on "title"."""
    obstacle = services.obstacle_create(board=board, user=teacher, title="Geen tijd")
    with pytest.raises(ValidationError) as excinfo:
        services.obstacle_update(
            board=board,
            obstacle_id=obstacle.pk,
            user=teacher,
            version=1,
            base={"title": "Geen tijd"},
            values={"title": ""},
        )
    assert field_errors(excinfo) == {"title"}
    obstacle.refresh_from_db()
    assert obstacle.title == "Geen tijd"


def test_obstacle_resolve_marks_it_resolved_with_how(board, teacher):
    """Resolving stores status, resolution and resolved_at."""
    obstacle = services.obstacle_create(board=board, user=teacher, title="Geen tijd")
    services.obstacle_resolve(board=board, obstacle_id=obstacle.pk, user=teacher, version=1, resolution=" Rooster om ")
    obstacle.refresh_from_db()
    assert (obstacle.status, obstacle.resolution) == (ObstacleStatus.RESOLVED, "Rooster om")
    assert obstacle.resolved_at is not None
    assert changes(board, Entity.OBSTACLE, obstacle.pk)["status"] == ("Geparkeerd", "Opgelost", teacher.pk)


def test_obstacle_resolve_refuses_an_empty_resolution(board, teacher):
    """Resolving without saying how is refused on "resolution"; the knelpunt stays parked."""
    obstacle = services.obstacle_create(board=board, user=teacher, title="Geen tijd")
    with pytest.raises(ValidationError) as excinfo:
        services.obstacle_resolve(board=board, obstacle_id=obstacle.pk, user=teacher, version=1, resolution="  ")
    assert field_errors(excinfo) == {"resolution"}
    obstacle.refresh_from_db()
    assert (obstacle.status, obstacle.resolved_at) == (ObstacleStatus.PARKED, None)


def test_obstacle_to_action_makes_the_action_and_resolves_the_knelpunt(board, teacher, colleague):
    """The action carries the knelpunt's text and owners; the knelpunt is resolved, linked to it."""
    obstacle = services.obstacle_create(board=board, user=teacher, title="Kopieerapparaat stuk")
    made = services.obstacle_to_action(
        board=board, obstacle_id=obstacle.pk, user=teacher, owners=[colleague], due_week=week(1)
    )
    obstacle.refresh_from_db()
    assert (made.title, made.due_week, made.cycle) == ("Kopieerapparaat stuk", week(1), services.open_cycle(board))
    assert set(made.owners.all()) == {colleague}
    assert (obstacle.status, obstacle.action, obstacle.version) == (ObstacleStatus.RESOLVED, made, 2)
    assert obstacle.resolved_at is not None
    assert changes(board, Entity.OBSTACLE, obstacle.pk)["status"] == ("Geparkeerd", "Actie geworden", teacher.pk)


def test_obstacle_to_action_refuses_a_resolved_knelpunt(board, teacher):
    """A knelpunt already resolved does not become a(nother) action."""
    obstacle = services.obstacle_create(board=board, user=teacher, title="Geen tijd")
    services.obstacle_to_action(board=board, obstacle_id=obstacle.pk, user=teacher)
    with pytest.raises(ValidationError):
        services.obstacle_to_action(board=board, obstacle_id=obstacle.pk, user=teacher)
    assert Action.objects.filter(board=board).count() == 1


def test_success_create_defaults_to_today_and_records_it(board, teacher):
    """A success without a date happened today; what, who and when are recorded."""
    success = services.success_create(board=board, user=teacher, title=" Iedereen op tijd ", who="Groep 7")
    assert (success.title, success.who, success.happened_on) == ("Iedereen op tijd", "Groep 7", timezone.localdate())
    assert set(changes(board, Entity.SUCCESS, success.pk, Verb.CREATED)) == {"title", "who", "happened_on"}


def test_success_create_refuses_a_future_date(board, teacher):
    """A success of tomorrow is refused on "happened_on"."""
    with pytest.raises(ValidationError) as excinfo:
        services.success_create(
            board=board, user=teacher, title="Feest", happened_on=timezone.localdate() + dt.timedelta(days=1)
        )
    assert field_errors(excinfo) == {"happened_on"}
    assert not Success.objects.filter(board=board).exists()


def test_success_create_refuses_an_empty_title(board, teacher):
    """A success without a what is refused on "title"."""
    with pytest.raises(ValidationError) as excinfo:
        services.success_create(board=board, user=teacher, title="")
    assert field_errors(excinfo) == {"title"}


def test_success_update_changes_the_date(board, teacher):
    """success_update writes an earlier date and records it."""
    success = services.success_create(board=board, user=teacher, title="Feest")
    earlier = timezone.localdate() - dt.timedelta(days=3)
    services.success_update(
        board=board,
        success_id=success.pk,
        user=teacher,
        version=1,
        base={"happened_on": success.happened_on},
        values={"happened_on": earlier},
    )
    success.refresh_from_db()
    assert (success.happened_on, success.version) == (earlier, 2)
    assert changes(board, Entity.SUCCESS, success.pk)["happened_on"][2] == teacher.pk


@pytest.mark.parametrize(("field", "value"), [("title", "  "), ("happened_on", "day after tomorrow")])
def test_success_update_refuses_an_empty_title_or_a_future_date(board, teacher, field, value):
    """An emptied title or a date in the future is refused on its field; nothing is written."""
    if value == "day after tomorrow":
        value = timezone.localdate() + dt.timedelta(days=2)
    success = services.success_create(board=board, user=teacher, title="Feest")
    base = {"title": "Feest", "happened_on": success.happened_on}
    with pytest.raises(ValidationError) as excinfo:
        services.success_update(
            board=board, success_id=success.pk, user=teacher, version=1, base=base, values={**base, field: value}
        )
    assert field_errors(excinfo) == {field}
    success.refresh_from_db()
    assert (success.title, success.happened_on, success.version) == ("Feest", timezone.localdate(), 1)


# --- Optimistic concurrency -------------------------------------------------------------------


def test_edits_to_different_fields_from_the_same_version_both_survive(board, teacher, colleague):
    """Two people open version 1; one changes the title, the other the due week: both are kept."""
    made = action(board, user=teacher)
    base = {"title": made.title, "due_week": None}
    services.action_update(
        board=board, action_id=made.pk, user=teacher, version=1, base=base, values={**base, "title": "Van A"}
    )
    services.action_update(
        board=board, action_id=made.pk, user=colleague, version=1, base=base, values={**base, "due_week": week(2)}
    )
    made.refresh_from_db()
    assert (made.title, made.due_week, made.version) == ("Van A", week(2), 3)


def test_goal_edits_to_different_fields_from_the_same_version_both_survive(board, teacher, colleague):
    """Same rule for goals: one sets the concrete step, the other the target; both are kept."""
    goal = services.goal_create(board=board, user=teacher, big_goal="Beter lezen")
    base = {"big_goal": "Beter lezen", "concrete": "", "target": None}
    services.goal_update(
        board=board, goal_id=goal.pk, user=teacher, version=1, base=base, values={**base, "concrete": "Groep 5"}
    )
    services.goal_update(
        board=board, goal_id=goal.pk, user=colleague, version=1, base=base, values={**base, "target": Decimal("80")}
    )
    goal.refresh_from_db()
    assert (goal.big_goal, goal.concrete, goal.target, goal.version) == ("Beter lezen", "Groep 5", Decimal("80"), 3)


def test_same_field_different_values_raises_edit_conflict_and_writes_nothing(board, teacher, colleague):
    """The second saver of a different title gets EditConflict naming the title with their value,
    the saved value and the first saver's name (not the card's maker); their other change is not
    written either."""
    made = action(board, user=colleague)
    base = {"title": made.title, "due_week": None}
    services.action_update(
        board=board, action_id=made.pk, user=teacher, version=1, base=base, values={**base, "title": "Van A"}
    )
    events_before = BoardEvent.objects.filter(board=board).count()
    with pytest.raises(EditConflict) as excinfo:
        services.action_update(
            board=board,
            action_id=made.pk,
            user=colleague,
            version=1,
            base=base,
            values={"title": "Van B", "due_week": week(1)},
        )
    [conflict] = excinfo.value.fields
    assert (conflict.field, conflict.yours, conflict.theirs, conflict.by) == (
        "title",
        "Van B",
        "Van A",
        teacher.full_name,
    )
    assert excinfo.value.field("title").theirs == "Van A"
    made.refresh_from_db()
    assert (made.title, made.due_week, made.version) == ("Van A", None, 2)
    assert BoardEvent.objects.filter(board=board).count() == events_before
    assert not BoardEvent.objects.filter(user=colleague, verb=Verb.CHANGED).exists()


def test_goal_same_field_different_values_raises_edit_conflict(board, teacher, colleague):
    """goal_update follows the same rule: a different target saved in between is a conflict."""
    goal = services.goal_create(board=board, user=teacher, big_goal="Beter lezen")
    base = {"target": None}
    services.goal_update(board=board, goal_id=goal.pk, user=teacher, version=1, base=base, values={"target": 80})
    with pytest.raises(EditConflict) as excinfo:
        services.goal_update(board=board, goal_id=goal.pk, user=colleague, version=1, base=base, values={"target": 90})
    assert [(c.field, c.yours, c.theirs, c.by) for c in excinfo.value.fields] == [
        ("target", "90", "80", teacher.full_name)
    ]
    goal.refresh_from_db()
    assert (goal.target, goal.version) == (Decimal("80"), 2)


def test_same_field_same_value_is_no_conflict_and_no_second_change(board, teacher, colleague):
    """Two people typing the same title: the second save passes silently and writes nothing new."""
    made = action(board, user=teacher)
    base = {"title": made.title}
    services.action_update(
        board=board, action_id=made.pk, user=teacher, version=1, base=base, values={"title": "Zelfde"}
    )
    saved = services.action_update(
        board=board, action_id=made.pk, user=colleague, version=1, base=base, values={"title": " Zelfde "}
    )
    assert (saved.title, saved.version) == ("Zelfde", 2)
    assert list(
        BoardEvent.objects.filter(board=board, entity=Entity.ACTION, verb=Verb.CHANGED).values_list("user_id", "new")
    ) == [(teacher.pk, "Zelfde")]


def test_saving_again_after_a_conflict_with_the_new_version_wins(board, teacher, colleague):
    """After a conflict the second person saves from the current version and values: it is
    written and recorded as theirs."""
    made = action(board, user=teacher)
    base = {"title": made.title}
    services.action_update(
        board=board, action_id=made.pk, user=teacher, version=1, base=base, values={"title": "Van A"}
    )
    with pytest.raises(EditConflict) as excinfo:
        services.action_update(
            board=board, action_id=made.pk, user=colleague, version=1, base=base, values={"title": "Van B"}
        )
    conflict = excinfo.value
    services.action_update(
        board=board,
        action_id=made.pk,
        user=colleague,
        version=conflict.version,
        base={"title": conflict.field("title").theirs},
        values={"title": "Van B"},
    )
    made.refresh_from_db()
    assert (made.title, made.version) == ("Van B", 3)
    titles = BoardEvent.objects.filter(entity=Entity.ACTION, entity_id=made.pk, verb=Verb.CHANGED).order_by("id")
    assert list(titles.values_list("field", "old", "new", "user_id")) == [
        ("title", "Nakijkafspraken maken", "Van A", teacher.pk),
        ("title", "Van A", "Van B", colleague.pk),
    ]


def test_owners_chosen_differently_by_two_people_conflict(team, board, teacher, colleague):
    """Owners are compared as a set: a different set saved in between is a conflict naming both
    sets of names; the saved owners stay."""
    third = member(team)
    made = action(board, user=teacher)
    services.action_update(
        board=board, action_id=made.pk, user=teacher, version=1, base={"owners": set()}, values={"owners": {teacher}}
    )
    with pytest.raises(EditConflict) as excinfo:
        services.action_update(
            board=board,
            action_id=made.pk,
            user=colleague,
            version=1,
            base={"owners": set()},
            values={"owners": {colleague, third}},
        )
    [conflict] = excinfo.value.fields
    assert conflict.field == "owners"
    assert conflict.yours == ", ".join(sorted([colleague.full_name, third.full_name]))
    assert (conflict.theirs, conflict.by) == (teacher.full_name, teacher.full_name)
    assert set(Action.objects.get(pk=made.pk).owners.all()) == {teacher}


def test_owners_and_title_edited_by_two_people_both_survive(board, teacher, colleague):
    """One sets the owners, the other the title, from the same version: both are kept."""
    made = action(board, user=teacher)
    base = {"title": made.title, "owners": set()}
    services.action_update(
        board=board, action_id=made.pk, user=teacher, version=1, base=base, values={**base, "owners": [colleague]}
    )
    services.action_update(
        board=board, action_id=made.pk, user=colleague, version=1, base=base, values={**base, "title": "Van B"}
    )
    made.refresh_from_db()
    assert (made.title, set(made.owners.all()), made.version) == ("Van B", {colleague}, 3)


def test_owners_chosen_the_same_by_two_people_is_no_conflict(board, teacher, colleague):
    """The same set of owners in another order is the same choice: no conflict, one change."""
    made = action(board, user=teacher)
    services.action_update(
        board=board,
        action_id=made.pk,
        user=teacher,
        version=1,
        base={"owners": []},
        values={"owners": [teacher, colleague]},
    )
    services.action_update(
        board=board,
        action_id=made.pk,
        user=colleague,
        version=1,
        base={"owners": []},
        values={"owners": [colleague.pk, teacher.pk]},
    )
    made.refresh_from_db()
    assert (set(made.owners.all()), made.version) == ({teacher, colleague}, 2)


# --- History ----------------------------------------------------------------------------------


def test_every_change_is_recorded_with_field_old_new_and_user(board, teacher, colleague):
    """One edit of three fields writes three events, each with its label and display values."""
    made = action(board, user=teacher)
    services.action_update(
        board=board,
        action_id=made.pk,
        user=colleague,
        version=1,
        base={"status": ActionStatus.TODO, "due_week": None, "owners": set()},
        values={"status": ActionStatus.DONE, "due_week": week(1), "owners": {teacher}},
    )
    rows = BoardEvent.objects.filter(entity=Entity.ACTION, entity_id=made.pk, verb=Verb.CHANGED)
    assert {(e.field, e.field_label, e.old, e.new, e.user_id) for e in rows} == {
        ("status", "status", "Te doen", "Klaar", colleague.pk),
        ("due_week", "klaar in week", "—", clock.week_label(week(1)), colleague.pk),
        ("owners", "owners", "—", f"#{teacher.pk}", colleague.pk),
    }
    assert {e.school_id for e in rows} == {board.school_id}


def test_board_revision_rises_with_each_change_and_not_without_one(board, teacher):
    """Every recorded change bumps the revision by one; a save that changes nothing does not."""
    start = revision(board)
    goal = services.goal_create(board=board, user=teacher, big_goal="Beter lezen")
    assert revision(board) == start + 1
    made = action(board, user=teacher, goal=goal)
    assert revision(board) == start + 2
    services.action_move(board=board, action_id=made.pk, user=teacher, status=ActionStatus.DOING, version=1)
    assert revision(board) == start + 3
    services.action_update(
        board=board,
        action_id=made.pk,
        user=teacher,
        version=2,
        base={"title": made.title},
        values={"title": made.title},
    )
    assert revision(board) == start + 3
    services.measurement_add(board=board, goal=goal, user=teacher, week=week(0), value=Decimal("1"))
    assert revision(board) == start + 4


@pytest.mark.postgresql("the append-only trigger exists on PostgreSQL only")
def test_board_history_rows_cannot_be_updated_on_postgresql(board, teacher, colleague):
    """PostgreSQL refuses to change a recorded event, or to hand it to someone else."""
    event = BoardEvent.objects.filter(board=board).order_by("id").first()
    with pytest.raises(DatabaseError), transaction.atomic():
        BoardEvent.objects.filter(pk=event.pk).update(new="iets anders")
    with pytest.raises(DatabaseError), transaction.atomic():
        BoardEvent.objects.filter(pk=event.pk).update(user=colleague)
    event.refresh_from_db()
    assert (event.new, event.user_id) == ("", teacher.pk)


def test_board_history_user_alone_may_be_erased(board):
    """Setting only the user to NULL is allowed (the trigger's one exception)."""
    event = BoardEvent.objects.filter(board=board).order_by("id").first()
    BoardEvent.objects.filter(pk=event.pk).update(user=None)
    event.refresh_from_db()
    assert (event.user_id, event.entity, event.verb) == (None, Entity.BOARD, Verb.CREATED)


def test_deleting_a_person_keeps_their_changes_without_their_name(team, board):
    """When someone who made changes is deleted, their events stay, with user None."""
    leaving = member(team)
    made = action(board, user=leaving)
    services.action_move(board=board, action_id=made.pk, user=leaving, status=ActionStatus.DONE, version=1)
    ids = set(BoardEvent.objects.filter(user=leaving).values_list("pk", flat=True))
    assert len(ids) == 3  # title, status created; status changed
    leaving.delete()
    rows = BoardEvent.objects.filter(pk__in=ids)
    assert rows.count() == 3
    assert set(rows.values_list("user_id", flat=True)) == {None}
    assert Action.objects.get(pk=made.pk).created_by is None


# --- Board sessions ---------------------------------------------------------------------------


def test_session_start_gives_three_different_roles_rotating_by_one_per_session(team, board, teacher):
    """With three members lead, note taker and timekeeper are three people in name order; the next
    session moves each role one person on."""
    member(team)
    member(team)
    ordered = selectors.board_members(board=board)
    assert len(ordered) == 3
    first = services.session_start(board=board, user=teacher, week=week(-1))
    assert (first.lead, first.note_taker, first.timekeeper) == (ordered[0], ordered[1], ordered[2])
    services.session_close(board=board, session_id=first.pk, user=teacher)
    second = services.session_start(board=board, user=teacher)
    assert (second.week, second.cycle) == (week(0), services.open_cycle(board))
    assert (second.lead, second.note_taker, second.timekeeper) == (ordered[1], ordered[2], ordered[0])


def test_session_start_marks_the_starter_present_only_when_a_member(world, board, teacher):
    """A team member who starts the session is present; a schoolleider who starts one is not."""
    session = services.session_start(board=board, user=teacher, week=week(-1))
    assert set(Attendance.objects.filter(session=session).values_list("user_id", flat=True)) == {teacher.pk}
    other = services.session_start(board=board, user=world.users[Role.SCHOOLLEIDER])
    assert not Attendance.objects.filter(session=other).exists()


def test_session_start_refuses_a_future_week(board, teacher):
    """A session for next week cannot be started: the error is on "week"."""
    with pytest.raises(ValidationError) as excinfo:
        services.session_start(board=board, user=teacher, week=week(1))
    assert field_errors(excinfo) == {"week"}
    assert not BoardSession.objects.filter(board=board).exists()


def test_session_start_refuses_a_second_open_session_for_the_same_week(board, teacher, colleague):
    """While this week's session is open, a second start is refused on "week"; after closing it a
    new one may start."""
    first = services.session_start(board=board, user=teacher)
    with pytest.raises(ValidationError) as excinfo:
        services.session_start(board=board, user=colleague)
    assert field_errors(excinfo) == {"week"}
    services.session_close(board=board, session_id=first.pk, user=teacher)
    services.session_start(board=board, user=colleague)
    assert BoardSession.objects.filter(board=board, week=week(0)).count() == 2


def test_attendance_set_ticks_a_member_present_and_absent(board, teacher, colleague):
    """A member can be ticked present and unticked; the revision rises each time."""
    session = services.session_start(board=board, user=teacher)
    start = revision(board)
    services.attendance_set(board=board, session_id=session.pk, user=teacher, member_id=colleague.pk, present=True)
    assert selectors.session_check_in(session=session, user_id=None).present_ids == {teacher.pk, colleague.pk}
    services.attendance_set(board=board, session_id=session.pk, user=teacher, member_id=colleague.pk, present=False)
    assert selectors.session_check_in(session=session, user_id=None).present_ids == {teacher.pk}
    assert revision(board) == start + 2


def test_attendance_set_refuses_a_non_member(board, teacher, outsider):
    """Someone of another team cannot be ticked present."""
    session = services.session_start(board=board, user=teacher)
    with pytest.raises(ValidationError):
        services.attendance_set(board=board, session_id=session.pk, user=teacher, member_id=outsider.pk, present=True)
    assert not Attendance.objects.filter(session=session, user=outsider).exists()


def test_mood_check_in_keeps_one_mood_per_member_and_shows_only_counts(board, teacher, colleague, outsider):
    """Checking in again changes the member's own mood (one row); session_check_in gives counts
    per mood and each viewer only their own mood."""
    session = services.session_start(board=board, user=teacher)
    services.mood_check_in(board=board, session_id=session.pk, user=teacher, mood=Mood.GOOD)
    services.mood_check_in(board=board, session_id=session.pk, user=teacher, mood=Mood.TIRED)
    services.mood_check_in(board=board, session_id=session.pk, user=colleague, mood=Mood.GREAT)
    assert Attendance.objects.filter(session=session, user=teacher).count() == 1
    check_in = selectors.session_check_in(session=session, user_id=teacher.pk)
    expected_counts = {Mood.TIRED: 1, Mood.GREAT: 1}
    assert check_in.moods == [(value, str(label), expected_counts.get(value, 0)) for value, label in Mood.choices]
    assert (check_in.checked_in, check_in.my_mood) == (2, Mood.TIRED)
    assert selectors.session_check_in(session=session, user_id=colleague.pk).my_mood == Mood.GREAT
    assert selectors.session_check_in(session=session, user_id=outsider.pk).my_mood == ""
    assert selectors.session_check_in(session=session, user_id=None).my_mood == ""


def test_mood_check_in_refuses_a_mood_that_is_not_a_mood(board, teacher):
    """Only the five moods are accepted; anything else is refused on "mood"."""
    session = services.session_start(board=board, user=teacher)
    with pytest.raises(ValidationError) as excinfo:
        services.mood_check_in(board=board, session_id=session.pk, user=teacher, mood="euforisch")
    assert field_errors(excinfo) == {"mood"}
    assert Attendance.objects.get(session=session, user=teacher).mood == ""


def test_mood_check_in_refuses_a_non_member_on_a_team_board(board, teacher, outsider):
    """Someone of another team cannot check in on this team's session."""
    session = services.session_start(board=board, user=teacher)
    with pytest.raises(ValidationError):
        services.mood_check_in(board=board, session_id=session.pk, user=outsider, mood=Mood.GOOD)
    assert not Attendance.objects.filter(session=session, user=outsider).exists()


def test_class_board_takes_anonymous_pupil_moods_one_row_per_tap(team, teacher):
    """On a class board the teacher runs all three roles and each tap adds one mood without a
    user; the counts add up."""
    board = class_board(team, teacher=teacher)
    session = services.session_start(board=board, user=teacher)
    assert (session.lead, session.note_taker, session.timekeeper) == (teacher, teacher, teacher)
    for mood in (Mood.GREAT, Mood.GREAT, Mood.LOW):
        services.mood_check_in(board=board, session_id=session.pk, user=teacher, mood=mood)
    pupils = Attendance.objects.filter(session=session, user__isnull=True)
    assert sorted(pupils.values_list("mood", flat=True)) == sorted([Mood.GREAT, Mood.GREAT, Mood.LOW])
    counts = {value: n for value, _, n in selectors.session_check_in(session=session, user_id=teacher.pk).moods}
    assert (counts[Mood.GREAT], counts[Mood.LOW], counts[Mood.GOOD]) == (2, 1, 0)


def test_actions_made_during_an_open_session_belong_to_it(board, teacher):
    """An action agreed while the session is open points at it; one made afterwards does not."""
    session = services.session_start(board=board, user=teacher)
    during = action(board, user=teacher, title="Tijdens")
    services.session_close(board=board, session_id=session.pk, user=teacher)
    after = action(board, user=teacher, title="Erna")
    assert (during.session, after.session) == (session, None)


def test_session_close_stores_decisions_and_a_snapshot_of_the_board(board, teacher, colleague):
    """Closing stores the decisions, closed_at and a JSON snapshot with the goals, the actions
    (marking those made here), who was present and the moods as counts."""
    goal = services.goal_create(board=board, user=teacher, big_goal="Beter lezen", target=Decimal("80"))
    before = action(board, user=teacher, title="Eerder", owners=[colleague], due_week=week(1), goal=goal)
    session = services.session_start(board=board, user=teacher)
    services.attendance_set(board=board, session_id=session.pk, user=teacher, member_id=colleague.pk, present=True)
    services.mood_check_in(board=board, session_id=session.pk, user=colleague, mood=Mood.GOOD)
    action(board, user=teacher, title="Hier afgesproken")
    services.action_move(board=board, action_id=before.pk, user=teacher, status=ActionStatus.DONE, version=1)
    closed = services.session_close(board=board, session_id=session.pk, user=teacher, decisions=" Toetsen bespreken ")
    closed.refresh_from_db()
    assert closed.decisions == "Toetsen bespreken"
    assert closed.closed_at is not None
    snapshot = closed.snapshot
    assert snapshot["week"] == week(0).isoformat()
    assert snapshot["cycle"] == 1
    assert snapshot["present"] == [f"#{pk}" for pk in sorted([teacher.pk, colleague.pk])]  # named when read
    assert snapshot["checked_in"] == 1
    assert [g["big_goal"] for g in snapshot["goals"]] == ["Beter lezen"]
    assert snapshot["goals"][0]["target"] == "80"
    assert snapshot["actions"]["done"] == [
        {
            "title": "Eerder",
            "owners": [f"#{colleague.pk}"],
            "due_week": week(1).isoformat(),
            "goal": "Beter lezen",
            "made_here": False,
        }
    ]
    assert [(a["title"], a["made_here"]) for a in snapshot["actions"]["todo"]] == [("Hier afgesproken", True)]
    assert snapshot["actions"]["doing"] == []


def test_changing_an_action_after_closing_leaves_the_snapshot_as_it_was(board, teacher):
    """A past session's record does not follow later edits of the board."""
    made = action(board, user=teacher, title="Oud")
    session = services.session_start(board=board, user=teacher)
    closed = services.session_close(board=board, session_id=session.pk, user=teacher)
    frozen = BoardSession.objects.get(pk=closed.pk).snapshot
    services.action_update(
        board=board, action_id=made.pk, user=teacher, version=1, base={"title": "Oud"}, values={"title": "Nieuw"}
    )
    services.action_move(board=board, action_id=made.pk, user=teacher, status=ActionStatus.DONE, version=2)
    after = BoardSession.objects.get(pk=closed.pk).snapshot
    assert after == frozen
    assert [a["title"] for a in after["actions"]["todo"]] == ["Oud"]


def test_a_closed_session_refuses_closing_again_and_new_check_ins(board, teacher, colleague):
    """Closing twice is refused and leaves the first record; attendance and moods are refused too."""
    session = services.session_start(board=board, user=teacher)
    closed = services.session_close(board=board, session_id=session.pk, user=teacher, decisions="Eerste")
    with pytest.raises(ValidationError):
        services.session_close(board=board, session_id=session.pk, user=teacher, decisions="Tweede")
    with pytest.raises(ValidationError):
        services.attendance_set(board=board, session_id=session.pk, user=teacher, member_id=colleague.pk, present=True)
    with pytest.raises(ValidationError):
        services.mood_check_in(board=board, session_id=session.pk, user=teacher, mood=Mood.GOOD)
    session.refresh_from_db()
    assert (session.decisions, session.closed_at, session.version) == ("Eerste", closed.closed_at, 2)
    assert set(Attendance.objects.filter(session=session).values_list("user_id", flat=True)) == {teacher.pk}


# --- Rhythm -----------------------------------------------------------------------------------


def test_board_rhythm_counts_the_streak_and_the_missed_weeks(board, teacher):
    """Held in weeks -5, -3, -2, -1 (missed -4) on a board started five weeks ago: streak 3, one
    week missed, not yet held this week; holding this week's session makes the streak 4."""
    started_weeks_ago(board, 5)
    for offset in (-5, -3, -2, -1):
        services.session_start(board=board, user=teacher, week=week(offset))
    rhythm = selectors.board_rhythm(board=board)
    assert (rhythm.streak, rhythm.missed, rhythm.held_this_week) == (3, 1, False)
    assert rhythm.weeks == [(week(-5), 1), (week(-4), 0), (week(-3), 1), (week(-2), 1), (week(-1), 1), (week(0), 0)]
    services.session_start(board=board, user=teacher)
    rhythm = selectors.board_rhythm(board=board)
    assert (rhythm.streak, rhythm.missed, rhythm.held_this_week) == (4, 1, True)


def test_board_rhythm_does_not_count_weeks_before_the_board_started(board):
    """A board started two weeks ago with no session has missed two weeks, not twelve."""
    started_weeks_ago(board, 2)
    rhythm = selectors.board_rhythm(board=board)
    assert (rhythm.streak, rhythm.missed, rhythm.held_this_week) == (0, 2, False)
    assert [w for w, _ in rhythm.weeks] == [week(-2), week(-1), week(0)]


# --- Cycles -----------------------------------------------------------------------------------


def test_cycle_close_records_the_retrospective_and_opens_the_next_cycle(board, teacher):
    """Closing stores the retrospective and opens cycle 2 this week with the chosen length; active
    goals move on, reached ones stay; chosen open actions carry over, the others and every done
    action stay behind."""
    active = services.goal_create(board=board, user=teacher, big_goal="Loopt door")
    reached = services.goal_create(board=board, user=teacher, big_goal="Gehaald", status=GoalStatus.REACHED)
    carried = action(board, user=teacher, title="Mee")
    left = action(board, user=teacher, title="Blijft", status=ActionStatus.DOING)
    done = action(board, user=teacher, title="Klaar", status=ActionStatus.DONE)
    old = services.open_cycle(board)
    following = services.cycle_close(
        board=board,
        user=teacher,
        went_well=" Elke week gestaan ",
        to_change="",
        goals_reached="Eén van de twee",
        next_weeks=5,
        carry_over_action_ids=[carried.pk, done.pk],
    )
    old.refresh_from_db()
    assert (old.went_well, old.to_change, old.goals_reached) == ("Elke week gestaan", "", "Eén van de twee")
    assert old.closed_at is not None
    assert (following.number, following.starts_on, following.weeks, following.is_open) == (2, week(0), 5, True)
    assert services.open_cycle(board) == following
    assert dict(Goal.objects.filter(board=board).values_list("pk", "cycle_id")) == {
        active.pk: following.pk,
        reached.pk: old.pk,
    }
    assert dict(Action.objects.filter(board=board).values_list("pk", "cycle_id")) == {
        carried.pk: following.pk,
        left.pk: old.pk,
        done.pk: old.pk,
    }
    events = set(BoardEvent.objects.filter(board=board, entity=Entity.CYCLE).values_list("entity_id", "verb", "field"))
    assert {(old.pk, Verb.CHANGED, "closed_at"), (following.pk, Verb.CREATED, "")} <= events


@pytest.mark.parametrize("next_weeks", [3, 9])
def test_cycle_close_refuses_a_length_outside_four_to_eight_weeks(board, teacher, next_weeks):
    """A next cycle shorter than 4 or longer than 8 weeks is refused on "next_weeks"; the cycle
    stays open."""
    with pytest.raises(ValidationError) as excinfo:
        services.cycle_close(
            board=board, user=teacher, went_well="Goed", to_change="", goals_reached="", next_weeks=next_weeks
        )
    assert field_errors(excinfo) == {"next_weeks"}
    assert list(GoalCycle.objects.filter(board=board).values_list("number", "closed_at")) == [(1, None)]


def test_cycle_close_refuses_an_empty_retrospective(board, teacher):
    """A retrospective of only spaces is refused; the cycle stays open and nothing is stored."""
    with pytest.raises(ValidationError):
        services.cycle_close(board=board, user=teacher, went_well=" ", to_change="\n", goals_reached="", next_weeks=6)
    cycle = GoalCycle.objects.get(board=board)
    assert (cycle.number, cycle.closed_at, cycle.went_well) == (1, None, "")


def test_a_board_has_one_open_cycle(board, teacher):
    """After two closes there are cycles 1–3 with only the last open; a second open cycle cannot
    be stored."""
    for _ in range(2):
        services.cycle_close(board=board, user=teacher, went_well="Goed", to_change="", goals_reached="", next_weeks=6)
    cycles = GoalCycle.objects.filter(board=board).order_by("number")
    assert [(c.number, c.is_open) for c in cycles] == [(1, False), (2, False), (3, True)]
    with pytest.raises(IntegrityError), transaction.atomic():
        GoalCycle.objects.create(school_id=board.school_id, board=board, number=4, starts_on=week(0))


def test_goal_create_without_a_status_starts_the_goal_as_running(board, teacher):
    """The add form does not ask for a status: a new goal is running, not blank."""
    goal = services.goal_create(board=board, user=teacher, big_goal="Rekenen automatiseren", status="")
    assert Goal.objects.get(pk=goal.pk).status == GoalStatus.ACTIVE


def test_action_move_with_the_status_seen_conflicts_with_a_colleagues_move_to_another_status(board, teacher, colleague):
    made = services.action_create(board=board, user=teacher, title="Boekenkring", owners=[teacher])
    services.action_move(board=board, action_id=made.pk, user=colleague, status=ActionStatus.DOING, version=1)
    with pytest.raises(EditConflict) as raised:
        services.action_move(
            board=board, action_id=made.pk, user=teacher, status=ActionStatus.DONE, version=1, seen_status="todo"
        )
    assert raised.value.version == 2 and raised.value.field("status") is not None
    made.refresh_from_db()
    assert made.status == ActionStatus.DOING
    # The same move the colleague made is no conflict, and without the status seen nothing conflicts.
    services.action_move(board=board, action_id=made.pk, user=teacher, status="doing", version=1, seen_status="todo")
    services.action_move(board=board, action_id=made.pk, user=teacher, status=ActionStatus.DONE, version=1)
    made.refresh_from_db()
    assert made.status == ActionStatus.DONE
