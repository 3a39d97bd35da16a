"""The school's board list: every team the reader sees, with its board's last session, attendance
and mood trend, or "nog geen bord" and a button to start it; a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pytest
from django.utils import timezone

from instruments.models import Attendance, BoardSession, Mood
from instruments.selectors.board import _mood_trend
from instruments.services import board as services
from instruments.tests.factories import member, team_board
from leerkracht import clock
from leerkracht.roles import Role
from schools.tests.factories import TeamFactory

pytestmark = pytest.mark.django_db


def list_url(school) -> str:
    return f"/school/{school.pk}/borden/"


def team_row(html: str, team) -> str:
    """The table row of `team` on the page ("" when it is not listed)."""
    found = re.search(rf'<tr id="team-{team.pk}">(.*?)</tr>', html, re.S)
    return found.group(1) if found else ""


def closed_session(board, *, weeks_back: int, moods: list[str], people: list | None = None) -> BoardSession:
    """A closed session `weeks_back` weeks ago, with a check-in per mood (by `people` if given)."""
    monday = clock.this_week() - dt.timedelta(weeks=weeks_back)
    when = timezone.now() - dt.timedelta(weeks=weeks_back)
    session = BoardSession.objects.create(
        school_id=board.school_id,
        board=board,
        cycle=services.open_cycle(board),
        week=monday,
        started_at=when,
        closed_at=when + dt.timedelta(minutes=15),
    )
    people = people or [member(board.team) for _ in moods]
    for person, mood in zip(people, moods, strict=True):
        Attendance.objects.create(school_id=board.school_id, session=session, user=person, mood=mood)
    return session


def test_a_team_without_a_board_is_listed_with_a_button_to_start_it(client, world):
    client.force_login(world.users[Role.SCHOOLCOACH])
    html = client.get(list_url(world.home)).content.decode()
    row = team_row(html, world.other_home_team)
    assert "nog geen bord" in row and "Bord starten" in row
    assert f"/teams/{world.other_home_team.pk}/bord/" in row
    assert "nog geen bord" not in team_row(html, world.home_team), "team A has its board"


def test_starting_a_board_from_the_list_makes_it_and_lists_it_with_the_boards(client, world):
    client.force_login(world.users[Role.SCHOOLCOACH])
    response = client.post(f"/school/{world.home.pk}/teams/{world.other_home_team.pk}/bord/")
    assert response.status_code == 302
    board = services.ImprovementBoard.objects.get(team=world.other_home_team, kind="team")
    row = team_row(client.get(list_url(world.home)).content.decode(), world.other_home_team)
    assert f"/borden/{board.pk}/" in row
    assert "nog geen bord" not in row and "nog geen sessie" in row


def test_a_teacher_sees_only_their_own_teams(client, world):
    client.force_login(world.users[Role.LERAAR])
    html = client.get(list_url(world.home)).content.decode()
    assert team_row(html, world.home_team)
    assert not team_row(html, world.other_home_team)


def test_a_reader_of_the_school_sees_the_team_without_a_board_but_no_button(client, world):
    client.force_login(world.users[Role.EXPERTCOACH])
    row = team_row(client.get(list_url(world.home)).content.decode(), world.other_home_team)
    assert "nog geen bord" in row and "Bord starten" not in row


def test_the_bestuurder_who_reads_numbers_only_is_refused_the_list_as_before(client, world):
    client.force_login(world.users[Role.BESTUURDER])
    assert client.get(list_url(world.home)).status_code == 403


def test_an_archived_team_is_not_offered_a_board_but_keeps_its_own_marked(client, world):
    archived = TeamFactory(school=world.home, name="Oud team", archived_at=timezone.now())
    archived_with_board = TeamFactory(school=world.home, name="Oud team met bord")
    team_board(archived_with_board, user=world.users[Role.SCHOOLCOACH])
    archived_with_board.archived_at = timezone.now()
    archived_with_board.save(update_fields=["archived_at"])
    client.force_login(world.users[Role.SCHOOLCOACH])
    html = client.get(list_url(world.home)).content.decode()
    assert not team_row(html, archived) and "Oud team<" not in html
    assert "gearchiveerd" in team_row(html, archived_with_board)


def test_another_schools_team_never_appears(client, world):
    foreign_team = TeamFactory(school=world.foreign, name="Team van elders")
    client.force_login(world.users[Role.SCHOOLCOACH])
    html = client.get(list_url(world.home)).content.decode()
    assert "Team van elders" not in html and not team_row(html, foreign_team)
    assert not team_row(html, world.teams[world.foreign.pk][0])


def test_the_last_session_its_attendance_and_the_mood_trend_are_shown(client, world):
    board = world.boards[world.home.pk].board
    closed_session(board, weeks_back=3, moods=[Mood.TIRED, Mood.LOW])
    closed_session(board, weeks_back=2, moods=[Mood.OKAY, Mood.TIRED])
    last = closed_session(board, weeks_back=1, moods=[Mood.GREAT, Mood.GOOD])
    members = world.home_team.memberships.count()
    client.force_login(world.users[Role.SCHOOLCOACH])
    row = team_row(client.get(list_url(world.home)).content.decode(), world.home_team)
    assert timezone.localtime(last.closed_at).date().isoformat() in row
    assert f"2 van {members}" in row
    assert "stemming: beter" in row and 'aria-hidden="true">↑' in row


def test_a_board_without_a_closed_session_says_so(client, world):
    client.force_login(world.users[Role.SCHOOLCOACH])
    row = team_row(client.get(list_url(world.home)).content.decode(), world.home_team)
    assert "nog geen sessie" in row, "this week's session is still open"


@pytest.mark.parametrize(
    ("moods", "trend"),
    [
        ([{Mood.GREAT: 2}, {Mood.OKAY: 2}, {Mood.LOW: 1}], "up"),
        ([{Mood.LOW: 2}, {Mood.GOOD: 2}], "down"),
        ([{Mood.GOOD: 1, Mood.OKAY: 1}, {Mood.GOOD: 1, Mood.OKAY: 1}], "same"),
        ([{Mood.GOOD: 1}], ""),
        ([{}, {Mood.GOOD: 1}], ""),
        ([{Mood.GOOD: 1}, {}], ""),
    ],
)
def test_the_mood_trend_compares_the_last_session_with_the_ones_before(moods, trend):
    assert _mood_trend([Counter(m) for m in moods]) == trend


def test_the_board_list_runs_as_many_queries_for_two_teams_as_for_twelve(client, world, django_assert_num_queries):
    """Teams with boards, sessions and check-ins: the same count at two sizes (and as pinned)."""
    coach = world.users[Role.SCHOOLCOACH]

    def grow(n: int) -> None:
        for _ in range(n):
            board = team_board(TeamFactory(school=world.home), user=coach)
            for back in (1, 2, 3, 4):
                closed_session(board, weeks_back=back, moods=[Mood.GOOD, Mood.OKAY])

    client.force_login(coach)
    grow(1)
    client.get(list_url(world.home))  # the session remembers the school
    with django_assert_num_queries(9):
        client.get(list_url(world.home))
    grow(10)
    with django_assert_num_queries(9):
        html = client.get(list_url(world.home)).content.decode()
    assert html.count("stemming: gelijk") == 11


def test_the_last_sessions_moods_are_shown_as_counts_in_words(client, world):
    closed_session(world.boards[world.home.pk].board, weeks_back=1, moods=[Mood.GOOD, Mood.GOOD, Mood.LOW])
    client.force_login(world.users[Role.SCHOOLCOACH])
    row = team_row(client.get(list_url(world.home)).content.decode(), world.home_team)
    assert "2× goed · 1× zwaar" in row
    assert "nog geen vergelijking" in row, "one session: nothing to compare with"
