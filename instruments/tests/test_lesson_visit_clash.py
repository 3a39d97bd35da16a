"""A refused double booking says as much as the person planning may know. A visit they may see
(access_lesson_visit_by_id's rule) is named in full: who visits whom, when. Any other visit is
not described at all: the person is "niet beschikbaar" then, with the time span, and the other
people of that visit stay unnamed (the visit itself answers them 404)."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError

from instruments.models import LessonVisit
from instruments.tests.factories import member
from instruments.tests.test_lesson_visit import HTMX, at, plan_url, schedule, schedule_data
from leerkracht.roles import Role
from schools.services import team_membership_add

pytestmark = pytest.mark.django_db


@pytest.fixture
def home(world):
    return world.home


@pytest.fixture
def coach(world):
    return world.users[Role.SCHOOLCOACH]


@pytest.fixture
def teacher(world):
    return world.users[Role.LERAAR]


@pytest.fixture
def jan(world):
    return member(world.home_team, first_name="Jan", last_name="de Vries")


@pytest.fixture
def fatma(world):
    return member(world.home_team, first_name="Fatma", last_name="Yilmaz")


def day() -> str:
    return f"{at(7):%d}".lstrip("0")


def refusal(**kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as refused:
        schedule(**kwargs)
    return refused.value.message_dict


def test_a_teacher_planning_onto_a_colleagues_visit_they_may_not_see_learns_only_that_the_colleague_is_busy(
    client, home, coach, teacher, jan, fatma
):
    """Fatma visits Jan at 10:00 (planned by the schoolcoach); the teacher, who is neither of the
    two and may not open that visit, asks to visit Jan at 10:30."""
    hidden = schedule(by=coach, visitor=fatma, visited=jan, starts_at=at(7, 10, 0))
    client.force_login(teacher)
    assert client.get(f"/school/{home.pk}/lesbezoeken/{hidden.pk}/").status_code == 404, "not theirs to see"
    response = client.post(plan_url(home), schedule_data(visitor=teacher, visited=jan, starts_at=at(7, 10, 30)), **HTMX)
    html = response.content.decode()
    assert response.status_code == 422
    summary = html[html.index('<div class="error-summary"') :]
    summary = summary[: summary.index("</div>")]
    (message,) = re.findall(r'<a href="#id_visited">Bezochte leraar: ([^<]*)</a>', summary)
    assert re.fullmatch(rf"Jan de Vries is op \w+dag {day()} \w+ om 10:00–10:50 niet beschikbaar\.", message), message
    field_errors = re.findall(r'<p class="field__error"[^>]*>(.*?)</p>', html, re.S)
    assert field_errors and all("niet beschikbaar" in error for error in field_errors)
    assert "Fatma" not in summary + "".join(field_errors), "the other person of that visit stays unnamed"
    assert "komt kijken" not in html and "al een lesbezoek" not in html, "nor is the visit described anywhere"
    assert LessonVisit.objects.filter(visited=jan).count() == 1


def test_a_schoolcoach_planning_onto_a_visit_in_another_school_they_may_not_see_gets_the_neutral_message(
    world, home, coach, jan
):
    """Jan also works in a school of the other region, where Kees visits him at 10:00; the home
    school's schoolcoach has no role there."""
    foreign = world.foreign
    foreign_team = world.teams[foreign.pk][0]
    team_membership_add(user=jan, team=foreign_team)
    kees = member(foreign_team, first_name="Kees", last_name="Verborgen")
    LessonVisit.objects.create(
        school=foreign,
        visitor=kees,
        visited=jan,
        starts_at=at(7, 10, 0),
        ends_at=at(7, 10, 50),
        scheduled_by=kees,
    )
    errors = refusal(by=coach, visitor=coach, visited=jan, starts_at=at(7, 10, 30), school_id=home.pk)
    assert list(errors) == ["visited"]
    (message,) = errors["visited"]
    assert re.fullmatch(rf"Jan de Vries is op \w+dag {day()} \w+ om 10:00–10:50 niet beschikbaar\.", message), message
    assert "Kees" not in message and "andere school" not in message


def test_a_schoolcoach_planning_onto_a_visit_of_their_school_gets_the_full_message(home, coach, jan, fatma):
    """The schoolcoach may open every visit of the school: the clash is named in full."""
    schedule(by=coach, visitor=fatma, visited=jan, starts_at=at(7, 10, 0))
    errors = refusal(by=coach, visitor=coach, visited=jan, starts_at=at(7, 10, 30))
    (message,) = errors["visited"]
    assert re.fullmatch(
        rf"Jan de Vries heeft op \w+dag {day()} \w+ om 10:00–10:50 al een lesbezoek \(Fatma Yilmaz komt kijken\)\.",
        message,
    ), message


def test_a_teacher_planning_onto_their_own_visit_gets_the_full_message(home, coach, teacher, jan, fatma):
    """The teacher is the visitor of the 10:00 visit, so may see it; planning another visit for
    themselves at 10:30 names it."""
    schedule(by=coach, visitor=teacher, visited=fatma, starts_at=at(7, 10, 0))
    errors = refusal(by=teacher, visitor=teacher, visited=jan, starts_at=at(7, 10, 30))
    (message,) = errors["visitor"]
    assert re.fullmatch(
        re.escape(teacher.full_name)
        + rf" heeft op \w+dag {day()} \w+ om 10:00–10:50 al een lesbezoek \(bij Fatma Yilmaz\)\.",
        message,
    ), message


def test_each_person_of_a_double_clash_is_described_as_far_as_the_planner_may_see(
    world, home, coach, teacher, jan, fatma
):
    """The teacher's own visit (seen: named) and the colleague's visit with someone else (not
    seen: neutral), both refused in the one answer."""
    piet = member(world.other_home_team, first_name="Piet", last_name="Bakker")
    schedule(by=coach, visitor=teacher, visited=fatma, starts_at=at(7, 10, 0))
    schedule(by=coach, visitor=piet, visited=jan, starts_at=at(7, 10, 0))
    errors = refusal(by=teacher, visitor=teacher, visited=jan, starts_at=at(7, 10, 20))
    assert "(bij Fatma Yilmaz)" in errors["visitor"][0]
    assert errors["visited"][0].endswith("niet beschikbaar.") and "Piet" not in errors["visited"][0]
