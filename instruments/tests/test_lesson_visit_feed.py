"""The lesson visit's private iCalendar feed (RFC 5545, parsed back with the `icalendar` library)
and the e-mail reminder the day before (exactly once per person)."""

from __future__ import annotations

import datetime as dt
import re

import icalendar
import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from instruments import ical, tasks
from instruments.models import CalendarFeed, LessonVisitReminder, ReminderStatus, VisitStatus
from instruments.models.lesson_visit import calendar_feed_digest
from instruments.services import lesson_visit as services
from instruments.tests.factories import member
from instruments.tests.test_lesson_visit import SECRETS, at, past_visit, schedule, with_notes
from leerkracht.roles import Role
from schools.access import compute_access

pytestmark = pytest.mark.django_db


@pytest.fixture
def coach(world):
    return world.users[Role.SCHOOLCOACH]


@pytest.fixture
def jan(world):
    return member(world.home_team, first_name="Jan", last_name="de Vries")


@pytest.fixture
def fatma(world):
    return member(world.home_team, first_name="Fatma", last_name="Yilmaz")


FEED_PAGE = "/mijn/agenda/"


def feed_path(feed: CalendarFeed) -> str:
    return f"/agenda/{feed.token}.ics"


def parse(response) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(response.content)


# --- The writer --------------------------------------------------------------------------------


def test_text_values_escape_backslash_semicolon_comma_and_newlines():
    assert ical.escape_text("a\\b;c,d\ne\r\nf") == "a\\\\b\\;c\\,d\\ne\\nf"


def test_lines_fold_at_75_octets_without_cutting_a_letter():
    line = "DESCRIPTION:" + "é" * 100  # two octets each
    folded = ical.fold(line).split("\r\n")
    assert all(len(part.encode()) <= 75 for part in folded)
    assert all(part.startswith(" ") for part in folded[1:])
    assert "".join(part[1:] if i else part for i, part in enumerate(folded)) == line


def test_a_calendar_is_crlf_throughout_and_parses_back():
    start = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
    body = ical.calendar(
        prodid="-//test//NL",
        name="Test",
        stamp=start,
        events=[
            ical.Event(
                uid="x-1@test",
                starts_at=start,
                ends_at=start + dt.timedelta(minutes=50),
                summary="Les, met; alles\nerop",
                description="lang " * 40,
            )
        ],
    )
    assert body.endswith("\r\n") and "\n" not in body.replace("\r\n", "")
    event = icalendar.Calendar.from_ical(body).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Les, met; alles\nerop"
    assert str(event["DESCRIPTION"]) == "lang " * 40
    assert "DTSTART:20261124T090000Z" in body


# --- The feed ----------------------------------------------------------------------------------


def test_a_person_makes_their_feed_and_a_calendar_app_reads_it_without_a_session(client, world, coach, jan, fatma):
    first = schedule(by=coach, visitor=jan, visited=fatma, starts_at=at(7, 10), room="B,12;", focus="Kijkvraag " * 30)
    cancelled = schedule(by=coach, visitor=fatma, visited=jan, starts_at=at(8, 9))
    services.lesson_visit_cancel(access=compute_access(coach), visit=cancelled, user=coach)
    done = past_visit(school=world.home, visitor=fatma, visited=jan, status=VisitStatus.DONE)
    with_notes(done, **SECRETS)
    client.force_login(jan)
    page = client.post(FEED_PAGE + "maken/")
    assert page.status_code == 200, "the answer shows the address (once): no redirect"
    html = page.content.decode()
    token = re.search(r"webcal://testserver/agenda/([^/.]+)\.ics", html).group(1)
    assert len(token) >= 43 and f"http://testserver/agenda/{token}.ics" in html
    assert CalendarFeed.objects.filter(user=jan, revoked_at__isnull=True).count() == 1

    response = Client().get(f"/agenda/{token}.ics")  # a calendar app: no cookie at all
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in response["Cache-Control"]
    body = response.content.decode()
    assert "\r\n" in body and "\n" not in body.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    assert "ZEBRA" not in body, "never the notes or the debrief"

    calendar = parse(response)
    assert str(calendar["VERSION"]) == "2.0" and "leerKRACHT" in str(calendar["PRODID"])
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {f"lesbezoek-{v.pk}@leerkracht.nl" for v in (first, cancelled, done)}
    event = events[f"lesbezoek-{first.pk}@leerkracht.nl"]
    assert event.decoded("DTSTART") == first.starts_at and event.decoded("DTSTART").utcoffset() == dt.timedelta(0)
    assert event.decoded("DTEND") == first.ends_at
    assert "DTSTAMP" in event and int(event["SEQUENCE"]) == 0
    assert str(event["SUMMARY"]) == "Lesbezoek bij Fatma Yilmaz"
    assert str(event["LOCATION"]) == f"B,12;, {world.home.name}"
    assert str(event["DESCRIPTION"]).startswith("Kijkvraag: " + "Kijkvraag " * 5)
    assert ("Kijkvraag " * 30).strip() in str(event["DESCRIPTION"]), "the folded description unfolds whole"
    gone = events[f"lesbezoek-{cancelled.pk}@leerkracht.nl"]
    assert str(gone["STATUS"]) == "CANCELLED" and int(gone["SEQUENCE"]) == 1
    assert str(gone["SUMMARY"]) == "Fatma Yilmaz komt kijken in je les"


def test_a_summary_with_comma_semicolon_and_newline_survives_the_round_trip(client, coach, jan, fatma):
    fatma.last_name = "Yilmaz, de; Wit\nJr"
    fatma.save()
    schedule(by=coach, visitor=jan, visited=fatma, starts_at=at(7))
    feed = services.calendar_feed_create(user=jan)
    response = Client().get(feed_path(feed))
    assert "SUMMARY:Lesbezoek bij Fatma Yilmaz\\, de\\; Wit\\nJr\r\n" in response.content.decode()
    event = parse(response).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Lesbezoek bij Fatma Yilmaz, de; Wit\nJr"


def test_the_feed_covers_every_school_the_person_works_in(world, coach, jan):
    from schools.tests.factories import SchoolMembershipFactory

    second = world.schools[1]
    SchoolMembershipFactory(school=second, user=jan, role=Role.LERAAR)
    colleague = member(world.teams[second.pk][0])
    here = schedule(by=coach, visitor=jan, visited=coach, starts_at=at(7, 9))
    there = schedule(by=jan, visitor=jan, visited=colleague, starts_at=at(7, 13), school_id=second.pk)
    feed = services.calendar_feed_create(user=jan)
    uids = {str(e["UID"]) for e in parse(Client().get(feed_path(feed))).walk("VEVENT")}
    assert uids == {f"lesbezoek-{here.pk}@leerkracht.nl", f"lesbezoek-{there.pk}@leerkracht.nl"}


def test_a_revoked_feed_answers_exactly_like_an_unknown_one(client, coach, jan, fatma):
    schedule(by=coach, visitor=jan, visited=fatma, starts_at=at(7))
    feed = services.calendar_feed_create(user=jan)
    assert Client().get(feed_path(feed)).status_code == 200
    client.force_login(jan)
    client.post(FEED_PAGE + "intrekken/")
    revoked = Client().get(feed_path(feed))
    unknown = Client().get("/agenda/bestaat-niet-bestaat-niet-bestaat-niet-bestaat-niet.ics")
    assert revoked.status_code == unknown.status_code == 404
    assert revoked.content == unknown.content and revoked["Content-Type"] == unknown["Content-Type"]
    assert "Je hebt nog geen agenda-adres." in client.get(FEED_PAGE).content.decode()


def test_renewing_the_feed_revokes_the_old_address(client, jan):
    old = services.calendar_feed_create(user=jan)
    client.force_login(jan)
    response = client.post(FEED_PAGE + "vernieuwen/", HTTP_HX_REQUEST="true")
    new = CalendarFeed.objects.get(user=jan, revoked_at__isnull=True)
    token = re.search(r"webcal://testserver/agenda/([^/.]+)\.ics", response.content.decode()).group(1)
    assert token != old.token and new.token_digest == calendar_feed_digest(token)
    assert Client().get(feed_path(old)).status_code == 404
    assert Client().get(f"/agenda/{token}.ics").status_code == 200
    assert services.calendar_feed_create(user=jan) == new, "making it again keeps the live one"


def test_the_feed_page_needs_a_login_and_an_unknown_operation_is_refused(client, jan):
    """Each operation has its own URL: the page itself changes nothing, a GET of an operation
    neither, and an operation that does not exist is no route at all."""
    assert client.get(FEED_PAGE).status_code == 302
    for operation in ("maken", "vernieuwen", "intrekken"):
        assert client.post(f"{FEED_PAGE}{operation}/").status_code == 302, "to the login page"
    client.force_login(jan)
    assert client.post(FEED_PAGE, {"actie": "maken"}).status_code == 405
    assert client.get(f"{FEED_PAGE}maken/").status_code == 405
    assert client.post(f"{FEED_PAGE}hacken/").status_code == 404
    assert not CalendarFeed.objects.filter(user=jan).exists()


# --- The reminder the day before ---------------------------------------------------------------


def test_the_reminder_is_sent_exactly_once_per_person_even_when_the_tasks_run_twice(
    coach, jan, fatma, django_capture_on_commit_callbacks
):
    tomorrow = schedule(by=coach, visitor=jan, visited=fatma, starts_at=at(1, 9), room="12", focus="Wachttijd")
    later = schedule(by=coach, visitor=jan, visited=fatma, starts_at=at(2, 9))
    with_notes(tomorrow, observations="ZEBRA-NOTITIE")
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            tasks.lesson_visit_reminders_due.delay()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([jan.email, fatma.email])
    to_jan = next(m for m in mail.outbox if m.to == [jan.email])
    assert to_jan.subject == "Morgen: lesbezoek bij Fatma Yilmaz"
    assert "Wachttijd" in to_jan.body and "lokaal 12" in to_jan.body and "ZEBRA" not in to_jan.body
    assert set(LessonVisitReminder.objects.values_list("visit_id", "status")) == {(tomorrow.pk, ReminderStatus.SENT)}
    assert not LessonVisitReminder.objects.filter(visit=later).exists()


def test_a_reminder_already_sent_is_not_sent_again(coach, jan, fatma, run):
    visit = schedule(by=coach, visitor=jan, visited=fatma, starts_at=at(1, 9))
    LessonVisitReminder.objects.create(
        school_id=visit.school_id, visit=visit, user=jan, status=ReminderStatus.SENT, sent_at=timezone.now()
    )
    assert run(tasks.lesson_visit_remind, school_id=visit.school_id, visit_id=visit.pk) == 1
    assert [m.to for m in mail.outbox] == [[fatma.email]]


def test_a_cancelled_visit_is_not_reminded(coach, jan, fatma):
    visit = schedule(by=coach, visitor=jan, visited=fatma, starts_at=at(1, 9))
    services.lesson_visit_cancel(access=compute_access(coach), visit=visit, user=coach)
    assert tasks.lesson_visit_reminders_due() == 0
    assert tasks.lesson_visit_remind(school_id=visit.school_id, visit_id=visit.pk) == 0
    assert mail.outbox == []


def test_the_beat_schedule_runs_the_sweep_daily_at_four_in_the_afternoon(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["lesson-visit-reminders"]
    assert entry["task"] == "instruments.tasks.lesson_visit_reminders_due"
    assert entry["schedule"].hour == {16} and entry["schedule"].minute == {0}


def test_a_visit_moved_after_its_reminder_is_reminded_again_for_the_new_day(coach, jan, fatma, run):
    visit = schedule(by=coach, visitor=jan, visited=fatma, starts_at=at(1, 9))
    assert run(tasks.lesson_visit_remind, school_id=visit.school_id, visit_id=visit.pk) == 2
    services.lesson_visit_reschedule(
        access=compute_access(coach), visit=visit, user=coach, version=visit.version, starts_at=at(1, 14), minutes=50
    )
    assert run(tasks.lesson_visit_remind, school_id=visit.school_id, visit_id=visit.pk) == 2
    assert len(mail.outbox) == 4 and "14:00–14:50" in mail.outbox[-1].body


def test_the_reminder_writes_each_message_to_the_outbox_in_the_transaction_that_marks_it(
    coach, jan, fatma, django_assert_num_queries, django_capture_on_commit_callbacks
):
    """The visit; per person: the reminder row made if missing (read, savepoint, insert, release),
    then one transaction (a savepoint here): its locked row, the outbox message, SENT. No mail
    leaves before the commit: the relay runs after it."""
    visit = schedule(by=coach, visitor=jan, visited=fatma, starts_at=at(1, 9))
    with django_capture_on_commit_callbacks(execute=False) as relays, django_assert_num_queries(1 + 2 * 9):
        assert tasks.lesson_visit_remind(school_id=visit.school_id, visit_id=visit.pk) == 2
    assert mail.outbox == [] and len(relays) == 2
    reminders = LessonVisitReminder.objects.filter(visit=visit).select_related("message")
    assert sorted(r.message.to for r in reminders) == sorted([jan.email, fatma.email])
