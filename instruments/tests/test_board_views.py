"""The board's pages and partials: what they answer, to whom, with what; a fixed number of queries
whatever is on the board."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from instruments.models import Action, ActionStatus, Attendance, BoardSession, Goal, Measurement
from instruments.services import board as services
from instruments.tests.factories import member, started_weeks_ago
from leerkracht import clock
from leerkracht.roles import Role

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def home(world):
    return world.boards[world.home.pk]


@pytest.fixture
def teacher(world):
    return world.users[Role.LERAAR]


def url(contents, path: str = "") -> str:
    return f"/school/{contents.board.school_id}/borden/{contents.board.pk}/{path}"


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
    "board": 17,
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
    "session_mood": 25,
    "session_list": 8,
    "session_detail": 7,
    "history": 7,
    "presentation": 16,
    "presentation_content": 15,
    "print": 16,
    "board_list": 8,
    "measurement_add": 12,
    "obstacle_resolve": 25,
    "obstacle_to_action": 35,
    "session_start": 29,
    "session_attendance": 25,
    "session_roles": 25,
    "session_close": 22,
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


# --- What the board shows and who may change it ---------------------------------------------------


def test_board_page_shows_every_section_and_this_weeks_session(client, world, home, teacher):
    client.force_login(teacher)
    response = client.get(url(home))
    html = response.content.decode()
    assert response.status_code == 200
    for section in ("session", "successes", "goals", "actions", "obstacles"):
        assert f'id="{section}"' in html
    assert home.goal.big_goal in html and home.action.title in html and home.obstacle.title in html
    assert 'data-timer data-started="' in html, "the running session shows its 15-minute timer"


@pytest.mark.parametrize("role", [Role.EXPERTCOACH, Role.VERANDERCOACH, Role.SCHOOLLEIDER, Role.SCHOOLCOACH])
def test_the_schools_coaches_and_leader_read_the_board(client, world, home, role):
    client.force_login(world.users[role])
    assert client.get(url(home)).status_code == 200


@pytest.mark.parametrize("role", [Role.EXPERTCOACH, Role.VERANDERCOACH])
def test_expertcoach_and_verandercoach_may_read_but_not_edit(client, world, home, role):
    client.force_login(world.users[role])
    html = client.get(url(home)).content.decode()
    assert "Actie toevoegen" not in html and "/status/" not in html, "no editing controls"
    response = client.post(url(home, "acties/nieuw/"), {"new-title": "Mag niet"}, **HTMX)
    assert response.status_code == 403
    assert not Action.objects.filter(title="Mag niet").exists()


def test_a_teacher_of_another_team_gets_404(client, world, home):
    outsider = member(world.other_home_team)
    client.force_login(outsider)
    assert client.get(url(home)).status_code == 404
    assert client.post(url(home, "acties/nieuw/"), {"new-title": "x"}).status_code == 404


@pytest.mark.parametrize("role", [Role.SCHOOLCOACH, Role.SCHOOLLEIDER])
def test_schoolcoach_and_leader_may_edit_any_team_board(client, world, home, role):
    client.force_login(world.users[role])
    response = client.post(url(home, "acties/nieuw/"), {"new-title": "Door de coach"}, **HTMX)
    assert response.status_code == 200
    assert Action.objects.filter(board=home.board, title="Door de coach").exists()


# --- Partials, and the same forms without JavaScript --------------------------------------------


def test_moving_an_action_answers_with_the_card_for_its_new_column(client, home, teacher):
    client.force_login(teacher)
    response = client.post(
        url(home, f"acties/{home.action.pk}/status/"), {"status": "done", "version": home.action.version}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert 'hx-swap-oob="beforeend:#column-done"' in html
    assert re.search(rf'id="action-{home.action.pk}"[^>]*data-version="{home.action.version + 1}"', html)
    assert Action.objects.get(pk=home.action.pk).status == ActionStatus.DONE


def test_moving_an_action_without_javascript_redirects_back_to_the_card(client, home, teacher):
    client.force_login(teacher)
    response = client.post(
        url(home, f"acties/{home.action.pk}/status/"), {"status": "doing", "version": home.action.version}
    )
    assert response.status_code == 302 and response["Location"].endswith(f"#action-{home.action.pk}")


def test_an_action_without_a_title_is_refused_inline_and_keeps_what_was_typed(client, home, teacher):
    client.force_login(teacher)
    week_value = clock.week_input_value(clock.this_week())
    response = client.post(url(home, "acties/nieuw/"), {"new-title": "  ", "new-due_week": week_value}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 422
    assert html.lstrip().startswith('<section id="actions"')
    assert "Schrijf op wat er gedaan wordt." in html
    assert f'value="{week_value}"' in html, "the week typed is still there"


def test_a_due_week_outside_the_cycle_is_refused_and_kept(client, home, teacher):
    client.force_login(teacher)
    late = clock.week_input_value(clock.this_week() + dt.timedelta(weeks=20))
    response = client.post(url(home, "acties/nieuw/"), {"new-title": "Te laat", "new-due_week": late}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 422
    assert "Kies een week in deze cyclus" in html
    assert 'value="Te laat"' in html and f'value="{late}"' in html
    assert not Action.objects.filter(title="Te laat").exists()


def test_an_owner_who_is_not_in_the_team_is_refused(client, world, home, teacher):
    """The form offers only team members; a forged id of someone else is refused, nothing saved."""
    client.force_login(teacher)
    stranger = member(world.other_home_team)
    response = client.post(url(home, "acties/nieuw/"), {"new-title": "Vreemd", "new-owners": [stranger.pk]}, **HTMX)
    assert response.status_code == 422
    assert "Kies alleen mensen uit het team." in response.content.decode()
    assert not Action.objects.filter(title="Vreemd").exists()


def test_a_measurement_that_is_not_a_number_is_refused_and_kept(client, home, teacher):
    client.force_login(teacher)
    response = client.post(
        url(home, f"doelen/{home.goal.pk}/metingen/"), {"m-week": "2026-W01", "m-value": "veel"}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert html.lstrip().startswith(f'<li id="goal-{home.goal.pk}"')
    assert "Vul een getal in" in html and 'value="veel"' in html


def test_a_measurement_with_a_dutch_comma_is_stored(client, home, teacher):
    client.force_login(teacher)
    last_week = clock.week_input_value(clock.this_week() - dt.timedelta(weeks=1))
    response = client.post(
        url(home, f"doelen/{home.goal.pk}/metingen/"), {"m-week": last_week, "m-value": "42,5"}, **HTMX
    )
    assert response.status_code == 200
    assert Measurement.objects.filter(goal=home.goal, value=Decimal("42.5")).exists()


def test_a_second_session_for_the_same_week_is_refused_with_a_message(client, home, teacher):
    client.force_login(teacher)
    response = client.post(url(home, "sessie/"), **HTMX)
    assert response.status_code == 422
    assert "Er loopt al een bordsessie voor" in response.content.decode()
    assert BoardSession.objects.filter(board=home.board, closed_at__isnull=True).count() == 1


def test_moods_are_shown_as_counts_never_as_names(client, world, home, teacher):
    colleague = member(world.home_team)
    for person, mood in ((teacher, "great"), (colleague, "tired")):
        client.force_login(person)
        client.post(url(home, f"sessies/{home.session.pk}/stemming/"), {"mood": mood}, **HTMX)
    client.force_login(world.users[Role.SCHOOLCOACH])
    html = client.get(url(home)).content.decode()
    moods = re.search(r'<div class="check-in">(.*?)</div>\s*\n', html, re.S).group(1)
    assert teacher.full_name not in moods and colleague.full_name not in moods
    assert re.search(r'Top</span>\s*<span class="mood__count"[^>]*>1<', moods)
    assert re.search(r'Moe</span>\s*<span class="mood__count"[^>]*>1<', moods)


# --- Two people, one card ---------------------------------------------------------------------------


def edit(client, contents, card_id, version, base_title, title, owners, base_owners=None):
    return client.post(
        url(contents, f"acties/{card_id}/bewerken/"),
        {
            "version": version,
            "base-title": base_title,
            "base-owners": owners if base_owners is None else base_owners,
            "base-status": "todo",
            "title": title,
            "owners": owners,
            "status": "todo",
        },
        **HTMX,
    )


def test_the_later_saver_of_the_same_field_gets_both_values_and_keeps_their_text(client, world, home, teacher):
    action = home.action
    colleague = member(world.home_team)
    owners = [teacher.pk]
    client.force_login(teacher)
    assert edit(client, home, action.pk, 1, action.title, "Leeshoek in groep 5", owners).status_code == 200
    client.force_login(colleague)
    response = edit(client, home, action.pk, 1, action.title, "Leeshoek in de gang", owners)
    html = response.content.decode()
    assert response.status_code == 409
    assert "Iemand anders heeft dit intussen ook veranderd" in html
    assert "Leeshoek in groep 5" in html, "the saved value is shown"
    assert 'value="Leeshoek in de gang"' in html, "what this person typed is still in the form"
    assert teacher.full_name in html, "who saved the other value"
    assert Action.objects.get(pk=action.pk).title == "Leeshoek in groep 5"
    # Saving again (the form now carries the new version and base) keeps the later text.
    version = int(re.search(r'name="version" value="(\d+)"', html).group(1))
    again = edit(client, home, action.pk, version, "Leeshoek in groep 5", "Leeshoek in de gang", owners)
    assert again.status_code == 200
    assert Action.objects.get(pk=action.pk).title == "Leeshoek in de gang"


def test_edits_to_different_fields_both_survive(client, world, home, teacher):
    action = home.action
    colleague = member(world.home_team)
    client.force_login(teacher)
    assert edit(client, home, action.pk, 1, action.title, "Nieuwe titel", [teacher.pk]).status_code == 200
    client.force_login(colleague)
    response = edit(client, home, action.pk, 1, action.title, action.title, [teacher.pk, colleague.pk], [teacher.pk])
    assert response.status_code == 200
    saved = Action.objects.get(pk=action.pk)
    assert saved.title == "Nieuwe titel"
    assert set(saved.owners.values_list("pk", flat=True)) == {teacher.pk, colleague.pk}


# --- Presentation screen ------------------------------------------------------------------------------


def test_presentation_content_answers_304_until_the_board_changes(client, home, teacher):
    client.force_login(teacher)
    first = client.get(url(home, "presentatie/inhoud/"), **HTMX)
    etag = first["ETag"]
    assert first.status_code == 200 and etag
    with CaptureQueriesContext(connection) as queries:
        unchanged = client.get(url(home, "presentatie/inhoud/"), HTTP_IF_NONE_MATCH=etag, **HTMX)
    assert unchanged.status_code == 304 and unchanged.content == b""
    assert len(queries) == 4, "session, user, access, board: nothing else while nothing changed"
    services.success_create(board=home.board, user=teacher, title="Nieuw succes")
    changed = client.get(url(home, "presentatie/inhoud/"), HTTP_IF_NONE_MATCH=etag, **HTMX)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert "Nieuw succes" in changed.content.decode()


def test_presentation_has_no_editing_chrome(client, home, teacher):
    client.force_login(teacher)
    html = client.get(url(home, "presentatie/")).content.decode()
    assert "/bewerken/" not in html and "/status/" not in html and "hx-post" not in html
    assert html.count("<form") == 1, "only the logout form of the page header"


# --- History -------------------------------------------------------------------------------------------


def test_history_of_a_card_lists_its_changes_with_old_and_new(client, home, teacher):
    client.force_login(teacher)
    edit(client, home, home.action.pk, 1, home.action.title, "Anders", [teacher.pk])
    html = client.get(url(home, f"geschiedenis/?soort=action&id={home.action.pk}")).content.decode()
    assert home.action.title in html and "Anders" in html
    assert home.obstacle.title not in html, "only this card's history"


def test_the_history_has_no_way_to_change_it(client, home, teacher):
    client.force_login(teacher)
    assert client.post(url(home, "geschiedenis/")).status_code == 405


def test_a_goal_chart_is_svg_with_a_text_alternative(client, home, teacher):
    client.force_login(teacher)
    response = client.get(url(home, f"doelen/{home.goal.pk}/grafiek.svg"))
    body = response.content.decode()
    assert response["Content-Type"].startswith("image/svg+xml")
    assert 'role="img"' in body and "<title" in body
    page = client.get(url(home)).content.decode()
    assert re.search(r'<img src="[^"]*grafiek\.svg[^"]*"[^>]*alt="Voortgang van', page)


def test_goal_measurements_never_lower_the_count_of_goals_shown(client, home, teacher):
    """A guard on the page's goal query: a goal with many measurements is shown once."""
    for back in range(1, 4):
        services.measurement_add(
            board=home.board,
            goal=home.goal,
            user=teacher,
            week=clock.this_week() - dt.timedelta(weeks=back),
            value=back,
        )
    client.force_login(teacher)
    html = client.get(url(home)).content.decode()
    assert html.count(f'id="goal-{home.goal.pk}"') == 1
    assert Goal.objects.filter(board=home.board).count() == 1


# --- The team's way in, and the school's boards with their rhythm ----------------------------------


def test_the_team_page_link_leads_to_the_board_or_to_starting_it(client, world, home, teacher):
    client.force_login(teacher)
    response = client.get(f"/school/{world.home.pk}/teams/{world.home_team.pk}/bord/")
    assert response.status_code == 302 and response["Location"] == url(home)
    other = world.other_home_team
    client.force_login(world.users[Role.SCHOOLCOACH])
    start = client.get(f"/school/{world.home.pk}/teams/{other.pk}/bord/")
    assert start.status_code == 200 and "Start het verbeterbord" in start.content.decode()
    made = client.post(f"/school/{world.home.pk}/teams/{other.pk}/bord/")
    assert made.status_code == 302 and "/borden/" in made["Location"]


def test_a_reader_sees_there_is_no_board_yet_and_cannot_start_one(client, world):
    other = world.other_home_team
    client.force_login(world.users[Role.EXPERTCOACH])
    page = client.get(f"/school/{world.home.pk}/teams/{other.pk}/bord/")
    assert page.status_code == 200 and "Start het verbeterbord" not in page.content.decode()
    assert client.post(f"/school/{world.home.pk}/teams/{other.pk}/bord/").status_code == 403


def test_the_schoolcoach_sees_each_boards_rhythm_on_the_school_board_list(client, world, home, teacher):
    started_weeks_ago(home.board, 5)
    for back in (1, 2):
        BoardSession.objects.create(
            school_id=home.board.school_id,
            board=home.board,
            cycle=home.session.cycle,
            week=clock.this_week() - dt.timedelta(weeks=back),
            started_at=timezone.now(),
            closed_at=timezone.now(),
        )
    client.force_login(world.users[Role.SCHOOLCOACH])
    html = client.get(f"/school/{world.home.pk}/borden/").content.decode()
    assert home.board.title in html
    assert "deze week gehouden" in html and "3 weken op rij" in html


def test_without_javascript_an_invalid_action_answers_the_whole_board_with_the_error(client, home, teacher):
    client.force_login(teacher)
    response = client.post(url(home, "acties/nieuw/"), {"new-title": ""})
    html = response.content.decode()
    assert response.status_code == 422
    assert "<html" in html and "Schrijf op wat er gedaan wordt." in html


def test_a_school_year_takes_at_most_two_themes(world):
    from django.core.exceptions import ValidationError

    from instruments.models import Theme

    def theme(name):
        return Theme(
            school=world.home, name=name, school_year=2026, starts_on=dt.date(2026, 9, 1), ends_on=dt.date(2026, 12, 20)
        )

    for name in ("Rekenen", "Begrijpend lezen"):
        made = theme(name)
        made.full_clean()
        made.save()
    with pytest.raises(ValidationError, match="hoogstens twee"):
        theme("Burgerschap").full_clean()
