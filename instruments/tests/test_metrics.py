"""What the instruments recorded, per team and for the school (instruments.selectors.metrics), and
the school page's "Ritme van de instrumenten" that shows it: exact figures from data built
through the services and counted here by hand, who sees what, and a fixed query count."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass

import pytest
from django.test import Client
from django.utils import timezone

from instruments.models import BoardSession, DesignStatus, FeedbackRound, LessonDesign, LessonVisit, RoundStatement
from instruments.selectors import metrics
from instruments.services import board as board_services
from instruments.services import feedback as feedback_services
from instruments.services import lesson_design as design_services
from instruments.services import lesson_visit as visit_services
from instruments.services.groups import pupil_group_get_or_create
from instruments.tests.factories import member, started_weeks_ago, team_board
from leerkracht import clock
from leerkracht.roles import Role
from schools.access import compute_access
from schools.models import School, Team, User
from schools.services import team_membership_add
from schools.tests.factories import (
    SchoolFactory,
    SchoolGroupMembershipFactory,
    SchoolMembershipFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


# --- Builders: through the services, then moved to the day the test needs ------------------------

_slots = itertools.count(1)


def days_ago(days: int, hour: int = 10) -> dt.datetime:
    day = timezone.localdate() - dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def session(team: Team, *, by: User, at: dt.datetime, close: bool = True) -> BoardSession:
    board = team_board(team, user=by)
    made = board_services.session_start(board=board, user=by, week=clock.monday_of(timezone.localtime(at).date()))
    if close:
        board_services.session_close(board=board, session_id=made.pk, user=by, decisions="Tien minuten lezen")
    BoardSession.objects.filter(pk=made.pk).update(
        started_at=at, closed_at=at + dt.timedelta(minutes=15) if close else None
    )
    return made


def visit(visitor: User, visited: User, *, at: dt.datetime, school: School) -> LessonVisit:
    """Planned by the visitor in a free future slot, then moved to `at`."""
    made = visit_services.lesson_visit_schedule(
        access=compute_access(visitor),
        school_id=school.pk,
        user=visitor,
        visitor_id=visitor.pk,
        visited_id=visited.pk,
        starts_at=timezone.now() + dt.timedelta(days=100 + next(_slots)),
        minutes=50,
    )
    LessonVisit.objects.filter(pk=made.pk).update(starts_at=at, ends_at=at + dt.timedelta(minutes=50))
    made.refresh_from_db()
    return made


def design(team: Team, *, authors: list[User], at: dt.datetime, status: str = DesignStatus.READY) -> LessonDesign:
    maker, *others = authors
    made = design_services.lesson_design_create(
        team=team,
        user=maker,
        title="Breuken vergelijken",
        subject="Rekenen",
        group="Groep 6",
        lesson_goal="Leerlingen vergelijken twee breuken",
        authors=others,
    )
    for step in {DesignStatus.DRAFT: [], DesignStatus.READY: ["ready"], DesignStatus.GIVEN: ["ready", "given"]}[status]:
        design_services.lesson_design_status_set(design=made, user=maker, status=step)
    LessonDesign.objects.filter(pk=made.pk).update(created_at=at)
    return made


def feedback_round(teacher: User, team: Team, *, at: dt.datetime, answers: int = 1) -> FeedbackRound:
    group = pupil_group_get_or_create(school_id=team.school_id, name=f"Groep van {teacher.pk}", team_id=team.pk)
    if not group.criteria.exists():
        for text in ("Duidelijk", "Vragen stellen", "Samenwerken", "Tempo", "Iets geleerd"):
            feedback_services.feedback_criterion_add(group=group, text=text)
    made = feedback_services.feedback_round_open(
        school_id=team.school_id,
        teacher=teacher,
        group=group,
        title="Breuken",
        closes_at=timezone.now() + dt.timedelta(hours=1),
    )
    statements = list(RoundStatement.objects.filter(round=made).order_by("position"))
    for n in range(answers):
        feedback_services.feedback_response_submit(
            feedback_round=made,
            device_value=f"apparaat-{made.pk}-{n}".ljust(40, "x"),
            top_ids=[statements[0].pk],
            tip_id=statements[1].pk,
        )
    FeedbackRound.objects.filter(pk=made.pk).update(opened_at=at, closes_at=at + dt.timedelta(hours=1))
    return made


@dataclass
class Busy:
    school: School
    team_a: Team
    team_b: Team
    coach: User
    leader: User


def busy_school() -> Busy:
    """Team A: a1, a2, a3; team B: b1 and a3 (in two teams); a schoolcoach in no team; a leader;
    team C with only an inactive member; team D empty. What they recorded, in the last six weeks
    unless said otherwise, is written beside each line and counted by hand in the tests."""
    school = SchoolFactory(name="Drukke school")
    team_a, team_b = TeamFactory(school=school, name="Team A"), TeamFactory(school=school, name="Team B")
    a1, a2, a3 = member(team_a), member(team_a), member(team_a)
    b1 = member(team_b)
    team_membership_add(user=a3, team=team_b)
    coach = SchoolMembershipFactory(school=school, role=Role.SCHOOLCOACH).user
    leader = SchoolMembershipFactory(school=school, role=Role.SCHOOLLEIDER).user
    gone = member(TeamFactory(school=school, name="Team C"))
    User.objects.filter(pk=gone.pk).update(is_active=False)
    TeamFactory(school=school, name="Team D")

    # Board sessions. A: three closed (1, 8, 15 days ago), one never closed, one too long ago.
    for days in (1, 8, 15):
        session(team_a, by=a1, at=days_ago(days))
    session(team_a, by=a1, at=days_ago(3), close=False)
    session(team_a, by=a1, at=days_ago(50))
    # B: one closed, 20 days ago.
    session(team_b, by=b1, at=days_ago(20))

    # Lesson visits. Counted: a1→a2 (2 days ago), a2→b1 (10), coach→b1 (5).
    visit(a1, a2, at=days_ago(2), school=school)
    visit(a2, b1, at=days_ago(10), school=school)
    visit(coach, b1, at=days_ago(5), school=school)
    # Not counted: b1→a3 marked not held, a1→b1 cancelled, a1→a2 too long ago, a3→a1 to come.
    missed = visit(b1, a3, at=days_ago(12), school=school)
    visit_services.lesson_visit_mark_not_held(access=compute_access(b1), visit=missed, user=b1)
    cancelled = visit(a1, b1, at=days_ago(20), school=school)
    visit_services.lesson_visit_cancel(access=compute_access(a1), visit=cancelled, user=a1)
    visit(a1, a2, at=days_ago(60), school=school)
    visit_services.lesson_visit_schedule(
        access=compute_access(a3),
        school_id=school.pk,
        user=a3,
        visitor_id=a3.pk,
        visited_id=a1.pk,
        starts_at=timezone.now() + dt.timedelta(days=3),
        minutes=50,
    )

    # Lesson designs. Counted: a1+a2 ready (3 days ago), a3+b1 given (7). Not: a draft, an old one.
    design(team_a, authors=[a1, a2], at=days_ago(3))
    design(team_b, authors=[a3, b1], at=days_ago(7), status=DesignStatus.GIVEN)
    design(team_a, authors=[a1, a2], at=days_ago(4), status=DesignStatus.DRAFT)
    design(team_a, authors=[a1, a3], at=days_ago(70))

    # Feedback rounds. Counted: a1's (4 days ago), a3's (9). Not: b1's unanswered, a1's old one.
    feedback_round(a1, team_a, at=days_ago(4))
    feedback_round(a3, team_a, at=days_ago(9), answers=3)
    feedback_round(b1, team_b, at=days_ago(6), answers=0)
    feedback_round(a1, team_a, at=days_ago(80))
    return Busy(school, team_a, team_b, coach, leader)


# --- The figures -------------------------------------------------------------------------------------


def figures(row: metrics.Rhythm) -> dict:
    return {
        "teachers": row.teachers,
        "teams": row.teams,
        "board_sessions": row.board_sessions,
        "visits": row.visits,
        "visit_participations": row.visit_participations,
        "designs": row.designs,
        "design_authorships": row.design_authorships,
        "feedback_rounds": row.feedback_rounds,
    }


def test_the_rhythm_per_team_and_for_the_school_counts_what_took_place():
    busy = busy_school()
    rhythm = metrics.school_rhythm(access=compute_access(busy.coach), school_id=busy.school.pk)
    rows = {row.name: row for row in rhythm.teams}
    assert list(rows) == ["Team A", "Team B", "Team C", "Team D"]
    # Team A (a1, a2, a3): visits a1→a2 (2 of theirs) and a2→b1 (1); designs: a1+a2's (2
    # authors) and a3's part in a3+b1's (1); rounds of a1 and a3.
    assert figures(rows["Team A"]) == {
        "teachers": 3,
        "teams": 1,
        "board_sessions": 3,
        "visits": 2,
        "visit_participations": 3,
        "designs": 2,
        "design_authorships": 3,
        "feedback_rounds": 2,
    }
    # Team B (b1, a3): visits a2→b1 and coach→b1 (b1 each time); design a3+b1 (both); a3's round.
    assert figures(rows["Team B"]) == {
        "teachers": 2,
        "teams": 1,
        "board_sessions": 1,
        "visits": 2,
        "visit_participations": 2,
        "designs": 1,
        "design_authorships": 2,
        "feedback_rounds": 1,
    }
    assert figures(rows["Team C"])["teachers"] == 0 and rows["Team C"].teams == 0, "an inactive member only"
    assert figures(rows["Team D"]) == dict.fromkeys(figures(rows["Team D"]), 0)
    # The school: a1, a2, a3, b1 and the schoolcoach teach (the leader does not); A and B have members.
    assert figures(rhythm.school) == {
        "teachers": 5,
        "teams": 2,
        "board_sessions": 4,
        "visits": 3,
        "visit_participations": 6,
        "designs": 2,
        "design_authorships": 4,
        "feedback_rounds": 2,
    }
    assert rhythm.weeks == 6 and rhythm.last_day == timezone.localdate()
    assert rhythm.first_day == timezone.localdate() - dt.timedelta(days=41), "six weeks of days, today included"


def test_the_rates_and_targets_follow_the_programmes_rhythm():
    busy = busy_school()
    rhythm = metrics.school_rhythm(access=compute_access(busy.coach), school_id=busy.school.pk)
    team_a, team_b, *_ = rhythm.teams
    assert team_a.board_sessions_target == 6 and not team_a.board_sessions_on_target  # 3 of 6 weeks
    assert rhythm.school.board_sessions_target == 12  # two teams with members
    assert team_a.visits_per_teacher == pytest.approx(1.0) and team_b.visits_per_teacher == pytest.approx(1.0)
    assert team_a.visits_target == pytest.approx(3.0)  # every other week for six weeks
    assert rhythm.school.visits_per_teacher == pytest.approx(6 / 5)
    assert team_a.designs_target == pytest.approx(42 / (365.25 / 12))  # one a month, six weeks long
    assert team_a.designs_per_teacher == pytest.approx(1.0) and rhythm.school.designs_per_teacher == pytest.approx(0.8)
    assert rhythm.teams[3].visits_per_teacher is None, "a team without teachers has no rate"


def test_a_team_that_keeps_the_rhythm_is_on_schedule(world):
    school = SchoolFactory()
    team = TeamFactory(school=school, name="Team Ritme")
    one, two = member(team), member(team)
    for week in range(6):
        session(team, by=one, at=days_ago(7 * week + 1))
    for n in range(3):
        visit(one, two, at=days_ago(14 * n + 2), school=school)
    design(team, authors=[one, two], at=days_ago(5))
    design(team, authors=[two, one], at=days_ago(30))
    row = metrics.school_rhythm(access=compute_access(world.users[Role.ADMIN]), school_id=school.pk).teams[0]
    assert row.board_sessions_on_target and row.visits_on_target and row.designs_on_target


def test_the_barometer_reads_the_same_rule(world):
    """The per-school counts the barometer's staircase reads (`recorded_for_school`) count with these
    querysets: the same school, the same days, the same numbers."""

    busy = busy_school()
    rhythm = metrics.school_rhythm(access=compute_access(busy.coach), school_id=busy.school.pk)
    recorded = metrics.recorded_for_school(
        school_id=busy.school.pk, since=rhythm.first_day, until=rhythm.last_day + dt.timedelta(days=1)
    )
    assert (recorded.board_sessions, recorded.visits_done, recorded.designs_made, recorded.feedback_rounds) == (
        rhythm.school.board_sessions,
        rhythm.school.visits,
        rhythm.school.designs,
        rhythm.school.feedback_rounds,
    )
    assert (recorded.teams, recorded.teachers, recorded.design_authors) == (2, 5, 4)


def test_the_visit_rhythm_per_teacher_counts_with_the_same_rule():
    """The lesson visits' own rhythm page (eight weeks, per teacher) counts the visits `metrics`
    counts over the same eight weeks, once for the visitor and once for the visited teacher."""
    from instruments.selectors.lesson_visit import RHYTHM_TARGET, RHYTHM_WEEKS, lesson_visit_rhythm

    busy = busy_school()
    rows = lesson_visit_rhythm(access=compute_access(busy.coach), school_id=busy.school.pk)
    now = timezone.now()
    done = metrics.lesson_visits_done(
        school_ids=[busy.school.pk], start=now - dt.timedelta(weeks=RHYTHM_WEEKS), end=now
    )
    pairs = list(done.values_list("visitor_id", "visited_id"))
    by_person = {row.person.pk: row.held for row in rows}
    assert by_person == {person: sum(person in pair for pair in pairs) for person in by_person}
    # By hand: a1→a2 (2 days ago), a2→b1 (10), coach→b1 (5); not-held, cancelled, 60 days ago
    # (past eight weeks) and the visit to come are left out.
    assert sorted(by_person.values()) == [0, 1, 1, 2, 2] and sum(by_person.values()) == 2 * len(pairs) == 6
    assert RHYTHM_TARGET * metrics.VISIT_EVERY_DAYS == RHYTHM_WEEKS * metrics.DAYS_PER_WEEK


def test_a_boards_weeks_and_the_schools_rhythm_differ_only_by_a_session_not_closed():
    """The board's own rhythm counts a week from the moment its session starts; the school's rhythm
    (and so the staircase) once the session is closed. Team A's board: per week, the board's count
    less its sessions still open is what `metrics` counts, and the pages say so."""
    from instruments.selectors.board import board_rhythm

    busy = busy_school()
    board = started_weeks_ago(team_board(busy.team_a, user=busy.coach), 8)
    weeks = board_rhythm(board=board).weeks
    assert len(weeks) > 3
    first, last = weeks[0][0], weeks[-1][0] + dt.timedelta(weeks=1)
    start, end = clock.period_bounds(since=first, until=last)
    held = metrics.board_sessions_held(school_ids=[busy.school.pk], start=start, end=end).filter(board=board)
    closed_per_week = {}
    for started_at in held.values_list("started_at", flat=True):
        monday = clock.monday_of(timezone.localtime(started_at).date())
        closed_per_week[monday] = closed_per_week.get(monday, 0) + 1
    still_open = {
        clock.monday_of(timezone.localtime(at).date())
        for at in BoardSession.objects.filter(board=board, closed_at__isnull=True).values_list("started_at", flat=True)
    }
    assert len(still_open) == 1
    for monday, count in weeks:
        assert count - (monday in still_open) == closed_per_week.get(monday, 0), monday


def test_the_pages_say_how_their_counts_differ(client):
    busy = busy_school()
    client.force_login(busy.coach)
    rhythm = client.get(f"/school/{busy.school.pk}/ritme/", **HTMX).content.decode()
    assert "over het halfjaar voor een meetmoment" in rhythm
    assert "hier pas als de sessie is afgesloten" in rhythm
    assert "acht weken terug" in rhythm
    board = team_board(busy.team_a, user=busy.coach)
    sessions = client.get(f"/school/{busy.school.pk}/borden/{board.pk}/sessies/").content.decode()
    assert "tellen een sessie pas als hij is afgesloten" in sessions


# --- The page and the school page's section ---------------------------------------------------------


def cells(html: str, name: str) -> list[str]:
    """The text of each cell of the row headed `name`."""
    row = re.search(rf"<tr>\s*<th scope=\"row\">{re.escape(name)}</th>(.*?)</tr>", html, re.S)[1]
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip()
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    ]


def test_the_fragment_shows_each_teams_figures_against_the_targets(client):
    busy = busy_school()
    client.force_login(busy.coach)
    response = client.get(f"/school/{busy.school.pk}/ritme/", **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<section id="school-rhythm"')
    assert "<caption" in html and '<th scope="col"' in html
    assert cells(html, "Team A") == ["3", "3 van 6 achter", "1 van 3 achter", "1 van 1,4 achter", "2"]
    assert cells(html, "Team B") == ["2", "1 van 6 achter", "1 van 3 achter", "1 van 1,4 achter", "1"]
    assert cells(html, "Team C")[1] == "geen leden"
    assert cells(html, "Hele school") == ["5", "4 van 12 achter", "1,2 van 3 achter", "0,8 van 1,4 achter", "2"]


def test_without_javascript_the_same_figures_are_a_page_of_their_own(client):
    busy = busy_school()
    client.force_login(busy.leader)
    response = client.get(f"/school/{busy.school.pk}/ritme/")
    html = response.content.decode()
    assert response.status_code == 200 and "<h1>Drukke school</h1>" in html
    assert cells(html, "Team A")[1] == "3 van 6 achter"


def test_the_school_page_loads_the_section_from_the_instruments_and_links_it(client, world):
    client.force_login(world.users[Role.SCHOOLCOACH])
    html = client.get(f"/school/{world.home.pk}/").content.decode()
    url = f"/school/{world.home.pk}/ritme/"
    assert f'hx-get="{url}" hx-trigger="load" hx-swap="outerHTML"' in html
    assert f'<a href="{url}">' in html, "a plain link where there is no JavaScript"
    assert "Er zijn nog geen gegevens" not in html


@pytest.mark.parametrize(
    "role", [Role.SCHOOLCOACH, Role.SCHOOLLEIDER, Role.EXPERTCOACH, Role.VERANDERCOACH, Role.ADMIN]
)
def test_those_who_see_the_schools_teams_see_a_row_per_team(client, world, role):
    client.force_login(world.users[role])
    html = client.get(f"/school/{world.home.pk}/ritme/", **HTMX).content.decode()
    assert cells(html, world.home_team.name) and cells(html, world.other_home_team.name)
    assert cells(html, "Hele school")


def test_the_bestuurder_sees_the_schools_total_only(client, world):
    client.force_login(world.users[Role.BESTUURDER])
    response = client.get(f"/school/{world.home.pk}/ritme/", **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and cells(html, "Hele school")
    assert world.home_team.name not in html and world.other_home_team.name not in html


def test_a_teacher_gets_403_and_another_schools_people_404(client, world):
    client.force_login(world.users[Role.LERAAR])
    assert client.get(f"/school/{world.home.pk}/ritme/").status_code == 403
    client.force_login(world.users[Role.SCHOOLCOACH])
    assert client.get(f"/school/{world.foreign.pk}/ritme/", **HTMX).status_code == 404
    other_bestuurder = SchoolGroupMembershipFactory(school_group=world.foreign.school_group, role=Role.BESTUURDER)
    client.force_login(other_bestuurder.user)
    assert client.get(f"/school/{world.home.pk}/ritme/").status_code == 404


def test_the_rhythm_pages_carry_no_inline_code(client, world):
    from leerkracht.tests.test_security import inline_code

    client.force_login(world.users[Role.SCHOOLCOACH])
    for headers in ({}, HTMX):
        response = client.get(f"/school/{world.home.pk}/ritme/", **headers)
        assert response.status_code == 200 and inline_code(response.content.decode()) == []


# --- Queries ------------------------------------------------------------------------------------------


def grow(school: School, *, teams: int) -> None:
    """More teams, each with teachers, sessions, visits, designs and rounds."""
    for n in range(teams):
        team = TeamFactory(school=school, name=f"Extra team {n:02d}")
        one, two = member(team), member(team)
        session(team, by=one, at=days_ago(2 + n % 20))
        visit(one, two, at=days_ago(3 + n % 20), school=school)
        design(team, authors=[one, two], at=days_ago(4 + n % 20))
        feedback_round(one, team, at=days_ago(5 + n % 20))


# Session, user and access come first; the page adds the school switcher and the school. Then
# the rhythm: the teams, their active members, the school's teachers by role, and one read per
# instrument (sessions grouped by team, visits, design authors, answered rounds).
EXPECTED_QUERIES = {"fragment": 10, "page": 12}


@pytest.mark.parametrize("kind", ["fragment", "page"])
def test_the_query_count_is_fixed_whatever_the_number_of_teams(world, kind, django_assert_num_queries):
    school = world.home
    coach = Client()
    coach.force_login(world.users[Role.SCHOOLCOACH])
    headers = HTMX if kind == "fragment" else {}
    url = f"/school/{school.pk}/ritme/"
    coach.get(url, **headers)  # warm-up: the session is read once
    with django_assert_num_queries(EXPECTED_QUERIES[kind]):
        assert coach.get(url, **headers).status_code == 200
    grow(school, teams=15)
    with django_assert_num_queries(EXPECTED_QUERIES[kind]):
        html = coach.get(url, **headers).content.decode()
    assert html.count("Extra team") == 15
