"""The board's pages and partials: what they answer, to whom, with what. The builders at the top
are shared by test_board_queries.py."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from instruments.forms.board import WeekField
from instruments.models import Action, ActionStatus, BoardSession, Goal, GoalCycle, Measurement
from instruments.services import board as services
from instruments.tests.factories import member, started_weeks_ago, week
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
    assert f'<option value="{week_value}" selected>' in html, "the week chosen is still chosen"


def test_a_due_week_outside_the_cycle_is_refused_and_kept(client, home, teacher):
    client.force_login(teacher)
    late = clock.week_input_value(clock.this_week() + dt.timedelta(weeks=20))
    response = client.post(url(home, "acties/nieuw/"), {"new-title": "Te laat", "new-due_week": late}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 422
    assert "Kies een week in deze cyclus" in html
    assert 'value="Te laat"' in html and re.search(rf'<option value="{late}" selected>week \d+ \(', html)
    assert not Action.objects.filter(title="Te laat").exists()


def test_an_owner_who_is_not_in_the_team_is_refused(client, world, home, teacher):
    """The form offers only team members; a forged id of someone else is refused, nothing saved."""
    client.force_login(teacher)
    stranger = member(world.other_home_team)
    response = client.post(url(home, "acties/nieuw/"), {"new-title": "Vreemd", "new-owners": [stranger.pk]}, **HTMX)
    assert response.status_code == 422
    assert "Kies alleen mensen uit het team." in response.content.decode()
    assert not Action.objects.filter(title="Vreemd").exists()


# --- Weeks are chosen from a list (every browser), not typed into <input type="week"> ---------------


def _options(html: str, name: str) -> list[tuple[str, str, bool]]:
    """(value, label, selected) of the <select name=...> in the page."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return [
        (v, label, bool(sel))
        for v, sel, label in re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select)
    ]


def _cycle_started(home, weeks_ago: int):
    """The open cycle began `weeks_ago` weeks ago (it began this week in the shared world)."""
    GoalCycle.objects.filter(board=home.board, closed_at__isnull=True).update(starts_on=week(-weeks_ago))
    return GoalCycle.objects.get(board=home.board, closed_at__isnull=True)


def test_the_due_week_lists_the_cycles_weeks_with_this_week_marked(client, home, teacher):
    cycle = _cycle_started(home, 2)
    client.force_login(teacher)
    options = _options(client.get(url(home)).content.decode(), "new-due_week")
    weeks = clock.weeks_between(cycle.starts_on, cycle.last_week)
    assert [v for v, _label, _sel in options] == ["", *[clock.week_input_value(m) for m in weeks]]
    assert options[0][1] == "geen week" and options[0][2], "no week is chosen until someone picks one"
    marked = [v for v, label, _sel in options if label.endswith("· deze week")]
    assert marked == [clock.week_input_value(clock.this_week())]
    assert all(
        re.fullmatch(r"week \d+ \(\d+( \w+)?–\d+ \w+( \d{4})?\)( · deze week)?", label) for _v, label, _s in options[1:]
    )


def test_the_week_label_names_the_school_days():
    monday = dt.date(clock.today().year, 12, 1) - dt.timedelta(days=dt.date(clock.today().year, 12, 1).weekday())
    label = clock.week_days_label(monday)
    assert label.startswith(f"week {monday.isocalendar().week} (") and "–" in label
    assert clock.week_days_label(dt.date(2020, 12, 28)) == "week 53 (28 dec–1 jan 2021)"


@pytest.mark.parametrize("sent", ["2026-W47", "2026-11-18", "2026-11-16"])
def test_what_the_old_week_input_sent_still_cleans_to_its_monday(sent):
    assert WeekField().clean(sent) == dt.date(2026, 11, 16)


def test_an_action_from_an_old_tab_with_a_date_for_its_week_is_saved(client, home, teacher):
    client.force_login(teacher)
    wednesday = (clock.this_week() + dt.timedelta(days=2)).isoformat()
    response = client.post(url(home, "acties/nieuw/"), {"new-title": "Oud tabblad", "new-due_week": wednesday}, **HTMX)
    assert response.status_code == 200
    assert Action.objects.get(title="Oud tabblad").due_week == clock.this_week()


def test_an_out_of_range_week_is_refused_and_keeps_the_rest(client, home, teacher):
    client.force_login(teacher)
    early = clock.week_input_value(week(-30))
    data = {"new-title": "Te vroeg", "new-due_week": early, "new-owners": [teacher.pk], "new-goal": home.goal.pk}
    html = client.post(url(home, "acties/nieuw/"), data, **HTMX).content.decode()
    assert "Kies een week in deze cyclus" in html
    assert 'value="Te vroeg"' in html and f'<option value="{early}" selected>' in html
    assert re.search(rf'value="{teacher.pk}"[^>]*checked', html) and f'<option value="{home.goal.pk}" selected>' in html
    assert not Action.objects.filter(title="Te vroeg").exists()


def test_an_actions_stored_week_outside_the_cycle_stays_chosen_when_edited(client, home, teacher):
    stored = week(-10)
    Action.objects.filter(pk=home.action.pk).update(due_week=stored)
    client.force_login(teacher)
    html = client.get(url(home, f"acties/{home.action.pk}/bewerken/"), **HTMX).content.decode()
    options = _options(html, "due_week")
    assert (clock.week_input_value(stored), clock.week_days_label(stored), True) in options
    assert sum(selected for _v, _l, selected in options) == 1


def test_an_action_keeps_its_stored_week_outside_the_cycle_when_its_title_is_edited(client, home, teacher):
    stored = week(-10)
    Action.objects.filter(pk=home.action.pk).update(due_week=stored)
    made = Action.objects.get(pk=home.action.pk)
    client.force_login(teacher)
    kept = clock.week_input_value(stored)
    data = {"version": made.version, "status": made.status, "base-status": made.status}
    data |= {"base-title": made.title, "title": "Nieuwe titel", "base-due_week": stored.isoformat(), "due_week": kept}
    response = client.post(url(home, f"acties/{made.pk}/bewerken/"), data, **HTMX)
    assert response.status_code == 200, response.content.decode()
    made.refresh_from_db()
    assert (made.title, made.due_week) == ("Nieuwe titel", stored)


def test_the_measurement_week_lists_this_and_past_weeks_of_the_cycle(client, home, teacher):
    cycle = _cycle_started(home, 2)
    client.force_login(teacher)
    html = client.get(url(home)).content.decode()
    options = _options(html.split(f'id="goal-{home.goal.pk}"', 1)[1], "m-week")
    assert [v for v, _l, _s in options] == [
        clock.week_input_value(m) for m in clock.weeks_between(cycle.starts_on, week(0))
    ]
    assert [v for v, _l, selected in options if selected] == [clock.week_input_value(week(0))]


def test_a_future_measurement_week_is_refused_and_shown(client, home, teacher):
    client.force_login(teacher)
    future = clock.week_input_value(week(1))
    response = client.post(url(home, f"doelen/{home.goal.pk}/metingen/"), {"m-week": future, "m-value": "3"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 422 and "Een meting gaat over deze week" in html
    assert f'<option value="{future}" selected>' in html and 'value="3"' in html


def test_no_week_input_is_left_in_the_instruments():
    """<input type="week"> works in Chromium only; the board's forms and templates use lists."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    files = [*root.glob("templates/instruments/**/*.html"), *root.glob("instruments/forms/*.py")]
    assert files
    for path in files:
        text = path.read_text()
        assert 'type="week"' not in text and 'input_type = "week"' not in text, path


def test_the_board_and_the_edit_form_render_no_week_input(client, home, teacher):
    client.force_login(teacher)
    for response in (
        client.get(url(home)),
        client.get(url(home, f"acties/{home.action.pk}/bewerken/"), **HTMX),
        client.get(url(home, f"acties/{home.action.pk}/bewerken/")),
    ):
        assert response.status_code == 200 and 'type="week"' not in response.content.decode()


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
    assert escape(teacher.full_name) in html, "who saved the other value"
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
