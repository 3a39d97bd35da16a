""" "Mijn week" (instruments/views/week.py): every item appears for the person it is for and leaves
when it is done; another person's, team's or school's never appear; the two quick actions work in
place and as plain posts, with the one edit-conflict protocol; teachers land on it; its queries
are fixed at two data sizes."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.formats import date_format

from instruments import week as registry
from instruments.models import (
    Action,
    ActionStatus,
    BoardSession,
    DesignStatus,
    FeedbackRound,
    LessonDesign,
    LessonDesignAuthor,
    LessonVisit,
    VisitStatus,
)
from instruments.selectors import week as selectors
from instruments.services import board as board_services
from instruments.tests.factories import action, member, week
from instruments.tests.test_lesson_visit import at, past_visit
from leerkracht import clock
from leerkracht.roles import Role
from schools.services import team_membership_add

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def week_url(school_id: int) -> str:
    return f"/school/{school_id}/mijn-week/"


def done_url(school_id: int, action_id: int) -> str:
    return f"{week_url(school_id)}acties/{action_id}/klaar/"


def held_url(school_id: int, visit_id: int) -> str:
    return f"{week_url(school_id)}lesbezoeken/{visit_id}/plaatsgevonden/"


def page_of(client, user, school) -> str:
    client.force_login(user)
    response = client.get(week_url(school.pk))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def teacher(world):
    return world.users[Role.LERAAR]


@pytest.fixture
def coach(world):
    return world.users[Role.SCHOOLCOACH]


@pytest.fixture
def board(world):
    return world.boards[world.home.pk].board


def due(board, user, title: str, due_week: dt.date, **fields) -> Action:
    """An action of `user` on `board` due in `due_week` (set directly: a past week may lie before
    the cycle the service would accept it for)."""
    made = action(board, user=user, title=title, owners=[user], **fields)
    Action.objects.filter(pk=made.pk).update(due_week=due_week)
    made.refresh_from_db()
    return made


# --- Landing and the menu ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.LERAAR, "/school/{home}/mijn-week/"),
        (Role.SCHOOLCOACH, "/school/{home}/"),
        (Role.SCHOOLLEIDER, "/school/{home}/"),
    ],
)
def test_teachers_land_on_their_week_and_leaders_and_coaches_keep_their_overview(client, world, role, expected):
    client.force_login(world.users[role])
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == expected.format(home=world.home.pk)


def test_a_teacher_without_a_team_lands_on_their_week_too(client, world):
    from schools.tests.factories import SchoolMembershipFactory

    newcomer = SchoolMembershipFactory(school=world.home, role=Role.LERAAR).user
    client.force_login(newcomer)
    assert client.get("/")["Location"] == week_url(world.home.pk)
    assert client.get(week_url(world.home.pk)).status_code == 200


@pytest.mark.parametrize("role", [Role.LERAAR, Role.SCHOOLCOACH, Role.SCHOOLLEIDER, Role.EXPERTCOACH])
def test_everyone_who_works_in_the_school_has_mijn_week_in_the_menu(client, world, role):
    client.force_login(world.users[role])
    page = client.get(f"/school/{world.home.pk}/borden/").content.decode()
    assert f'href="{week_url(world.home.pk)}">Mijn week</a>' in page


@pytest.mark.parametrize("role", [Role.ADMIN, Role.BESTUURDER])
def test_who_works_in_no_school_gets_no_link_to_a_week(client, world, role):
    client.force_login(world.users[role])
    menu = client.get("/mijn-scholen/").content.decode()
    assert ">Mijn week</a>" not in menu
    assert client.get("/mijn-week/")["Location"] == "/mijn-scholen/"


def test_the_bestuurder_who_reads_figures_only_has_no_week_in_a_school(client, world):
    client.force_login(world.users[Role.BESTUURDER])
    assert client.get(week_url(world.home.pk)).status_code in (403, 404)


def test_mijn_week_without_a_school_opens_the_week_in_the_school_last_opened(client, world, coach):
    from schools.tests.factories import SchoolMembershipFactory

    second = world.schools[1]
    SchoolMembershipFactory(user=coach, school=second, role=Role.SCHOOLCOACH)
    client.force_login(coach)
    assert client.get("/mijn-week/")["Location"] == week_url(world.home.pk)
    client.get(f"/school/{second.pk}/")
    assert client.get("/mijn-week/")["Location"] == week_url(second.pk)


def test_another_schools_week_is_not_found(client, world, teacher):
    client.force_login(teacher)
    assert client.get(week_url(world.foreign.pk)).status_code == 404
    assert client.get(week_url(world.foreign.pk), **HTMX).status_code == 404


# --- My actions --------------------------------------------------------------------------------


def test_my_actions_due_this_week_and_overdue_appear_with_their_board(client, world, teacher, board):
    this = due(board, teacher, "Leesroosters maken", week(0))
    late = due(board, teacher, "Boekenlijst nakijken", week(-2))
    page = page_of(client, teacher, world.home)
    assert this.title in page and late.title in page
    assert f'href="/school/{world.home.pk}/borden/{board.pk}/#action-{this.pk}"' in page
    assert board.title in page
    assert "te laat: was voor " + clock.week_days_label(week(-2)) in page
    assert "klaar in " + clock.week_days_label(week(0)) in page
    # The most overdue first.
    assert page.index(late.title) < page.index(this.title)


def test_actions_not_due_yet_without_a_week_done_or_of_someone_else_do_not_appear(client, world, teacher, coach, board):
    due(board, teacher, "Volgende week pas", week(1))
    action(board, user=teacher, title="Zonder week", owners=[teacher])
    finished = due(board, teacher, "Al gedaan", week(0))
    board_services.action_move(
        board=board, action_id=finished.pk, user=teacher, status=ActionStatus.DONE, version=finished.version
    )
    colleague = member(world.home_team)
    due(board, colleague, "Van een collega", week(0))
    other_team_board = board_services.team_board_get_or_create(team=world.other_home_team, user=coach)
    due(other_team_board, coach, "Van het andere team", week(0))
    page = page_of(client, teacher, world.home)
    for title in ("Volgende week pas", "Zonder week", "Al gedaan", "Van een collega", "Van het andere team"):
        assert title not in page
    assert "Geen acties voor deze week of te laat" in page


def test_an_action_on_a_closed_cycle_does_not_appear(client, world, teacher, board):
    made = due(board, teacher, "Uit een oude cyclus", week(-1))
    board.cycles.filter(pk=made.cycle_id).update(closed_at=timezone.now())
    assert "Uit een oude cyclus" not in page_of(client, teacher, world.home)


def test_moving_my_action_to_done_in_place_takes_it_off_the_list(client, world, teacher, board):
    made = due(board, teacher, "Leesroosters maken", week(0))
    client.force_login(teacher)
    response = client.post(
        done_url(world.home.pk, made.pk), {"version": made.version, "seen_status": ActionStatus.TODO}, **HTMX
    )
    assert response.status_code == 200
    fragment = response.content.decode()
    assert fragment.lstrip().startswith('<section id="my-actions"')
    assert "Leesroosters maken" not in fragment and "<html" not in fragment
    made.refresh_from_db()
    assert made.status == ActionStatus.DONE and made.done_at is not None
    assert "Leesroosters maken" not in page_of(client, teacher, world.home)


def test_moving_my_action_to_done_without_javascript_returns_to_the_week(client, world, teacher, board):
    made = due(board, teacher, "Leesroosters maken", week(0))
    client.force_login(teacher)
    response = client.post(done_url(world.home.pk, made.pk), {"version": 1, "seen_status": ActionStatus.TODO})
    assert response.status_code == 302
    assert response["Location"] == week_url(world.home.pk) + "#my-actions"
    made.refresh_from_db()
    assert made.status == ActionStatus.DONE


def test_a_colleague_who_moved_my_action_meanwhile_gets_a_409_with_both_and_nothing_is_moved(
    client, world, teacher, board
):
    made = due(board, teacher, "Leesroosters maken", week(0))
    colleague = member(world.home_team, first_name="Bram", last_name="Smit")
    board_services.action_move(board=board, action_id=made.pk, user=colleague, status=ActionStatus.DOING, version=1)
    client.force_login(teacher)
    response = client.post(done_url(world.home.pk, made.pk), {"version": 1, "seen_status": ActionStatus.TODO}, **HTMX)
    assert response.status_code == 409
    fragment = response.content.decode()
    assert "Iemand anders heeft deze actie intussen verplaatst" in fragment
    assert "Bram Smit" in fragment and "Bezig" in fragment and "Klaar" in fragment
    made.refresh_from_db()
    assert made.status == ActionStatus.DOING
    # The list shows it as it is now: from there, done is one more click.
    assert 'name="version" value="2"' in fragment and 'name="seen_status" value="doing"' in fragment
    again = client.post(done_url(world.home.pk, made.pk), {"version": 2, "seen_status": "doing"}, **HTMX)
    assert again.status_code == 200
    made.refresh_from_db()
    assert made.status == ActionStatus.DONE


def test_a_stale_version_from_a_plain_form_gets_the_whole_page_with_409(client, world, teacher, board):
    made = due(board, teacher, "Leesroosters maken", week(0))
    board_services.action_move(board=board, action_id=made.pk, user=teacher, status=ActionStatus.DOING, version=1)
    client.force_login(teacher)
    response = client.post(done_url(world.home.pk, made.pk), {"version": 1, "seen_status": ActionStatus.TODO})
    assert response.status_code == 409
    assert "<h1>Mijn week</h1>" in response.content.decode()


def test_a_colleagues_text_edit_meanwhile_is_no_conflict_for_done(client, world, teacher, board):
    made = due(board, teacher, "Leesroosters maken", week(0))
    board_services.action_update(
        board=board,
        action_id=made.pk,
        user=teacher,
        version=1,
        base={"title": made.title},
        values={"title": "Leesroosters maken voor groep 5"},
    )
    client.force_login(teacher)
    response = client.post(done_url(world.home.pk, made.pk), {"version": 1, "seen_status": ActionStatus.TODO}, **HTMX)
    assert response.status_code == 200
    made.refresh_from_db()
    assert made.status == ActionStatus.DONE and made.title == "Leesroosters maken voor groep 5"


def test_done_for_someone_elses_action_or_another_schools_is_not_found(client, world, teacher, board):
    colleague = member(world.home_team)
    theirs = due(board, colleague, "Van een collega", week(0))
    foreign = world.boards[world.foreign.pk].action
    client.force_login(teacher)
    data = {"version": 1, "seen_status": ActionStatus.TODO}
    assert client.post(done_url(world.home.pk, theirs.pk), data, **HTMX).status_code == 404
    assert client.post(done_url(world.home.pk, foreign.pk), data, **HTMX).status_code == 404
    assert client.post(done_url(world.foreign.pk, foreign.pk), data, **HTMX).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == ActionStatus.TODO
    assert Action.objects.get(pk=foreign.pk).status == ActionStatus.TODO


def test_done_with_a_missing_version_says_so_and_moves_nothing(client, world, teacher, board):
    made = due(board, teacher, "Leesroosters maken", week(0))
    client.force_login(teacher)
    response = client.post(done_url(world.home.pk, made.pk), {"seen_status": "todo"}, **HTMX)
    assert response.status_code == 422
    assert "Dat lukte niet" in response.content.decode()
    made.refresh_from_db()
    assert made.status == ActionStatus.TODO


def test_done_is_a_post(client, world, teacher, board):
    made = due(board, teacher, "Leesroosters maken", week(0))
    client.force_login(teacher)
    assert client.get(done_url(world.home.pk, made.pk)).status_code == 405


# --- Board sessions of my teams ------------------------------------------------------------------


def test_my_teams_board_shows_this_weeks_session_running_and_not_another_teams(client, world, teacher):
    page = page_of(client, teacher, world.home)
    assert "De bordsessie van deze week loopt nu." in page
    assert world.home_team.name in page and world.other_home_team.name not in page


def test_a_session_held_this_week_says_so_with_the_next_one_on_the_same_weekday(client, world, teacher, board):
    session = world.boards[world.home.pk].session
    board_services.session_close(board=board, session_id=session.pk, user=teacher)
    session.refresh_from_db()
    page = page_of(client, teacher, world.home)
    held = clock.local(session.closed_at).date()
    usual = clock.local(session.started_at).date()
    assert "Deze week gehouden op " + date_format(held, "l j F") in page
    assert selectors.day_label(clock.this_week() + dt.timedelta(weeks=1, days=usual.weekday())) in page
    assert ">gehouden</span>" in page


def test_a_team_without_a_board_gets_the_way_to_open_it(client, world, coach):
    page = page_of(client, coach, world.home)
    assert world.other_home_team.name in page
    assert "Dit team heeft nog geen bord." in page
    assert f'href="/school/{world.home.pk}/teams/{world.other_home_team.pk}/bord/"' in page


def team_row(*, board_id=1, last=None, closed=None, running=False):
    return SimpleNamespace(board_id=board_id, last_started_at=last, closed_this_week=closed, running=running)


@pytest.fixture
def wednesday(monkeypatch):
    """Today is the Wednesday of this week (the next session's rule reads `clock.today`)."""
    monday = clock.this_week()
    monkeypatch.setattr(clock, "today", lambda: monday + dt.timedelta(days=2))
    return monday


def test_the_next_session_is_on_the_weekday_the_team_last_met(wednesday):
    last_thursday = clock.instant(wednesday - dt.timedelta(days=4), dt.time(8, 15))
    state = selectors._team_week(team_row(last=last_thursday), wednesday)
    assert state.state == "due" and state.next_day == wednesday + dt.timedelta(days=3)
    assert state.usual_day == "donderdag"


def test_the_usual_day_today_is_still_due_and_yesterday_is_missed(wednesday):
    on_wednesday = clock.instant(wednesday - dt.timedelta(days=5), dt.time(15, 0))
    assert selectors._team_week(team_row(last=on_wednesday), wednesday).state == "due"
    on_tuesday = clock.instant(wednesday - dt.timedelta(days=6), dt.time(15, 0))
    missed = selectors._team_week(team_row(last=on_tuesday), wednesday)
    assert missed.state == "missed" and missed.next_day is None and missed.usual_day == "dinsdag"


def test_a_board_never_used_and_a_team_without_a_board(wednesday):
    assert selectors._team_week(team_row(), wednesday).state == "never"
    assert selectors._team_week(team_row(board_id=None), wednesday).state == "no_board"


def test_a_session_late_on_monday_evening_in_amsterdam_counts_as_monday(wednesday):
    # 23:30 on Monday in Amsterdam is Monday (in UTC it is still Monday 21:30 or 22:30; an
    # evening session at 00:30 Tuesday is Tuesday).
    monday_night = clock.instant(wednesday - dt.timedelta(days=7), dt.time(23, 30))
    assert selectors._team_week(team_row(last=monday_night), wednesday).usual_day == "maandag"
    after_midnight = clock.instant(wednesday - dt.timedelta(days=6), dt.time(0, 30))
    assert selectors._team_week(team_row(last=after_midnight), wednesday).usual_day == "dinsdag"


# --- Lesson visits -----------------------------------------------------------------------------


def test_a_coming_visit_appears_for_visitor_and_visited_without_its_notes(client, world, teacher, coach):
    visit = world.instruments[world.home.pk].visit
    for user, words in ((teacher, f"{coach.full_name} bezoekt jou"), (coach, f"Jij bezoekt {teacher.full_name}")):
        page = page_of(client, user, world.home)
        assert words in page
        assert f'href="/school/{world.home.pk}/lesbezoeken/{visit.pk}/"' in page
        assert "Geheim" not in page  # the world's visit has notes: never on this page


def test_a_visit_of_two_colleagues_never_appears_not_even_for_the_schoolcoach(client, world, coach):
    jan, fatma = member(world.home_team, first_name="Jan"), member(world.home_team, first_name="Fatma")
    past_visit(school=world.home, visitor=jan, visited=fatma)
    LessonVisit.objects.create(
        school=world.home, visitor=jan, visited=fatma, starts_at=at(1), ends_at=at(1, 11), scheduled_by=jan
    )
    page = page_of(client, coach, world.home)
    assert jan.full_name not in page and fatma.full_name not in page


def test_a_visit_further_than_next_week_cancelled_or_debriefed_does_not_appear(client, world, teacher, coach):
    LessonVisit.objects.filter(pk=world.instruments[world.home.pk].visit.pk).update(status=VisitStatus.CANCELLED)
    far = clock.instant(clock.this_week() + dt.timedelta(weeks=2, days=1), dt.time(9))
    LessonVisit.objects.create(
        school=world.home, visitor=coach, visited=teacher, starts_at=far, ends_at=far + dt.timedelta(hours=1)
    )
    done = past_visit(school=world.home, visitor=coach, visited=teacher, status=VisitStatus.DONE)
    done.debriefed_at = timezone.now()
    done.save()
    page = page_of(client, teacher, world.home)
    assert coach.full_name not in page
    assert "Geen lesbezoeken deze week en volgende week" in page


def test_marking_a_visit_held_in_place_moves_it_to_the_debriefs(client, world, teacher, coach):
    visit = past_visit(school=world.home, visitor=coach, visited=teacher, days_ago=1)
    page = page_of(client, teacher, world.home)
    assert "Heeft het plaatsgevonden?" in page and held_url(world.home.pk, visit.pk) in page
    response = client.post(held_url(world.home.pk, visit.pk), **HTMX)
    assert response.status_code == 200
    fragment = response.content.decode()
    assert fragment.lstrip().startswith('<section id="my-visits"') and "<html" not in fragment
    assert held_url(world.home.pk, visit.pk) not in fragment
    assert "Nagesprek nog vastleggen" in fragment
    assert f'href="/school/{world.home.pk}/lesbezoeken/{visit.pk}/verslag/"' in fragment
    visit.refresh_from_db()
    assert visit.status == VisitStatus.HELD


def test_a_written_debrief_takes_the_visit_off_the_week(client, world, teacher, coach):
    visit = past_visit(school=world.home, visitor=coach, visited=teacher, status=VisitStatus.HELD)
    assert "Nagesprek nog vastleggen" in page_of(client, teacher, world.home)
    from instruments.services import lesson_visit as visit_services
    from schools.access import compute_access

    visit_services.lesson_visit_notes_save(
        access=compute_access(teacher),
        visit=visit,
        user=teacher,
        version=0,
        observations="",
        went_well="De instructie",
        learned="",
        next_step="",
    )
    page = page_of(client, teacher, world.home)
    assert "Nagesprek nog vastleggen" not in page and "De instructie" not in page


def test_marking_held_without_javascript_returns_to_the_week(client, world, teacher, coach):
    visit = past_visit(school=world.home, visitor=coach, visited=teacher, days_ago=1)
    client.force_login(coach)
    response = client.post(held_url(world.home.pk, visit.pk))
    assert response.status_code == 302 and response["Location"] == week_url(world.home.pk) + "#my-visits"
    visit.refresh_from_db()
    assert visit.status == VisitStatus.HELD


def test_a_visit_still_to_come_cannot_be_marked_held(client, world, teacher):
    visit = world.instruments[world.home.pk].visit
    client.force_login(teacher)
    response = client.post(held_url(world.home.pk, visit.pk), **HTMX)
    assert response.status_code == 422
    assert "moet nog beginnen" in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == VisitStatus.PLANNED


def test_marking_held_a_visit_i_am_not_in_or_of_another_school_is_not_found(client, world, coach):
    jan, fatma = member(world.home_team), member(world.home_team)
    theirs = past_visit(school=world.home, visitor=jan, visited=fatma)
    foreign = world.instruments[world.foreign.pk].visit
    client.force_login(coach)  # the schoolcoach may record it on the visit's page; not as their own week
    assert client.post(held_url(world.home.pk, theirs.pk), **HTMX).status_code == 404
    assert client.post(held_url(world.home.pk, foreign.pk), **HTMX).status_code == 404
    assert client.post(held_url(world.foreign.pk, foreign.pk), **HTMX).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == VisitStatus.PLANNED


# --- Lesson designs ----------------------------------------------------------------------------


def test_a_design_i_coauthor_appears_with_its_next_step_until_it_is_evaluated(client, world, teacher):
    design = world.instruments[world.home.pk].design
    page = page_of(client, teacher, world.home)
    assert design.title in page and "Maak het ontwerp samen af" in page
    assert f"/school/{world.home.pk}/lesontwerpen/{design.pk}/bewerken/" in page

    planned = clock.this_week() + dt.timedelta(days=3)
    LessonDesign.objects.filter(pk=design.pk).update(status=DesignStatus.READY, planned_on=planned)
    assert "Geef de les op " + selectors.day_label(planned) in page_of(client, teacher, world.home)

    LessonDesign.objects.filter(pk=design.pk).update(status=DesignStatus.GIVEN)
    page = page_of(client, teacher, world.home)
    assert "Evalueer samen" in page and f"/school/{world.home.pk}/lesontwerpen/{design.pk}/evaluatie/" in page

    LessonDesign.objects.filter(pk=design.pk).update(status=DesignStatus.EVALUATED, evaluated_at=timezone.now())
    page = page_of(client, teacher, world.home)
    assert design.title not in page and "Je werkt nu aan geen lesontwerp" in page


def test_a_design_of_my_team_i_do_not_coauthor_is_not_on_my_week(client, world, teacher):
    design = world.instruments[world.home.pk].design
    LessonDesignAuthor.objects.filter(design=design, user=teacher).delete()
    assert design.title not in page_of(client, teacher, world.home)


# --- Feedback rounds ---------------------------------------------------------------------------


def test_my_open_round_appears_with_its_count_until_it_closes(client, world, teacher, coach):
    feedback_round = world.instruments[world.home.pk].feedback_round
    FeedbackRound.objects.filter(pk=feedback_round.pk).update(closes_at=timezone.now() + dt.timedelta(hours=2))
    page = page_of(client, teacher, world.home)
    assert f'href="/school/{world.home.pk}/stem/{feedback_round.pk}/"' in page and "0 antwoorden" in page
    assert f"/stem/{feedback_round.pk}/" not in page_of(client, coach, world.home)  # the teacher's own
    FeedbackRound.objects.filter(pk=feedback_round.pk).update(closed_at=timezone.now())
    page = page_of(client, teacher, world.home)
    assert f"/stem/{feedback_round.pk}/" not in page and "Geen feedbackronde open" in page


def test_a_round_past_its_closing_time_is_not_open(client, world, teacher):
    feedback_round = world.instruments[world.home.pk].feedback_round
    past = timezone.now() - dt.timedelta(minutes=1)
    FeedbackRound.objects.filter(pk=feedback_round.pk).update(opened_at=past - dt.timedelta(hours=1), closes_at=past)
    assert f"/stem/{feedback_round.pk}/" not in page_of(client, teacher, world.home)


# --- A teacher at two schools ------------------------------------------------------------------


def test_a_teacher_at_two_schools_sees_each_schools_week_apart_and_can_switch(client, world, teacher):
    second = world.schools[1]
    team_membership_add(user=teacher, team=world.teams[second.pk][0])
    second_board = board_services.team_board_get_or_create(team=world.teams[second.pk][0], user=teacher)
    due(second_board, teacher, "Actie op de tweede school", week(0))
    due(world.boards[world.home.pk].board, teacher, "Actie op de eerste school", week(0))

    home_page = page_of(client, teacher, world.home)
    assert "Actie op de eerste school" in home_page and "Actie op de tweede school" not in home_page
    assert f'href="{week_url(second.pk)}">{second.name}</a>' in home_page
    second_page = page_of(client, teacher, second)
    assert "Actie op de tweede school" in second_page and "Actie op de eerste school" not in second_page
    assert world.instruments[world.home.pk].design.title not in second_page


def test_nothing_of_the_foreign_school_appears(client, world, teacher):
    foreign = world.boards[world.foreign.pk]
    Action.objects.filter(pk=foreign.action.pk).update(due_week=week(0))
    page = page_of(client, teacher, world.home)
    assert f"/borden/{foreign.board.pk}/" not in page
    assert f"/lesbezoeken/{world.instruments[world.foreign.pk].visit.pk}/" not in page
    assert f"/stem/{world.instruments[world.foreign.pk].feedback_round.pk}/" not in page


# --- The registry --------------------------------------------------------------------------------


def test_a_registered_section_is_drawn_with_what_its_loader_read(client, world, teacher, monkeypatch):
    monkeypatch.setattr(registry, "_SECTIONS", dict(registry._SECTIONS))
    seen = {}

    def load(*, access, school_id):
        seen.update(user_id=access.user_id, school_id=school_id)
        return {"invitations": []}

    registry.section(name="my-questionnaires", template="barometer/my_week_questionnaires.html", load=load)
    page = page_of(client, teacher, world.home)
    assert seen == {"user_id": teacher.pk, "school_id": world.home.pk}
    assert page.count('id="my-questionnaires"') == 1  # registered twice under one name: drawn once


# --- Queries -----------------------------------------------------------------------------------


def grow(world, teacher, coach, *, n: int) -> None:
    """More of every item on the teacher's week: actions, teams with boards and sessions, visits in
    every state, designs in every status, open rounds."""
    home = world.home
    board = world.boards[home.pk].board
    for i in range(n):
        due(board, teacher, f"Actie {i}", week(-(i % 3)))
        team = world.teams[home.pk][1] if i == 0 else None
        if team is None:
            from schools.tests.factories import TeamFactory

            team = TeamFactory(school=home, name=f"Extra team {i}")
        team_membership_add(user=teacher, team=team)
        extra_board = board_services.team_board_get_or_create(team=team, user=teacher)
        BoardSession.objects.create(
            school=home,
            board=extra_board,
            cycle=extra_board.cycles.get(),
            week=week(-1),
            started_at=timezone.now() - dt.timedelta(weeks=1),
            closed_at=timezone.now() - dt.timedelta(weeks=1),
        )
        past_visit(school=home, visitor=coach, visited=teacher, days_ago=1 + i)
        past_visit(school=home, visitor=teacher, visited=coach, days_ago=10 + i, status=VisitStatus.HELD)
        LessonVisit.objects.create(
            school=home, visitor=teacher, visited=coach, starts_at=at(1 + i), ends_at=at(1 + i, 11)
        )
        design = LessonDesign.objects.create(
            school=home,
            team=world.home_team,
            group=world.instruments[home.pk].group,
            title=f"Ontwerp {i}",
            status=[DesignStatus.DRAFT, DesignStatus.READY, DesignStatus.GIVEN][i % 3],
            planned_on=clock.today(),
        )
        LessonDesignAuthor.objects.create(school=home, design=design, user=teacher)
        FeedbackRound.objects.create(
            school=home,
            teacher=teacher,
            group=world.instruments[home.pk].group,
            title=f"Ronde {i}",
            code=f"X{i:05d}",
            opened_at=timezone.now(),
            closes_at=timezone.now() + dt.timedelta(hours=1),
            device_key="k" * 64,
        )


def count_queries(client, method: str, url: str, data=None, **headers) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url, data or {}, **headers)
    return len(queries.captured_queries), response


# The page as the teacher opens it, the same with one and with six of everything.
PAGE_QUERIES = 11


@pytest.mark.parametrize("n", [1, 6])
def test_the_page_takes_a_fixed_number_of_queries(client, world, teacher, coach, n):
    grow(world, teacher, coach, n=n)
    client.force_login(teacher)
    client.get(week_url(world.home.pk))  # the session remembers the school: not counted again
    count, response = count_queries(client, "get", week_url(world.home.pk))
    assert response.status_code == 200
    assert response.content.decode().count('class="my-week__item') >= 5 * n
    assert count == PAGE_QUERIES


ACTION_DONE_QUERIES = 17
VISIT_HELD_QUERIES = 15


@pytest.mark.pins_queries("instruments:my_week_action_done")
@pytest.mark.parametrize("n", [1, 6])
def test_done_takes_a_fixed_number_of_queries(client, world, teacher, coach, n):
    grow(world, teacher, coach, n=n)
    made = due(world.boards[world.home.pk].board, teacher, "Gemeten actie", week(0))
    client.force_login(teacher)
    client.get(week_url(world.home.pk))
    data = {"version": made.version, "seen_status": made.status}
    count, response = count_queries(client, "post", done_url(world.home.pk, made.pk), data, **HTMX)
    assert response.status_code == 200
    assert count == ACTION_DONE_QUERIES


@pytest.mark.pins_queries("instruments:my_week_visit_held")
@pytest.mark.parametrize("n", [1, 6])
def test_held_takes_a_fixed_number_of_queries(client, world, teacher, coach, n):
    grow(world, teacher, coach, n=n)
    visit = past_visit(school=world.home, visitor=coach, visited=teacher, days_ago=1)
    client.force_login(teacher)
    client.get(week_url(world.home.pk))
    count, response = count_queries(client, "post", held_url(world.home.pk, visit.pk), **HTMX)
    assert response.status_code == 200
    assert count == VISIT_HELD_QUERIES
