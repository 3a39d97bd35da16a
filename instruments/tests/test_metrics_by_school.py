"""What the instruments recorded per school and period (instruments.selectors.metrics.recorded_by_school): the
exact counts with everything that must not count beside what must, the rates in the survey's
units, Amsterdam period boundaries in winter and summer, the tenant scope, and a query count
that is the same for one school or five."""

from __future__ import annotations

import contextvars
import datetime as dt
import itertools
from dataclasses import dataclass

import pytest
from django.utils import timezone

from instruments.models import (
    BoardSession,
    DesignStatus,
    FeedbackRound,
    LessonDesign,
    LessonVisit,
    RoundStatement,
)
from instruments.selectors.metrics import (
    DAYS_PER_MONTH,
    TARGET_VISITS_PER_TEACHER_PER_MONTH,
    Recorded,
    recorded_by_school,
    recorded_for_school,
)
from instruments.services import board as board_services
from instruments.services import feedback as feedback_services
from instruments.services import lesson_design as design_services
from instruments.services import lesson_visit as visit_services
from instruments.services.groups import pupil_group_get_or_create
from instruments.tests.factories import class_board, member, team_board
from leerkracht import clock, tenancy
from leerkracht.roles import Role
from schools.access import compute_access
from schools.models import School, Team, User
from schools.selectors import teachers_of_school
from schools.tests.factories import SchoolFactory, SchoolMembershipFactory, TeamFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC


# --- Builders: through the instruments' services, then moved in time -----------------------------
#
# The services stamp "now" (and refuse to plan a visit in the past), so each builder makes the
# thing as a teacher would and then moves its timestamp to `at`, the instant the test needs.

_slots = itertools.count(1)


def session(board, *, by: User, at: dt.datetime, close: bool = True) -> BoardSession:
    """A board session started (and, unless `close` is False, closed) at `at`."""
    made = board_services.session_start(board=board, user=by)
    if close:
        board_services.session_close(board=board, session_id=made.pk, user=by, decisions="Elke dag tien minuten lezen")
    BoardSession.objects.filter(pk=made.pk).update(
        week=clock.monday_of(at.astimezone(clock.AMSTERDAM).date()),
        started_at=at,
        closed_at=at + dt.timedelta(minutes=15) if close else None,
    )
    return made


def visit(*, visitor: User, visited: User, at: dt.datetime) -> LessonVisit:
    """A visit planned by its visitor (in a free future slot) and then moved to `at`."""
    slot = timezone.now() + dt.timedelta(days=next(_slots), hours=1)
    made = visit_services.lesson_visit_schedule(
        access=compute_access(visitor),
        school_id=_school_of(visitor),
        user=visitor,
        visitor_id=visitor.pk,
        visited_id=visited.pk,
        starts_at=slot,
        minutes=50,
    )
    LessonVisit.objects.filter(pk=made.pk).update(starts_at=at, ends_at=at + dt.timedelta(minutes=50))
    made.refresh_from_db()
    return made


def debrief(made: LessonVisit) -> LessonVisit:
    """The visitor writes what was observed and what the debrief brought: the visit is done."""
    visit_services.lesson_visit_notes_save(
        access=compute_access(made.visitor),
        visit=made,
        user=made.visitor,
        version=0,
        observations="Alle leerlingen schreven mee",
        went_well="Duidelijke instructie",
        learned="Meer wachttijd na een vraag",
        next_step="Wisbordjes inzetten",
    )
    made.refresh_from_db()
    return made


def cancel(made: LessonVisit) -> LessonVisit:
    return visit_services.lesson_visit_cancel(access=compute_access(made.visitor), visit=made, user=made.visitor)


def design(team: Team, *, authors: list[User], at: dt.datetime, status: str = DesignStatus.READY) -> LessonDesign:
    """A lesson design by `authors` (the first makes it), brought to `status`, started at `at`."""
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
    steps = {
        DesignStatus.DRAFT: [],
        DesignStatus.READY: [DesignStatus.READY],
        DesignStatus.GIVEN: [DesignStatus.READY, DesignStatus.GIVEN],
        DesignStatus.EVALUATED: [DesignStatus.READY, DesignStatus.GIVEN],
    }[status]
    for step in steps:
        design_services.lesson_design_status_set(design=made, user=maker, status=step)
    if status == DesignStatus.EVALUATED:
        design_services.lesson_design_evaluate(design=made, user=maker, goal_reached="yes", next_step="Herhalen")
    LessonDesign.objects.filter(pk=made.pk).update(created_at=at)
    return made


def feedback_round(teacher: User, team: Team, *, at: dt.datetime, answers: int = 1) -> FeedbackRound:
    """A round the teacher opened for their group, answered by `answers` pupils, opened at `at`."""
    group = pupil_group_get_or_create(school_id=team.school_id, name=f"Groep van {teacher.pk}", team_id=team.pk)
    if not group.criteria.exists():
        for text in ("De uitleg was duidelijk", "Ik kon vragen stellen", "We werkten samen", "Het tempo was goed"):
            feedback_services.feedback_criterion_add(group=group, text=text)
        feedback_services.feedback_criterion_add(group=group, text="Ik heb iets nieuws geleerd")
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


def _school_of(user: User) -> int:
    from schools.models import SchoolMembership

    return SchoolMembership.unscoped.filter(user=user).values_list("school_id", flat=True).first()


@dataclass
class Staff:
    school: School
    team_a: Team
    team_b: Team
    a1: User
    a2: User
    a3: User
    b1: User


def staffed_school() -> Staff:
    """Two teams with teachers (A: three, B: one), plus people who must not change the counts
    twice or at all: a schoolcoach in no team (counted), a person who is both leraar and
    schoolcoach in no team (counted once), a school leader (not a teacher), an inactive teacher
    alone in a third team (neither the teacher nor the team counts), and an empty fourth team."""
    school = SchoolFactory()
    team_a = TeamFactory(school=school, name="Team A")
    team_b = TeamFactory(school=school, name="Team B")
    a1, a2, a3 = member(team_a), member(team_a), member(team_a)
    b1 = member(team_b)
    SchoolMembershipFactory(school=school, role=Role.SCHOOLCOACH)
    both = SchoolMembershipFactory(school=school, role=Role.LERAAR).user
    SchoolMembershipFactory(school=school, role=Role.SCHOOLCOACH, user=both)
    SchoolMembershipFactory(school=school, role=Role.SCHOOLLEIDER)
    gone = member(TeamFactory(school=school, name="Team C"))
    User.objects.filter(pk=gone.pk).update(is_active=False)
    TeamFactory(school=school, name="Team D")
    return Staff(school, team_a, team_b, a1, a2, a3, b1)


STAFFED_TEACHERS = 6  # a1, a2, a3, b1, the schoolcoach, the leraar-and-schoolcoach
STAFFED_TEAMS = 2  # A and B: C has only an inactive member, D nobody


def midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=clock.AMSTERDAM)


# --- Exact counts ----------------------------------------------------------------------------


@pytest.fixture
def period():
    """Four weeks back to two weeks ahead (six weeks), Amsterdam dates."""
    today = timezone.localdate()
    return today - dt.timedelta(weeks=4), today + dt.timedelta(weeks=2)


def test_counts_what_took_place_and_leaves_out_what_did_not(period):
    """Exact counts per instrument: held, done, made and answered items inside the period count;
    an open session, a class-board session, a cancelled or future visit, a draft, an unanswered
    round and anything a minute before the period or at its end do not."""
    since, until = period
    now = timezone.now()
    inside = now - dt.timedelta(days=3)
    just_before = midnight(since) - dt.timedelta(minutes=1)
    at_end = midnight(until)
    home = staffed_school()

    board_a = team_board(home.team_a, user=home.a1)
    board_b = team_board(home.team_b, user=home.b1)
    session(board_a, by=home.a1, at=inside - dt.timedelta(weeks=1))
    session(board_a, by=home.a1, at=inside)
    session(board_b, by=home.b1, at=inside)
    session(board_b, by=home.b1, at=inside + dt.timedelta(hours=1), close=False)  # started, never closed
    session(class_board(home.team_a, teacher=home.a2), by=home.a2, at=inside)  # a class, not the team
    session(board_a, by=home.a1, at=just_before)
    session(board_a, by=home.a1, at=at_end)

    visit(visitor=home.a1, visited=home.a2, at=inside)  # past, planned, never debriefed: took place
    debrief(visit(visitor=home.a2, visited=home.b1, at=inside - dt.timedelta(days=1)))
    cancel(visit(visitor=home.a3, visited=home.a1, at=inside - dt.timedelta(days=2)))
    visit(visitor=home.b1, visited=home.a3, at=now + dt.timedelta(days=3))  # inside the period, not yet
    visit(visitor=home.a1, visited=home.b1, at=just_before)

    design(home.team_a, authors=[home.a1, home.a2], at=inside)
    design(home.team_a, authors=[home.a1, home.a2, home.a3], at=inside, status=DesignStatus.EVALUATED)
    design(home.team_b, authors=[home.b1], at=inside, status=DesignStatus.DRAFT)
    design(home.team_a, authors=[home.a2, home.a3], at=just_before)

    feedback_round(home.a1, home.team_a, at=inside, answers=2)
    feedback_round(home.a2, home.team_a, at=inside, answers=0)
    feedback_round(home.b1, home.team_b, at=just_before)
    feedback_round(home.b1, home.team_b, at=at_end)

    other = SchoolFactory()
    other_team = TeamFactory(school=other, name="Team A")
    o1, o2 = member(other_team), member(other_team)
    session(team_board(other_team, user=o1), by=o1, at=inside)
    visit(visitor=o1, visited=o2, at=inside)
    design(other_team, authors=[o1, o2], at=inside)
    feedback_round(o1, other_team, at=inside)

    quiet = SchoolFactory()

    recorded = recorded_by_school(school_ids=[home.school.pk, other.pk, quiet.pk], since=since, until=until)

    assert recorded[home.school.pk] == Recorded(
        board_sessions=3,
        teams=STAFFED_TEAMS,
        visits_done=2,
        designs_made=2,
        feedback_rounds=1,
        teachers=STAFFED_TEACHERS,
        weeks=6.0,
        visits_debriefed=1,
        design_authors=5,
    )
    assert recorded[other.pk] == Recorded(
        board_sessions=1,
        teams=1,
        visits_done=1,
        designs_made=1,
        feedback_rounds=1,
        teachers=2,
        weeks=6.0,
        visits_debriefed=0,
        design_authors=2,
    )
    assert recorded[quiet.pk] == Recorded(
        board_sessions=0, teams=0, visits_done=0, designs_made=0, feedback_rounds=0, teachers=0, weeks=6.0
    )
    assert recorded_for_school(school_id=home.school.pk, since=since, until=until) == recorded[home.school.pk]


def test_the_teacher_count_is_the_waves_rule(period):
    """The denominators are the people a wave asks: the count equals teachers_of_school."""
    since, until = period
    home = staffed_school()
    recorded = recorded_for_school(school_id=home.school.pk, since=since, until=until)
    assert recorded.teachers == len(teachers_of_school(school_id=home.school.pk)) == STAFFED_TEACHERS


def test_a_visit_in_a_wholly_past_period_needs_no_notes_and_a_cancelled_one_never_counts():
    """A past period: the planned-and-never-cancelled visit counts as done, the debriefed one as
    done and debriefed, the cancelled one as neither."""
    home = staffed_school()
    since, until = dt.date(2026, 3, 2), dt.date(2026, 3, 30)
    when = midnight(dt.date(2026, 3, 10)) + dt.timedelta(hours=10)
    visit(visitor=home.a1, visited=home.a2, at=when)
    debrief(visit(visitor=home.a2, visited=home.a3, at=when + dt.timedelta(days=1)))
    cancel(visit(visitor=home.a3, visited=home.b1, at=when + dt.timedelta(days=2)))
    recorded = recorded_for_school(school_id=home.school.pk, since=since, until=until)
    assert (recorded.visits_done, recorded.visits_debriefed) == (2, 1)


# --- Amsterdam boundaries ----------------------------------------------------------------------


BOUNDARIES = {
    # (since, until, [instants inside], [instants outside]) in UTC. Winter is UTC+1, summer UTC+2:
    # 23:30 UTC on the day before `since` is 00:30 on `since` in Amsterdam in winter, and 22:30
    # UTC is 00:30 in summer. A period read in UTC dates would get each of these wrong.
    "winter": (
        dt.date(2026, 1, 15),
        dt.date(2026, 2, 15),
        [dt.datetime(2026, 1, 14, 23, 30, tzinfo=UTC), dt.datetime(2026, 2, 14, 22, 30, tzinfo=UTC)],
        [dt.datetime(2026, 1, 14, 22, 30, tzinfo=UTC), dt.datetime(2026, 2, 14, 23, 0, tzinfo=UTC)],
    ),
    "summer": (
        dt.date(2026, 7, 1),
        dt.date(2026, 8, 1),
        [dt.datetime(2026, 6, 30, 22, 30, tzinfo=UTC), dt.datetime(2026, 7, 31, 21, 30, tzinfo=UTC)],
        [dt.datetime(2026, 6, 30, 21, 30, tzinfo=UTC), dt.datetime(2026, 7, 31, 22, 0, tzinfo=UTC)],
    ),
}


@pytest.mark.parametrize("season", sorted(BOUNDARIES))
def test_the_period_runs_from_amsterdam_midnight_to_amsterdam_midnight(season):
    """Per instrument, the two items inside (00:30 on the first day, 23:30 on the last, Amsterdam)
    count; the two outside (23:30 the evening before, midnight at `until`) do not."""
    since, until, inside, outside = BOUNDARIES[season]
    home = staffed_school()
    board = team_board(home.team_a, user=home.a1)
    people = itertools.cycle([(home.a1, home.a2), (home.a2, home.a3), (home.a3, home.b1), (home.b1, home.a1)])
    for at in inside + outside:
        session(board, by=home.a1, at=at)
        visitor, visited = next(people)
        visit(visitor=visitor, visited=visited, at=at)
        design(home.team_a, authors=[home.a1, home.a2], at=at)
        feedback_round(home.a1, home.team_a, at=at)

    recorded = recorded_for_school(school_id=home.school.pk, since=since, until=until)

    assert (recorded.board_sessions, recorded.visits_done, recorded.designs_made, recorded.feedback_rounds) == (
        2,
        2,
        2,
        2,
    )
    start, end = clock.period_bounds(since=since, until=until)
    assert start.astimezone(clock.AMSTERDAM).time() == end.astimezone(clock.AMSTERDAM).time() == dt.time.min


def test_a_period_that_does_not_move_forward_is_refused():
    with pytest.raises(ValueError, match="ends after it starts"):
        recorded_by_school(school_ids=[1], since=dt.date(2026, 3, 1), until=dt.date(2026, 3, 1))


# --- Rates -------------------------------------------------------------------------------------


def test_rates_are_per_team_per_week_and_per_teacher_per_month():
    """Sessions per team per week; the rest how often one teacher took part, per month: a visit
    counts for two people, a design for each author, a round for its teacher."""
    months = 4 * 7 / DAYS_PER_MONTH
    recorded = Recorded(
        board_sessions=6,
        teams=2,
        visits_done=10,
        designs_made=3,
        feedback_rounds=8,
        teachers=5,
        weeks=4.0,
        visits_debriefed=5,
        design_authors=7,
    )
    assert recorded.months == pytest.approx(months)
    assert recorded.board_sessions_per_team_per_week == pytest.approx(0.75)
    assert recorded.visits_per_teacher_per_month == pytest.approx(2 * 10 / 5 / months)
    assert recorded.debriefed_visits_per_teacher_per_month == pytest.approx(2 * 5 / 5 / months)
    assert recorded.designs_per_teacher_per_month == pytest.approx(7 / 5 / months)
    assert recorded.feedback_rounds_per_teacher_per_month == pytest.approx(8 / 5 / months)


def test_a_school_without_teams_or_teachers_has_no_rate_rather_than_a_rate_of_zero():
    empty = Recorded(board_sessions=0, teams=0, visits_done=0, designs_made=0, feedback_rounds=0, teachers=0, weeks=6.0)
    assert empty.board_sessions_per_team_per_week is None
    assert empty.visits_per_teacher_per_month is None
    assert empty.designs_per_teacher_per_month is None
    assert empty.feedback_rounds_per_teacher_per_month is None
    idle = Recorded(board_sessions=0, teams=2, visits_done=0, designs_made=0, feedback_rounds=0, teachers=9, weeks=6)
    assert idle.board_sessions_per_team_per_week == 0.0
    assert idle.visits_per_teacher_per_month == 0.0


def test_the_visit_target_is_one_every_other_week_in_monthly_terms():
    """Every other week is 26 a year, so 26 / 12 a month."""
    assert pytest.approx(26.0893 / 12, rel=1e-3) == TARGET_VISITS_PER_TEACHER_PER_MONTH


# --- Tenancy -----------------------------------------------------------------------------------


def test_a_school_outside_the_scope_comes_back_with_zeros(period):
    """The tenant net filters rows of schools outside the caller's scope: their counts are zero
    even though they recorded things."""
    since, until = period
    inside = timezone.now() - dt.timedelta(days=2)
    home, other = staffed_school(), staffed_school()
    for staff in (home, other):
        session(team_board(staff.team_a, user=staff.a1), by=staff.a1, at=inside)
        visit(visitor=staff.a1, visited=staff.a2, at=inside)
    with tenancy.scope(school_ids=[home.school.pk]):
        recorded = recorded_by_school(school_ids=[home.school.pk, other.school.pk], since=since, until=until)
    assert (recorded[home.school.pk].board_sessions, recorded[home.school.pk].visits_done) == (1, 1)
    assert recorded[home.school.pk].teachers == STAFFED_TEACHERS
    assert recorded[other.school.pk] == Recorded(
        board_sessions=0, teams=0, visits_done=0, designs_made=0, feedback_rounds=0, teachers=0, weeks=6.0
    )


def test_it_refuses_to_run_outside_a_tenant_scope(period):
    since, until = period
    home = staffed_school()

    def outside_any_scope():
        tenancy._current.set(None)  # as in a worker before the task opens its scope
        return recorded_for_school(school_id=home.school.pk, since=since, until=until)

    with pytest.raises(tenancy.ScopeError):
        contextvars.copy_context().run(outside_any_scope)


# --- Query count -------------------------------------------------------------------------------


@pytest.mark.parametrize("schools", [1, 5])
def test_one_school_or_five_cost_the_same_five_queries(django_assert_num_queries, period, schools):
    """Teams and teachers in one query, then one grouped count per instrument: five, whatever the
    number of schools, teams, teachers or items."""
    since, until = period
    inside = timezone.now() - dt.timedelta(days=2)
    made = []
    for _n in range(schools):
        staff = staffed_school()
        session(team_board(staff.team_a, user=staff.a1), by=staff.a1, at=inside)
        visit(visitor=staff.a1, visited=staff.a2, at=inside)
        design(staff.team_a, authors=[staff.a1, staff.a2], at=inside)
        feedback_round(staff.a1, staff.team_a, at=inside)
        made.append(staff.school.pk)
    with tenancy.scope(school_ids=made), django_assert_num_queries(5):
        recorded = recorded_by_school(school_ids=made, since=since, until=until)
    assert [recorded[pk].board_sessions + recorded[pk].visits_done for pk in made] == [2] * schools
    assert all(recorded[pk].teachers == STAFFED_TEACHERS for pk in made)


def test_no_schools_asks_nothing(django_assert_num_queries, period):
    since, until = period
    with django_assert_num_queries(0):
        assert recorded_by_school(school_ids=[], since=since, until=until) == {}
