"""Every board page, partial and write runs a fixed number of queries, whatever is on the board:
pinned on a nearly empty board and on one with many goals, measurements, actions, knelpunten,
successes and past weeks (caches cleared first)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from instruments.models import Action, ActionStatus, Attendance, BoardSession, Measurement
from instruments.services import board as services
from instruments.tests.factories import started_weeks_ago
from instruments.tests.test_board_views import HTMX, url
from leerkracht import clock

pytestmark = pytest.mark.django_db


@pytest.fixture
def home(world):
    return world.boards[world.home.pk]


def grow(contents, user, *, goals: int, actions: int, weeks_back: int) -> None:
    """More of everything on a board: goals with a measurement per past week, actions in every
    column, knelpunten, successes and a closed session per past week."""
    board = contents.board
    started_weeks_ago(board, weeks_back + 1)
    for n in range(goals):
        goal = services.goal_create(board=board, user=user, big_goal=f"Doel {n}", measure_what="x", target=10, unit="%")
        for back in range(1, weeks_back + 1):
            Measurement.objects.create(
                school_id=board.school_id, goal=goal, week=clock.this_week() - dt.timedelta(weeks=back), value=back
            )
    for n in range(actions):
        status = [ActionStatus.TODO, ActionStatus.DOING, ActionStatus.DONE][n % 3]
        services.action_create(board=board, user=user, title=f"Actie {n}", owners=[user], status=status)
        services.obstacle_create(board=board, user=user, title=f"Knelpunt {n}")
        services.success_create(board=board, user=user, title=f"Succes {n}")
    cycle = contents.session.cycle
    for back in range(1, weeks_back + 1):
        monday = clock.this_week() - dt.timedelta(weeks=back)
        BoardSession.objects.create(
            school_id=board.school_id,
            board=board,
            cycle=cycle,
            week=monday,
            started_at=timezone.now() - dt.timedelta(weeks=back),
            closed_at=timezone.now() - dt.timedelta(weeks=back) + dt.timedelta(minutes=15),
            snapshot={"week": monday.isoformat()},
        )


def count(client, method: str, path: str, data=None, **headers) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(path, data or {}, **headers)
    return len(queries), response.status_code


# One entry per page and partial: (method, path, data, headers) built from the world's board.
def requests_for(contents) -> dict:
    goal, action, obstacle, success, session = (
        contents.goal,
        contents.action,
        contents.obstacle,
        contents.success,
        contents.session,
    )
    return {
        "board": ("get", url(contents), None, {}),
        "goal_card": ("get", url(contents, f"doelen/{goal.pk}/"), None, HTMX),
        "goal_edit_form": ("get", url(contents, f"doelen/{goal.pk}/bewerken/"), None, HTMX),
        "goal_chart": ("get", url(contents, f"doelen/{goal.pk}/grafiek.svg"), None, {}),
        "action_card": ("get", url(contents, f"acties/{action.pk}/"), None, HTMX),
        "action_edit_form": ("get", url(contents, f"acties/{action.pk}/bewerken/"), None, HTMX),
        "action_move": ("post", url(contents, f"acties/{action.pk}/status/"), "move", HTMX),
        "action_create": ("post", url(contents, "acties/nieuw/"), {"new-title": "Nog een actie"}, HTMX),
        "goal_create": ("post", url(contents, "doelen/nieuw/"), {"new-goal-big_goal": "Nog een doel"}, HTMX),
        "obstacle_create": ("post", url(contents, "knelpunten/nieuw/"), {"new-obstacle-title": "Lastig"}, HTMX),
        "success_create": ("post", url(contents, "successen/nieuw/"), {"new-success-title": "Feest"}, HTMX),
        "obstacle_card": ("get", url(contents, f"knelpunten/{obstacle.pk}/"), None, HTMX),
        "success_card": ("get", url(contents, f"successen/{success.pk}/"), None, HTMX),
        "session_mood": ("post", url(contents, f"sessies/{session.pk}/stemming/"), {"mood": "good"}, HTMX),
        "session_list": ("get", url(contents, "sessies/"), None, {}),
        "session_detail": ("get", url(contents, f"sessies/{session.pk}/"), None, {}),
        "history": ("get", url(contents, "geschiedenis/"), None, {}),
        "presentation": ("get", url(contents, "presentatie/"), None, {}),
        "presentation_content": ("get", url(contents, "presentatie/inhoud/"), None, HTMX),
        "print": ("get", url(contents, "afdrukken/"), None, {}),
        "board_list": ("get", f"/school/{contents.board.school_id}/borden/", None, {}),
        # Operations that use up what they act on are built when measured (a fresh knelpunt, an
        # open session of this week).
        "measurement_add": lambda: measurement_request(contents),
        "obstacle_resolve": lambda: fresh_obstacle(contents, "oplossen/", {"resolution": "Samen opgelost"}),
        "obstacle_to_action": lambda: fresh_obstacle(contents, "actie/", {}),
        "session_start": lambda: session_start_request(contents),
        "session_attendance": lambda: attendance_request(contents),
        "session_attendance_all": lambda: attendance_all_request(contents),
        "session_roles": lambda: roles_request(contents),
        "session_close": lambda: session_close_request(contents),
    }


def measurement_request(contents) -> tuple:
    """This week's value of the goal is not measured yet."""
    Measurement.objects.filter(goal=contents.goal, week=clock.this_week()).delete()
    data = {"m-week": clock.week_input_value(clock.this_week()), "m-value": "7"}
    return ("post", url(contents, f"doelen/{contents.goal.pk}/metingen/"), data, HTMX)


def attendance_request(contents) -> tuple:
    """A team member who is not yet marked present is marked present."""
    member_id = contents.board.team.memberships.first().user_id
    Attendance.objects.filter(session=contents.session, user_id=member_id).delete()
    data = {"member": member_id, "present": "on"}
    return ("post", url(contents, f"sessies/{contents.session.pk}/aanwezig/"), data, HTMX)


def attendance_all_request(contents) -> tuple:
    """Nobody is marked present yet: "iedereen aanwezig" ticks every member."""
    Attendance.objects.filter(session=contents.session).delete()
    return ("post", url(contents, f"sessies/{contents.session.pk}/iedereen-aanwezig/"), {}, HTMX)


def roles_request(contents) -> tuple:
    """Nobody leads the session yet; a team member is asked to."""
    BoardSession.objects.filter(pk=contents.session.pk).update(lead=None, note_taker=None, timekeeper=None)
    data = {"lead": contents.board.team.memberships.first().user_id}
    return ("post", url(contents, f"sessies/{contents.session.pk}/rollen/"), data, HTMX)


def fresh_obstacle(contents, path: str, data: dict) -> tuple:
    user = contents.board.team.memberships.first().user
    obstacle = services.obstacle_create(board=contents.board, user=user, title="Nog een knelpunt")
    return ("post", url(contents, f"knelpunten/{obstacle.pk}/{path}"), {**data, "version": obstacle.version}, HTMX)


def session_start_request(contents) -> tuple:
    """This week's session is not started yet (the world's is taken away)."""
    BoardSession.objects.filter(board=contents.board, week=clock.this_week()).delete()
    return ("post", url(contents, "sessie/"), {}, HTMX)


def session_close_request(contents) -> tuple:
    """This week's session is open (again, for the second measurement)."""
    BoardSession.objects.filter(pk=contents.session.pk).update(closed_at=None)
    return (
        "post",
        url(contents, f"sessies/{contents.session.pk}/afsluiten/"),
        {"decisions": "Volgende week verder"},
        HTMX,
    )


# Session, user and access (one UNION) come first on every request; then the board (one query),
# then what the page itself shows. The school switcher adds one query on full pages.
EXPECTED_QUERIES = {
    "board": 18,
    "goal_card": 5,
    "goal_edit_form": 6,
    "goal_chart": 6,
    "action_card": 17,
    "action_edit_form": 10,
    "action_move": 10,
    "action_create": 30,
    "goal_create": 23,
    "obstacle_create": 20,
    "success_create": 20,
    "obstacle_card": 5,
    "success_card": 5,
    "session_mood": 26,
    "session_list": 9,
    "session_detail": 8,
    "history": 9,
    "presentation": 16,
    "presentation_content": 15,
    "print": 16,
    "board_list": 9,
    "measurement_add": 12,
    "obstacle_resolve": 25,
    "obstacle_to_action": 35,
    "session_start": 30,
    "session_attendance": 26,
    "session_attendance_all": 24,
    "session_roles": 26,
    "session_close": 19,
}


@pytest.mark.pins_queries(
    "instruments:action_move",
    "instruments:action_create",
    "instruments:goal_create",
    "instruments:obstacle_create",
    "instruments:success_create",
    "instruments:session_mood",
    "instruments:measurement_add",
    "instruments:obstacle_resolve",
    "instruments:obstacle_to_action",
    "instruments:session_start",
    "instruments:session_attendance",
    "instruments:session_attendance_all",
    "instruments:session_roles",
    "instruments:session_close",
)
@pytest.mark.parametrize("name", list(EXPECTED_QUERIES))
def test_query_count_is_fixed_whatever_is_on_the_board(client, world, home, teacher, name):
    """Each page and partial runs the same number of queries on a nearly empty board and on one
    with many goals, measurements, actions, knelpunten, successes and past weeks."""
    client.force_login(teacher)

    def measure():
        entry = requests_for(home)[name]
        method, path, data, headers = entry() if callable(entry) else entry
        if data == "move":  # a real move each time: to the column it is not in
            current = Action.objects.get(pk=home.action.pk)
            target = ActionStatus.DOING if current.status != ActionStatus.DOING else ActionStatus.TODO
            data = {"status": target, "version": current.version}
        client.get(url(home))  # warm-up: the session remembers the school
        for cache in caches.all():  # the cold path: charts and cards rendered afresh
            cache.clear()
        return count(client, method, path, data, **headers)

    small, small_status = measure()
    grow(home, teacher, goals=4, actions=9, weeks_back=6)
    large, large_status = measure()
    assert small_status < 400 and large_status < 400, (small_status, large_status)
    assert (small, large) == (EXPECTED_QUERIES[name], EXPECTED_QUERIES[name])
