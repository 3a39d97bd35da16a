"""The demo board and the instruments around it: built through the services, once."""

import datetime as dt
import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from instruments.models import (
    Action,
    BoardEvent,
    BoardSession,
    DesignStatus,
    FeedbackCriterion,
    FeedbackDeviceMark,
    FeedbackResponse,
    FeedbackRound,
    Goal,
    ImprovementBoard,
    LessonDesign,
    LessonVisit,
    LessonVisitNotes,
    Measurement,
    PendingFeedback,
    PupilGroup,
    PupilInput,
    VisitStatus,
)
from instruments.services.feedback import round_is_open
from leerkracht import clock
from schools.demo import DEMO_LERAAR, DEMO_SCHOOLCOACH
from schools.models import TeamMembership, User

pytestmark = pytest.mark.django_db


def test_seed_demo_boards_gives_the_demo_team_a_board_in_use_and_is_idempotent(client):
    call_command("seed_demo", schools=3, stdout=io.StringIO())
    call_command("seed_demo_boards", stdout=io.StringIO())
    board = ImprovementBoard.objects.get()
    counts = (
        Action.objects.filter(board=board).count(),
        Measurement.objects.filter(goal__board=board).count(),
        BoardSession.objects.filter(board=board, closed_at__isnull=False).count(),
        BoardEvent.objects.filter(board=board).count(),
    )
    assert counts[:3] == (5, 7, 3)
    call_command("seed_demo_boards", stdout=io.StringIO())
    assert ImprovementBoard.objects.count() == 1
    assert counts == (
        Action.objects.filter(board=board).count(),
        Measurement.objects.filter(goal__board=board).count(),
        BoardSession.objects.filter(board=board, closed_at__isnull=False).count(),
        BoardEvent.objects.filter(board=board).count(),
    )
    client.force_login(User.objects.get(email=DEMO_LERAAR.email))
    response = client.get(f"/school/{board.school_id}/borden/{board.pk}/")
    assert response.status_code == 200
    assert response.context["page"].rhythm.streak == 3


# --- The other instruments in use -----------------------------------------------------------------


@pytest.fixture
def seeded():
    call_command("seed_demo", schools=3, stdout=io.StringIO())
    call_command("seed_demo_boards", stdout=io.StringIO())
    return ImprovementBoard.objects.select_related("school", "team").get()


def _instrument_rows() -> dict[str, int]:
    """Rows of every model of the instruments app (the board's as well), across all schools."""
    return {model.__name__: model._base_manager.count() for model in apps.get_app_config("instruments").get_models()}


def test_seed_demo_boards_gives_the_demo_team_six_lesson_designs(seeded):
    designs = LessonDesign.objects.filter(school=seeded.school, team=seeded.team)
    assert designs.count() == 6
    assert {design.status for design in designs} == set(DesignStatus.values)


def test_seed_demo_boards_plans_six_past_three_coming_and_one_cancelled_lesson_visit(seeded):
    now = timezone.now()
    teacher = User.objects.get(email=DEMO_LERAAR.email)
    coach = User.objects.get(email=DEMO_SCHOOLCOACH.email)
    visits = list(LessonVisit.objects.filter(school=seeded.school).select_related("lesson_design"))
    team_ids = set(TeamMembership.objects.filter(team=seeded.team).values_list("user_id", flat=True))
    assert {coach.pk} | team_ids >= {v.visitor_id for v in visits} | {v.visited_id for v in visits}
    assert all(teacher.pk in (v.visitor_id, v.visited_id) or coach.pk == v.visitor_id for v in visits)

    past = [v for v in visits if v.starts_at < now]
    assert len(past) == 6
    assert all(now - dt.timedelta(weeks=8) <= v.starts_at and v.ends_at < now for v in past)
    done = [v for v in past if v.status == VisitStatus.DONE]
    assert len(done) == 4
    assert all(v.observed_at and v.debriefed_at and v.starts_at < v.observed_at <= v.debriefed_at for v in done)
    notes = LessonVisitNotes.objects.filter(visit__in=done)
    assert notes.count() == 4
    assert all(n.observations and n.went_well and n.next_step for n in notes)
    assert {n.updated_by_id for n in notes} == {v.visited_id for v in done}

    coming = [v for v in visits if v.starts_at > now]
    assert all(v.starts_at < now + dt.timedelta(weeks=2) for v in coming)
    assert all(timezone.localtime(v.starts_at).weekday() < 5 for v in visits)
    assert sorted(v.status for v in coming) == [VisitStatus.CANCELLED] + [VisitStatus.PLANNED] * 3
    linked = [v for v in coming if v.lesson_design is not None]
    assert len(linked) == 1
    assert linked[0].lesson_design.team_id == seeded.team_id


def test_seed_demo_boards_gives_groep_7_its_criteria_a_closed_and_an_open_round_and_pupil_input(seeded):
    teacher = User.objects.get(email=DEMO_LERAAR.email)
    group = PupilGroup.objects.get(school=seeded.school, name="Groep 7")
    assert FeedbackCriterion.objects.filter(group=group, archived=False).count() == 6

    closed, open_ = FeedbackRound.objects.filter(school=seeded.school, teacher=teacher).order_by("opened_at")
    assert closed.group_id == open_.group_id == group.pk
    assert closed.closed_at is not None and not round_is_open(closed)
    assert FeedbackResponse.objects.filter(round=closed).count() == 14
    assert round_is_open(open_)
    assert timezone.now() + dt.timedelta(minutes=50) < open_.closes_at <= timezone.now() + dt.timedelta(hours=1)
    # Two answers, below a batch of three: they wait sealed in the round's pool.
    assert PendingFeedback.objects.filter(round=open_).count() == 2
    assert FeedbackResponse.objects.filter(round=open_).count() == 0
    # One device mark per answer: every answer came from a device of its own.
    assert FeedbackDeviceMark.objects.filter(round__in=[closed, open_]).count() == 16

    first_goal = Goal.objects.filter(board=seeded).order_by("position", "id").first()
    pupil_input = PupilInput.objects.get(board=seeded)
    assert (pupil_input.goal_id, pupil_input.group_id) == (first_goal.pk, group.pk)


def test_a_second_seed_demo_boards_run_adds_no_rows(seeded):
    before = _instrument_rows()
    assert before["LessonVisit"] == 10
    call_command("seed_demo", schools=3, stdout=io.StringIO())
    call_command("seed_demo_boards", stdout=io.StringIO())
    assert _instrument_rows() == before


def test_the_demo_accounts_open_the_calendar_library_rhythm_rounds_list_and_a_rounds_live_page(seeded, client):
    school_id = seeded.school_id
    teacher = User.objects.get(email=DEMO_LERAAR.email)
    coming = LessonVisit.objects.filter(school_id=school_id, starts_at__gt=timezone.now()).order_by("starts_at")[0]
    week = clock.week_input_value(timezone.localdate(coming.starts_at))

    for email in (DEMO_LERAAR.email, DEMO_SCHOOLCOACH.email):
        client.force_login(User.objects.get(email=email))
        calendar = client.get(reverse("instruments:lesson_visit_calendar", args=[school_id]), {"week": week})
        assert calendar.status_code == 200
        assert calendar.context["visit_count"] >= 1
        library = client.get(reverse("instruments:lesson_design_library", args=[school_id]))
        assert library.status_code == 200
        assert library.context["page"].paginator.count >= 5

    # The schoolcoach follows the school's rhythm of visits.
    client.force_login(User.objects.get(email=DEMO_SCHOOLCOACH.email))
    rhythm = client.get(reverse("instruments:lesson_visit_rhythm", args=[school_id]))
    assert rhythm.status_code == 200
    assert {row.person.pk: row.held for row in rhythm.context["rows"]}[teacher.pk] == 5

    client.force_login(teacher)
    rounds = client.get(reverse("instruments:feedback_rounds", args=[school_id]))
    assert rounds.status_code == 200
    assert len(rounds.context["rounds"]) == 2
    answers = []
    for feedback_round in FeedbackRound.objects.filter(school_id=school_id, teacher=teacher):
        live = client.get(reverse("instruments:feedback_round", args=[school_id, feedback_round.pk]))
        assert live.status_code == 200
        answers.append((live.context["results"].count, live.context["results"].pending))
    assert sorted(answers) == [(0, 2), (14, 0)], "the open round's two answers wait for a batch of three"
