"""Every lesson visit page, partial and write (plan, reschedule, cancel, held or not, notes, the
feed's management) runs a fixed number of queries, whatever the number of visits, people, groups,
designs and notes in the school."""

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
from instruments.tests.test_lesson_visit import (
    HTMX,
    at,
    notes_data,
    past_visit,
    reschedule_data,
    schedule,
    schedule_data,
    with_notes,
)
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
    due = past_visit(school=world.home, visitor=jan, visited=fatma, days_ago=5)
    feed = services.calendar_feed_create(user=coach)
    return {"coach": coach, "leader": leader, "jan": jan, "fatma": fatma, "held": held, "due": due, "feed": feed}


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
        "calendar_person_partial": ("coach", "get", f"{base}?week={week}&persoon={s['jan'].pk}", None, HTMX),
        "calendar_teacher": ("jan", "get", f"{base}?maand={month}", None, {}),
        "detail_as_visitor": ("coach", "get", f"{base}{own.pk}/", None, {}),
        "detail_as_leader": ("leader", "get", f"{base}{own.pk}/", None, {}),
        "schedule_form": ("coach", "get", f"{base}plannen/", None, {}),
        # From the rhythm's "Plan voor deze leraar": the teacher preselected, checked against the staff already read.
        "schedule_form_for_teacher": ("coach", "get", f"{base}plannen/?bezochte={s['jan'].pk}", None, {}),
        "schedule_post": ("coach", "post", f"{base}plannen/", "schedule", {}),
        "schedule_post_refused": ("coach", "post", f"{base}plannen/", "clash", HTMX),
        "schedule_form_teacher": ("jan", "get", f"{base}plannen/", None, {}),
        "reschedule_form": ("coach", "get", f"{base}{own.pk}/verzetten/", None, {}),
        "reschedule_post": ("coach", "post", f"{base}{own.pk}/verzetten/", "reschedule", {}),
        "reschedule_post_refused": ("coach", "post", f"{base}{own.pk}/verzetten/", "reschedule_clash", HTMX),
        "reschedule_post_stale": ("coach", "post", f"{base}{own.pk}/verzetten/", "reschedule_stale", HTMX),
        "cancel_post": ("coach", "post", f"{base}{{fresh}}/afzeggen/", "cancel", {}),
        "cancel_post_partial": ("coach", "post", f"{base}{{fresh}}/afzeggen/", "cancel", HTMX),
        "notes_form": ("jan", "get", f"{base}{s['held'].pk}/verslag/", None, {}),
        "notes_post_observations": ("fatma", "post", f"{base}{{fresh}}/verslag/", "observations", HTMX),
        "notes_post_debrief": ("jan", "post", f"{base}{{fresh}}/verslag/", "debrief", {}),
        "notes_post_stale": ("fatma", "post", f"{base}{s['held'].pk}/verslag/", "notes_stale", HTMX),
        "detail_past_as_coach": ("coach", "get", f"{base}{s['due'].pk}/", None, {}),
        "held_post_as_visitor": ("fatma", "post", f"{base}{{fresh}}/plaatsgevonden/", "outcome", {}),
        "held_post_as_coach_partial": ("coach", "post", f"{base}{{fresh}}/plaatsgevonden/", "outcome", HTMX),
        "not_held_post_partial": ("jan", "post", f"{base}{{fresh}}/niet-doorgegaan/", "outcome", HTMX),
        "not_held_post_refused": ("coach", "post", f"{base}{{future}}/niet-doorgegaan/", "outcome_future", HTMX),
        "rhythm": ("coach", "get", f"{base}ritme/", None, {}),
        "feed_ics": (None, "get", f"/agenda/{s['feed'].token}.ics", None, {}),
        "feed_page": ("coach", "get", "/mijn/agenda/", None, {}),
        "feed_create": ("coach", "post", "/mijn/agenda/maken/", "feed_create", HTMX),
        "feed_renew": ("coach", "post", "/mijn/agenda/vernieuwen/", "feed_renew", HTMX),
        "feed_revoke": ("coach", "post", "/mijn/agenda/intrekken/", "feed_revoke", HTMX),
    }


def prepare(world, s, *, path: str, data, round_: int) -> tuple[str, dict | None]:
    """What a POST sends in round `round_` (0 small, 1 large), and the state it needs: each round
    changes something real (a fresh slot, a fresh visit, a feed to make or to revoke), so both
    rounds take the same path through the service."""
    coach, jan, fatma = s["coach"], s["jan"], s["fatma"]
    own = world.instruments[world.home.pk].visit
    if data == "schedule":  # a fresh slot each round: the visit is made
        return path, schedule_data(visitor=jan, visited=fatma, starts_at=at(20 + round_, 10), group="Groep 7")
    if data == "clash":  # the world's visit of the schoolcoach: refused, with the form back
        return path, schedule_data(visitor=own.visitor, visited=jan, starts_at=own.starts_at)
    if data in ("reschedule", "reschedule_clash", "reschedule_stale"):
        own.refresh_from_db()
        if data == "reschedule":  # a fresh slot each round: the visit moves
            return path, reschedule_data(own, at(30 + round_, 14))
        if data == "reschedule_stale":  # the version the form showed before someone moved it
            return path, reschedule_data(own, at(30 + round_, 14), version=own.version - 1)
        # Onto a planned visit of the schoolcoach's: refused, with the form back. In the large
        # round the visited teacher has a visit in that slot too: two clashes, each one named.
        slot = at(40, 9)
        if round_ == 0:
            schedule(by=coach, visitor=coach, visited=fatma, starts_at=slot)
        else:
            schedule(by=coach, visitor=jan, visited=own.visited, starts_at=slot)
        return path, reschedule_data(own, slot)
    if data == "cancel":  # a planned visit of its own each round: cancelling twice is a no-op
        fresh = schedule(by=coach, visitor=coach, visited=jan, starts_at=at(50 + round_, 11))
        return path.format(fresh=fresh.pk), None
    if data == "observations":  # a held visit without notes each round: the first save
        fresh = past_visit(school=world.home, visitor=fatma, visited=jan, days_ago=10 + round_)
        return path.format(fresh=fresh.pk), notes_data(0, observations="Iedereen deed mee")
    if data == "debrief":  # a held, observed visit each round: the debrief marks it done
        fresh = past_visit(
            school=world.home, visitor=fatma, visited=jan, days_ago=20 + round_, observed_at=timezone.now()
        )
        with_notes(fresh, observations="Iedereen deed mee")
        return path.format(fresh=fresh.pk), notes_data(
            1, observations="Iedereen deed mee", went_well="Start", learned="Wachttijd", next_step="Wisbordjes"
        )
    if data == "outcome":  # a visit whose time has passed, not yet said whether it took place
        fresh = past_visit(school=world.home, visitor=fatma, visited=jan, days_ago=30 + round_)
        return path.format(fresh=fresh.pk), None
    if data == "outcome_future":  # a visit still to come: refused, with the visit back
        future = schedule(by=coach, visitor=fatma, visited=jan, starts_at=at(60 + round_, 9))
        return path.format(future=future.pk), None
    if data == "notes_stale":  # the held visit's notes are at version 1; this tab still shows none
        return path, notes_data(0, observations="Tekst uit een oud tabblad")
    if data == "feed_create":  # no live feed yet, so one is made
        services.calendar_feed_revoke(user=coach)
        return path, None
    if data == "feed_renew":
        return path, None
    if data == "feed_revoke":  # a live feed to revoke
        services.calendar_feed_create(user=coach)
        return path, None
    return path, data


# Session, user and access (one UNION) come first on every logged-in request; full pages add the
# school switcher (navigation) and the school itself; the calendar then reads the school's staff
# (for the person filter), the visits and the school holidays of its region in one query each;
# the feed reads the token with its person, that person's schools and their visits: three
# queries, no session.
# Writes count their transaction too (SAVEPOINT and RELEASE, or ROLLBACK TO and RELEASE when
# refused). Rescheduling locks both people, then the visit, then looks for clashes (the refusal
# stops there; a stale version before that); moving deletes the visit's reminders. Cancelling
# locks the visit; the htmx answer reads it again to show it cancelled. Saving notes reads the
# notes for the form, locks the visit and reads them again under the lock; the htmx answer reads
# the visit again. Saying whether a visit took place locks the visit, like cancelling; the
# visitor then goes on to the debrief, the htmx answer (and a refusal) reads the visit again.
# The feed services answer with the feed, so the partial reads nothing more.
EXPECTED_QUERIES = {
    "calendar_week": 9,
    "calendar_week_partial": 7,
    "calendar_month": 9,
    "calendar_month_partial": 7,
    "calendar_person": 9,
    "calendar_teacher": 8,
    "detail_as_visitor": 6,
    "detail_as_leader": 6,
    "schedule_form": 8,
    "schedule_form_for_teacher": 8,
    "schedule_post": 12,
    "schedule_post_refused": 12,
    "reschedule_form": 6,
    "notes_form": 7,
    "rhythm": 6,
    "detail_past_as_coach": 6,
    "held_post_as_visitor": 8,
    "held_post_as_coach_partial": 10,
    "not_held_post_partial": 10,
    "not_held_post_refused": 10,
    "feed_ics": 3,
    "feed_page": 5,
    "calendar_person_partial": 7,
    "schedule_form_teacher": 8,
    "reschedule_post": 11,
    "reschedule_post_refused": 10,
    "reschedule_post_stale": 9,
    "cancel_post": 8,
    "cancel_post_partial": 10,
    "notes_post_observations": 12,
    "notes_post_debrief": 11,
    "notes_post_stale": 10,
    "feed_create": 7,
    "feed_renew": 7,
    "feed_revoke": 3,
}

EXPECTED_STATUS = {
    "schedule_post": 302,
    "schedule_post_refused": 422,
    "reschedule_post": 302,
    "reschedule_post_refused": 422,
    "reschedule_post_stale": 409,
    "cancel_post": 302,
    "notes_post_debrief": 302,
    "held_post_as_visitor": 302,
    "not_held_post_refused": 422,
    "notes_post_stale": 409,
}


@pytest.mark.pins_queries(
    "instruments:lesson_visit_feed_create",
    "instruments:lesson_visit_feed_renew",
    "instruments:lesson_visit_feed_revoke",
    "instruments:lesson_visit_cancel",
    "instruments:lesson_visit_mark_held",
    "instruments:lesson_visit_mark_not_held",
)
@pytest.mark.parametrize("name", list(EXPECTED_QUERIES))
def test_query_count_is_fixed_whatever_the_school_holds(world, setting, name):
    """Each page, partial and POST runs the pinned number of queries, and answers the expected
    status, in the bare world and after adding many people, visits, notes, groups and designs."""
    rounds = iter([0, 1])

    def measure() -> tuple[int, int]:
        who, method, path, data, headers = requests_for(world, setting)[name]
        client = Client()
        if who:
            client.force_login(setting[who])
            client.get(path if method == "get" else "/mijn/agenda/")  # warm-up: the session is read once
        path, data = prepare(world, setting, path=path, data=data, round_=next(rounds))
        for cache in caches.all():
            cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = getattr(client, method)(path, data or {}, **headers)
        return len(queries), response.status_code

    small, small_status = measure()
    grow(world, people=12, visits=20)
    large, large_status = measure()
    expected_status = EXPECTED_STATUS.get(name, 200)
    assert small_status == large_status == expected_status
    assert (small, large) == (EXPECTED_QUERIES[name], EXPECTED_QUERIES[name])
