"""The schoolcoach's rhythm of lesson visits: held and planned counted apart and together against
the target, and "Plan voor deze leraar" beside each teacher behind it, for who may plan visits,
opening the schedule form with that teacher as the visited one."""

from __future__ import annotations

import re

import pytest

from instruments.models import LessonVisit, VisitStatus
from instruments.selectors.lesson_visit import RHYTHM_AHEAD_WEEKS, RHYTHM_TARGET, lesson_visit_rhythm
from instruments.tests.factories import member
from instruments.tests.test_lesson_visit import at, past_visit, schedule
from leerkracht.roles import Role
from schools.access import compute_access

pytestmark = pytest.mark.django_db

PLAN_LINK = "Plan voor deze leraar"


@pytest.fixture
def coach(world):
    return world.users[Role.SCHOOLCOACH]


@pytest.fixture
def jan(world):
    return member(world.home_team, first_name="Jan", last_name="de Vries")


@pytest.fixture
def fatma(world):
    return member(world.home_team, first_name="Fatma", last_name="Yilmaz")


@pytest.fixture
def piet(world):
    return member(world.other_home_team, first_name="Piet", last_name="Bakker")


@pytest.fixture
def visits(world, coach, jan, fatma, piet):
    """Jan: two held, two planned in the coming weeks (on track). Fatma: two held, and besides
    them only visits that do not count: one not held, one cancelled to come, one planned beyond
    the forward window."""
    home = world.home
    for days_ago in (3, 17):
        past_visit(school=home, visitor=fatma, visited=jan, days_ago=days_ago)
    schedule(by=coach, visitor=coach, visited=jan, starts_at=at(7))
    schedule(by=coach, visitor=coach, visited=jan, starts_at=at(14))
    past_visit(school=home, visitor=piet, visited=fatma, days_ago=10, status=VisitStatus.NOT_HELD)
    cancelled = schedule(by=coach, visitor=piet, visited=fatma, starts_at=at(9))
    LessonVisit.objects.filter(pk=cancelled.pk).update(status=VisitStatus.CANCELLED)
    schedule(by=coach, visitor=piet, visited=fatma, starts_at=at(7 * RHYTHM_AHEAD_WEEKS + 3))


def rows_by_name(world, coach) -> dict:
    rows = lesson_visit_rhythm(access=compute_access(coach), school_id=world.home.pk)
    return {row.person.full_name: row for row in rows}


def rhythm_url(world) -> str:
    return f"/school/{world.home.pk}/lesbezoeken/ritme/"


def row_html(html: str, name: str) -> str:
    """The table row of the teacher called `name`."""
    return re.search(rf"<tr>\s*(?:{{#.*?#}}\s*)?<th scope=\"row\"><a [^>]+>{name}</a></th>(.*?)</tr>", html, re.S)[1]


def test_held_and_planned_are_counted_apart_and_together_against_the_target(world, coach, jan, fatma, piet, visits):
    rows = rows_by_name(world, coach)
    jan_row, fatma_row, piet_row = rows["Jan de Vries"], rows["Fatma Yilmaz"], rows["Piet Bakker"]
    assert (jan_row.held, jan_row.planned, jan_row.counted, jan_row.behind) == (2, 2, 4, 0), "2 held + 2 planned"
    assert (fatma_row.held, fatma_row.planned, fatma_row.behind) == (2, 0, RHYTHM_TARGET - 2)
    # Piet is the visitor of the not-held, the cancelled and the far-off visit: none counts.
    assert (piet_row.held, piet_row.planned, piet_row.behind) == (0, 0, RHYTHM_TARGET)
    names = list(rows)
    assert names.index("Piet Bakker") < names.index("Fatma Yilmaz") < names.index("Jan de Vries")


def test_a_planned_visit_counts_only_within_the_coming_weeks(world, coach, fatma, piet):
    schedule(by=coach, visitor=piet, visited=fatma, starts_at=at(7 * RHYTHM_AHEAD_WEEKS - 1))
    schedule(by=coach, visitor=piet, visited=fatma, starts_at=at(7 * RHYTHM_AHEAD_WEEKS + 1))
    assert rows_by_name(world, coach)["Fatma Yilmaz"].planned == 1


def test_a_visit_whose_time_has_come_counts_as_held_not_twice(world, coach, jan, fatma):
    past_visit(school=world.home, visitor=fatma, visited=jan, days_ago=1)  # still "planned", awaiting an answer
    row = rows_by_name(world, coach)["Jan de Vries"]
    assert (row.held, row.planned) == (1, 0)


def test_the_page_shows_held_planned_and_the_link_only_beside_who_is_behind(client, world, coach, visits):
    client.force_login(coach)
    html = client.get(rhythm_url(world)).content.decode()
    jan_row, fatma_row = row_html(html, "Jan de Vries"), row_html(html, "Fatma Yilmaz")
    assert 'data-rhythm="held">2</td>' in jan_row
    assert 'data-rhythm="planned">2</td>' in jan_row
    assert f"4 / {RHYTHM_TARGET}" in jan_row and "Op schema" in jan_row and PLAN_LINK not in jan_row
    assert 'data-rhythm="planned">0</td>' in fatma_row and "2 achter" in fatma_row
    assert PLAN_LINK in fatma_row
    assert '<span class="visually-hidden">: Fatma Yilmaz</span>' in fatma_row, "screen readers hear whom it is for"


@pytest.mark.parametrize("role", [Role.EXPERTCOACH, Role.VERANDERCOACH])
def test_readers_who_may_not_plan_see_the_rhythm_without_the_link(client, world, visits, role):
    client.force_login(world.users[role])
    response = client.get(rhythm_url(world))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Fatma Yilmaz" in html and PLAN_LINK not in html and "plannen/?bezochte=" not in html


def visited_select(html: str) -> str:
    return re.search(r'<select name="visited".*?</select>', html, re.S)[0]


def test_following_the_link_opens_the_form_with_that_teacher_as_the_visited_one(client, world, coach, fatma, visits):
    client.force_login(coach)
    html = client.get(rhythm_url(world)).content.decode()
    href = re.search(r'<a class="visit-rhythm__plan" href="([^"]+)">', row_html(html, "Fatma Yilmaz"))[1]
    assert href == f"/school/{world.home.pk}/lesbezoeken/plannen/?bezochte={fatma.pk}"
    response = client.get(href)
    assert response.status_code == 200
    select = visited_select(response.content.decode())
    assert re.findall(r'<option value="(\d+)" selected>', select) == [str(fatma.pk)]


@pytest.mark.parametrize("who", ["foreign", "unknown", "garbage"])
def test_an_id_that_is_no_colleague_here_is_ignored(client, world, coach, who):
    foreign = world.instruments[world.foreign.pk].visit.visited
    value = {"foreign": str(foreign.pk), "unknown": "987654321", "garbage": "x1"}[who]
    client.force_login(coach)
    response = client.get(f"/school/{world.home.pk}/lesbezoeken/plannen/?bezochte={value}")
    assert response.status_code == 200
    html = response.content.decode()
    assert re.findall(r'<option value="(\d*)" selected>', visited_select(html)) == [""], "nothing is preselected"
    assert foreign.full_name not in html, "the foreign person's name does not leak"
