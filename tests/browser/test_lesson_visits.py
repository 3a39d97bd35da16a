"""Lesson visits in chromium: a schoolcoach plans a visit through the form, then tries a second
one that overlaps for the same visited teacher and is refused, naming the clash, with what they
typed still in the form."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from instruments.models import LessonVisit, VisitStatus
from leerkracht.roles import Role
from schools.services import team_membership_add
from schools.tests.factories import UserFactory
from tests.browser.conftest import log_in, save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}
# Screenshots for review go here when LESSON_VISIT_SHOTS is set (normal runs write nothing).
SHOTS = Path(os.environ.get("LESSON_VISIT_SHOTS", ""))


def teacher(world, first: str, last: str):
    return team_membership_add(user=UserFactory(first_name=first, last_name=last), team=world.home_team).user


def shoot(page, name: str) -> None:
    if not os.environ.get("LESSON_VISIT_SHOTS"):
        return
    for label, size in (("phone", PHONE), ("desk", DESK)):
        page.set_viewport_size(size)
        save_screenshot(page, SHOTS / f"{name}-{label}.png")
    page.set_viewport_size(DESK)


def fill_visit(page, *, visitor: str, visited: str, day: dt.date, time: str, room: str, focus: str) -> None:
    form = page.locator("#visit-form")
    form.get_by_label("Bezoeker").select_option(label=visitor)
    form.get_by_label("Bezochte leraar").select_option(label=visited)
    form.get_by_label("Datum").fill(day.isoformat())
    form.get_by_label("Begint om").fill(time)
    form.get_by_label("Duur in minuten").fill("50")
    form.get_by_label("Groep of klas").fill("Groep 7")
    form.get_by_label("Lokaal").fill(room)
    form.get_by_label("Kijkvraag").fill(focus)


def test_schoolcoach_plans_a_visit_and_a_clashing_second_one_is_refused_keeping_the_input(page, world):
    coach = world.users[Role.SCHOOLCOACH]
    jan, fatma, piet = (
        teacher(world, "Jan", "de Vries"),
        teacher(world, "Fatma", "Yilmaz"),
        teacher(world, "Piet", "Bakker"),
    )
    day = timezone.localdate() + dt.timedelta(days=9)
    school = world.home.pk
    page.set_viewport_size(DESK)
    log_in(page, coach)

    page.goto(f"/school/{school}/lesbezoeken/")
    page.get_by_role("link", name="Lesbezoek plannen").first.click()
    expect(page.get_by_role("heading", name="Lesbezoek plannen")).to_be_visible()
    shoot(page, "schedule-form")
    fill_visit(
        page,
        visitor="Jan de Vries",
        visited="Fatma Yilmaz",
        day=day,
        time="10:00",
        room="B12",
        focus="Doen alle leerlingen mee?",
    )
    page.get_by_role("button", name="Plannen").click()
    expect(page.get_by_role("heading", name="Jan de Vries kijkt bij Fatma Yilmaz")).to_be_visible()
    visit = LessonVisit.objects.get(visitor=jan, visited=fatma)
    assert timezone.localtime(visit.starts_at).strftime("%H:%M") == "10:00"
    shoot(page, "detail")

    page.goto(f"/school/{school}/lesbezoeken/plannen/")
    fill_visit(
        page,
        visitor="Piet Bakker",
        visited="Fatma Yilmaz",
        day=day,
        time="10:30",
        room="Aula",
        focus="Wachttijd na een vraag",
    )
    page.get_by_role("button", name="Plannen").click()
    error = page.locator("#id_visited_error")
    expect(error).to_contain_text(
        re.compile(
            r"Fatma Yilmaz heeft op \w+dag \d+ \w+ om 10:00–10:50 al een lesbezoek \(Jan de Vries komt kijken\)\."
        )
    )
    expect(page.locator(".error-summary")).to_be_focused()
    form = page.locator("#visit-form")
    expect(form.get_by_label("Lokaal")).to_have_value("Aula")
    expect(form.get_by_label("Kijkvraag")).to_have_value("Wachttijd na een vraag")
    expect(form.get_by_label("Begint om")).to_have_value("10:30")
    expect(form.get_by_label("Bezoeker")).to_have_value(str(piet.pk))
    expect(form.get_by_label("Bezochte leraar")).to_have_attribute("aria-invalid", "true")
    assert LessonVisit.objects.filter(visited=fatma).count() == 1
    shoot(page, "schedule-clash")

    # The calendar of that week, swapped to the next week and back without a reload.
    page.goto(f"/school/{school}/lesbezoeken/?week={day:%G-W%V}")
    expect(page.locator("#calendar")).to_contain_text("Jan de Vries")
    page.evaluate("window.__noReload = true")
    page.get_by_role("link", name=re.compile("Volgende week")).click()
    expect(page.locator("#calendar-title")).to_contain_text(f"week {(day + dt.timedelta(weeks=1)).isocalendar().week}")
    page.get_by_role("link", name=re.compile("Vorige week")).click()
    expect(page.locator("#calendar-title")).to_contain_text(f"week {day.isocalendar().week}")
    expect(page.locator("#calendar .visit-item")).to_contain_text("Jan de Vries bij Fatma Yilmaz")
    assert page.evaluate("window.__noReload === true")
    shoot(page, "calendar-week")
    page.get_by_role("link", name="Maand").click()
    expect(page.locator("#calendar.visit-calendar--maand")).to_be_visible()
    expect(page.locator("#calendar .visit-weeks")).to_contain_text("Jan de Vries bij Fatma Yilmaz")
    shoot(page, "calendar-month")
    page.goto(f"/school/{school}/lesbezoeken/ritme/")
    shoot(page, "rhythm")
    page.goto("/mijn/agenda/")
    page.get_by_role("button", name="Agenda-adres maken").click()
    expect(page.get_by_label("Adres om je op te abonneren")).to_have_value(re.compile(r"^webcal://.+\.ics$"))
    shoot(page, "feed")

    # The visitor writes down what they saw, after the visit: saved in place, no reload.
    held = LessonVisit.objects.create(
        school=world.home,
        visitor=coach,
        visited=jan,
        starts_at=timezone.now() - dt.timedelta(days=1),
        ends_at=timezone.now() - dt.timedelta(days=1) + dt.timedelta(minutes=50),
    )
    page.goto(f"/school/{school}/lesbezoeken/{held.pk}/verslag/")
    page.evaluate("window.__noReload = true")
    page.get_by_label("Wat zag je bij de leerlingen?").fill("Twaalf vingers bij de eerste vraag")
    page.get_by_label("Wat is de volgende stap?").fill("Wisbordjes proberen")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator("#notes-form")).to_contain_text("Opgeslagen.")
    assert page.evaluate("window.__noReload === true")
    held.refresh_from_db()
    assert held.debriefed_at is not None and held.notes.observations == "Twaalf vingers bij de eerste vraag"
    shoot(page, "notes")


def test_the_last_period_clicked_wins_while_an_earlier_one_is_still_on_its_way(page, world):
    """Two clicks in quick succession on a slow connection: the week asked first is answered after
    the month asked second. The calendar and the address bar both end on the month; the earlier
    answer is dropped, not drawn into a calendar nobody sees while its address is pushed."""
    coach = world.users[Role.SCHOOLCOACH]
    school = world.home.pk
    page.set_viewport_size(DESK)
    log_in(page, coach)
    page.goto(f"/school/{school}/lesbezoeken/?week=2026-W51")
    expect(page.locator("#calendar-title")).to_contain_text("week 51")

    def slow(route):
        page.wait_for_timeout(1500)
        route.continue_()

    page.route(re.compile(r".*[?&]week=2026-W52.*"), slow)
    page.evaluate("window.__noReload = true")
    page.get_by_role("link", name=re.compile("Volgende week")).click()
    page.get_by_role("link", name="Maand").click()
    expect(page.locator("#calendar.visit-calendar--maand")).to_be_visible()
    page.wait_for_timeout(2500)  # past the moment the slow week would have been answered
    expect(page.locator("#calendar.visit-calendar--maand")).to_be_visible()
    expect(page.locator("#calendar-title")).to_contain_text("december 2026")
    assert re.search(r"[?&]maand=2026-12\b", page.url), page.url
    assert page.evaluate("window.__noReload === true")


def past(world, visitor, visited, *, days_ago: int, hour: int) -> LessonVisit:
    """A visit whose time has passed, still "planned" (made on the row: the service plans ahead)."""
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    starts_at = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))
    return LessonVisit.objects.create(
        school=world.home,
        visitor=visitor,
        visited=visited,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=50),
        scheduled_by=visitor,
    )


def test_a_past_visit_asks_whether_it_took_place_and_goes_on_to_the_debrief_or_not(page, world):
    """The schoolcoach opens a visit whose time has passed: no "Gepland", no "Verzetten" or
    "Afzeggen", but the question; "Nee" swaps the visit in place. The visitor answers "Ja" for
    another one and lands on the debrief."""
    coach = world.users[Role.SCHOOLCOACH]
    jan, fatma = teacher(world, "Jan", "de Vries"), teacher(world, "Fatma", "Yilmaz")
    missed = past(world, jan, fatma, days_ago=2, hour=9)
    held = past(world, fatma, jan, days_ago=3, hour=11)
    school = world.home.pk
    page.set_viewport_size(DESK)

    log_in(page, coach)
    page.goto(f"/school/{school}/lesbezoeken/{missed.pk}/")
    visit = page.locator("#visit")
    expect(visit.get_by_role("heading", name="Heeft het lesbezoek plaatsgevonden?")).to_be_visible()
    expect(visit.locator(".page-header__context .badge")).to_have_text("Plaatsgevonden?")
    expect(visit.get_by_role("button", name="Afzeggen")).to_have_count(0)
    expect(visit.get_by_role("link", name="Verzetten")).to_have_count(0)
    shoot(page, "past-visit-question")
    page.evaluate("window.__noReload = true")
    visit.get_by_role("button", name="Nee, niet doorgegaan").click()
    expect(visit.locator(".page-header__context .badge")).to_have_text("Niet doorgegaan")
    expect(visit.get_by_role("heading", name="Heeft het lesbezoek plaatsgevonden?")).to_have_count(0)
    expect(visit.get_by_role("link", name="Opnieuw plannen")).to_be_visible()
    assert page.evaluate("window.__noReload === true"), "answered in place"
    missed.refresh_from_db()
    assert missed.status == VisitStatus.NOT_HELD
    shoot(page, "past-visit-not-held")

    page.goto(f"/school/{school}/lesbezoeken/?maand={timezone.localtime(missed.starts_at):%Y-%m}")
    item = page.locator(".visit-item", has=page.locator(f'a[href$="/{missed.pk}/"]'))
    expect(item).to_contain_text("Niet doorgegaan")
    shoot(page, "calendar-past-visits")

    page.context.clear_cookies()
    log_in(page, fatma)
    page.goto(f"/school/{school}/lesbezoeken/{held.pk}/")
    page.get_by_role("button", name="Ja, ga naar het nagesprek").click()
    expect(page.get_by_label("Wat ging goed?")).to_be_visible()
    assert page.url.endswith(f"/lesbezoeken/{held.pk}/verslag/")
    held.refresh_from_db()
    assert held.status == VisitStatus.HELD
