""" "Iedereen aanwezig": one tap ticks every member of the team present at the open session."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from instruments.models import Attendance, ImprovementBoard
from instruments.selectors import board as selectors
from instruments.services import board as services
from instruments.tests.factories import class_board, member
from leerkracht.roles import Role

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def home(world):
    return world.boards[world.home.pk]


@pytest.fixture
def teacher(world):
    return world.users[Role.LERAAR]


@pytest.fixture
def colleagues(world):
    return [member(world.home_team, first_name=name) for name in ("Anouk", "Bas", "Cem")]


def revision(board) -> int:
    return ImprovementBoard.objects.get(pk=board.pk).revision


def present(session) -> set[int]:
    return selectors.session_check_in(session=session, user_id=None).present_ids


def url(contents) -> str:
    board = contents.board
    return f"/school/{board.school_id}/borden/{board.pk}/sessies/{contents.session.pk}/iedereen-aanwezig/"


def test_attendance_set_all_ticks_every_member_and_keeps_a_mood_already_given(home, teacher, colleagues):
    """Everyone of the team is present afterwards; a colleague's earlier check-in keeps its mood;
    the revision rises once (the presentation screen refreshes)."""
    session = home.session
    services.mood_check_in(board=home.board, session_id=session.pk, user=colleagues[0], mood="great")
    start = revision(home.board)
    ticked = services.attendance_set_all(board=home.board, session_id=session.pk, user=teacher)
    assert ticked == 2, "the teacher (who started the session) and Anouk were already present"
    assert present(session) == {teacher.pk, *(c.pk for c in colleagues)}
    assert Attendance.objects.get(session=session, user=colleagues[0]).mood == "great"
    assert revision(home.board) == start + 1


def test_attendance_set_all_twice_changes_nothing_the_second_time(home, teacher, colleagues):
    """A second tap (or a second phone) ticks nobody twice and leaves the revision alone."""
    services.attendance_set_all(board=home.board, session_id=home.session.pk, user=teacher)
    start = revision(home.board)
    assert services.attendance_set_all(board=home.board, session_id=home.session.pk, user=teacher) == 0
    assert Attendance.objects.filter(session=home.session).count() == 4
    assert revision(home.board) == start


def test_attendance_set_all_refuses_a_closed_session(home, teacher, colleagues):
    """A closed session's record stays as it was."""
    services.session_close(board=home.board, session_id=home.session.pk, user=teacher)
    with pytest.raises(ValidationError):
        services.attendance_set_all(board=home.board, session_id=home.session.pk, user=teacher)
    assert present(home.session) == {teacher.pk}


def test_attendance_set_all_refuses_a_class_board(world, teacher):
    """On a class board pupils check in anonymously: there is no list of people to tick."""
    board = class_board(world.home_team, teacher=teacher)
    session = services.session_start(board=board, user=teacher)
    before = Attendance.objects.filter(session=session).count()
    with pytest.raises(ValidationError):
        services.attendance_set_all(board=board, session_id=session.pk, user=teacher)
    assert Attendance.objects.filter(session=session).count() == before


def test_everyone_present_button_answers_htmx_with_the_session_panel(client, home, teacher, colleagues):
    """The button is in the attendance; pressed (htmx) it answers the session panel with every
    member ticked."""
    client.force_login(teacher)
    page = client.get(f"/school/{home.board.school_id}/borden/{home.board.pk}/").content.decode()
    assert f'action="{url(home)}"' in page and "Iedereen aanwezig" in page
    response = client.post(url(home), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="session"')
    assert "Aanwezig (4/4)" in html
    assert 'aria-pressed="false"' not in html.split('class="attendance"')[1].split("</fieldset>")[0]


def test_everyone_present_without_javascript_redirects_to_the_session(client, home, teacher, colleagues):
    """A plain POST works too: back to the board's session panel."""
    client.force_login(teacher)
    response = client.post(url(home))
    assert response.status_code == 302
    assert response["Location"].endswith("#session")
    assert present(home.session) == {teacher.pk, *(c.pk for c in colleagues)}


def test_everyone_present_on_a_closed_session_says_why(client, home, teacher, colleagues):
    """Closed meanwhile (a colleague's phone): 422 with the reason, nobody ticked."""
    services.session_close(board=home.board, session_id=home.session.pk, user=teacher)
    client.force_login(teacher)
    response = client.post(url(home), **HTMX)
    assert response.status_code == 422
    assert "al afgesloten" in response.content.decode()
    assert present(home.session) == {teacher.pk}


def test_everyone_present_is_not_for_a_reader_or_another_school(client, world, home, colleagues):
    """The school's expertcoach may read the board but not tick (403); the other school's
    teacher does not learn the board exists (404). Nobody is ticked either way."""
    client.force_login(world.users[Role.EXPERTCOACH])
    assert client.post(url(home), **HTMX).status_code == 403
    foreign_teacher = member(world.teams[world.foreign.pk][0])
    client.force_login(foreign_teacher)
    assert client.post(url(home), **HTMX).status_code == 404
    assert present(home.session) == {world.users[Role.LERAAR].pk}
