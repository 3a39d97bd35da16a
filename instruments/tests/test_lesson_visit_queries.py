"""Every lesson visit page and partial runs a fixed number of queries, whatever the number of
visits, people, groups, designs and notes in the school."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from instruments.models import LessonDesign, LessonVisit, PupilGroup, VisitStatus
from instruments.services import lesson_visit as services
from instruments.tests.factories import member
from instruments.tests.test_lesson_visit import HTMX, at, past_visit, schedule_data, with_notes
from leerkracht.roles import Role

pytestmark = pytest.mark.django_db


def grow(world, *, people: int, visits: int) -> None:
    """More of everything: teachers, and visits in the shown week and month (planned, done with
    notes, cancelled), past visits for the rhythm, groups and designs."""
    home = world.home
    staff = [member(world.home_team, first_name="Extra", last_name=f"Leraar {n}") for n in range(people)]
    for n in range(visits):
        visitor, visited = staff[n % people], staff[(n + 1) % people]
        group = PupilGroup.objects.create(school=home, name=f"Groep extra {n}")
        LessonDesign.objects.create(
            school=home, team=world.home_team, group=group, title=f"Ontwerp {n}", created_by=visitor
        )
        starts_at = at(7 + n % 5, 8 + n % 8)
        status = [VisitStatus.PLANNED, VisitStatus.CANCELLED][n % 2]
        LessonVisit.objects.create(
            school=home,
            visitor=visitor,
            visited=visited,
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(minutes=50),
            group=group,
            room=f"{n}",
            status=status,
        )
        held = past_visit(school=home, visitor=visited, visited=visitor, days_ago=2 + n, status=VisitStatus.DONE)
        with_notes(held, observations=f"Notitie {n}", went_well="x")


@pytest.fixture
def setting(world):
    coach, leader = world.users[Role.SCHOOLCOACH], world.users[Role.SCHOOLLEIDER]
    jan = member(world.home_team, first_name="Jan", last_name="de Vries")
    fatma = member(world.home_team, first_name="Fatma", last_name="Yilmaz")
    held = past_visit(school=world.home, visitor=fatma, visited=jan)
    with_notes(held, observations="Gezien")
    feed = services.calendar_feed_create(user=coach)
    return {"coach": coach, "leader": leader, "jan": jan, "fatma": fatma, "held": held, "feed": feed}


def requests_for(world, s) -> dict:
    home = world.home
    base = f"/school/{home.pk}/lesbezoeken/"
    shown = timezone.localtime(at(7))
    week, month = f"{shown:%G-W%V}", f"{shown:%Y-%m}"
    own = world.instruments[home.pk].visit  # the schoolcoach visits the teacher
    return {
        # name: (who, method, path, data, headers)
        "calendar_week": ("coach", "get", f"{base}?week={week}", None, {}),
        "calendar_week_partial": ("coach", "get", f"{base}?week={week}", None, HTMX),
        "calendar_month": ("coach", "get", f"{base}?maand={month}", None, {}),
        "calendar_month_partial": ("coach", "get", f"{base}?maand={month}", None, HTMX),
        "calendar_person": ("coach", "get", f"{base}?week={week}&persoon={s['jan'].pk}", None, {}),
        "calendar_teacher": ("jan", "get", f"{base}?maand={month}", None, {}),
        "detail_as_visitor": ("coach", "get", f"{base}{own.pk}/", None, {}),
        "detail_as_leader": ("leader", "get", f"{base}{own.pk}/", None, {}),
        "schedule_form": ("coach", "get", f"{base}plannen/", None, {}),
        "schedule_post": ("coach", "post", f"{base}plannen/", "schedule", {}),
        "schedule_post_refused": ("coach", "post", f"{base}plannen/", "clash", HTMX),
        "reschedule_form": ("coach", "get", f"{base}{own.pk}/verzetten/", None, {}),
        "notes_form": ("jan", "get", f"{base}{s['held'].pk}/verslag/", None, {}),
        "rhythm": ("coach", "get", f"{base}ritme/", None, {}),
        "feed_ics": (None, "get", f"/agenda/{s['feed'].token}.ics", None, {}),
        "feed_page": ("coach", "get", "/mijn/agenda/", None, {}),
    }


# Session, user and access (one UNION) come first on every logged-in request; full pages add the
# school switcher (navigation) and the school itself; the calendar then reads the school's staff
# (for the person filter) and the visits in one query each; the feed reads the token with its
# person, that person's schools and their visits: three queries, no session.
EXPECTED_QUERIES = {
    "calendar_week": 7,
    "calendar_week_partial": 5,
    "calendar_month": 7,
    "calendar_month_partial": 5,
    "calendar_person": 7,
    "calendar_teacher": 6,
    "detail_as_visitor": 5,
    "detail_as_leader": 5,
    "schedule_form": 8,
    "schedule_post": 12,
    "schedule_post_refused": 12,
    "reschedule_form": 5,
    "notes_form": 6,
    "rhythm": 6,
    "feed_ics": 3,
    "feed_page": 5,
}


@pytest.mark.parametrize("name", list(EXPECTED_QUERIES))
def test_query_count_is_fixed_whatever_the_school_holds(world, setting, name):
    """Each page and partial runs the same number of queries in the bare world and after adding
    many people, visits, notes, groups and designs."""
    rounds = iter([0, 1])

    def measure() -> tuple[int, int]:
        who, method, path, data, headers = requests_for(world, setting)[name]
        client = Client()
        if who:
            client.force_login(setting[who])
            client.get(path if method == "get" else "/mijn/agenda/")  # warm-up: the session is read once
        if data == "schedule":  # a fresh slot each round: the visit is made
            data = schedule_data(
                visitor=setting["jan"], visited=setting["fatma"], starts_at=at(20 + next(rounds), 10), group="Groep 7"
            )
        elif data == "clash":  # the world's visit of the schoolcoach: refused, with the form back
            visit = world.instruments[world.home.pk].visit
            data = schedule_data(visitor=visit.visitor, visited=setting["jan"], starts_at=visit.starts_at)
        for cache in caches.all():
            cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = getattr(client, method)(path, data or {}, **headers)
        return len(queries), response.status_code

    small, small_status = measure()
    grow(world, people=12, visits=20)
    large, large_status = measure()
    expected_status = {"schedule_post": 302, "schedule_post_refused": 422}.get(name, 200)
    assert small_status == large_status == expected_status
    assert (small, large) == (EXPECTED_QUERIES[name], EXPECTED_QUERIES[name])
