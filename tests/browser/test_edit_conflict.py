"""An edit conflict on a phone, in chromium: the visitor and the visited teacher both write the
notes of one lesson visit; the one who saves second gets the shared conflict box
(templates/includes/conflict.html) in place of the form's top, with focus on it, announced, both
texts readable at 390 px without scrolling sideways, reachable by keyboard, free of axe-core
violations; the typed text stays in the form and saving again keeps it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from instruments.models import LessonVisit, LessonVisitNotes, VisitStatus
from leerkracht.roles import Role
from tests.browser.conftest import DEFAULT_TIMEOUT_MS, log_in
from tests.browser.test_accessibility import AXE, RUN_AXE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LABEL = "Wat zag je bij de leerlingen?"
THEIRS = "Drie leerlingen haakten af bij de uitleg over gelijknamige breuken."
# A long word as people paste it (a link): the box must wrap it, not widen the page.
YOURS = "Iedereen deed mee met de wisbordjes; zie https://school.example/lesbezoeken/verslag/groep7-breuken-week49"


def test_the_second_saver_of_visit_notes_gets_an_accessible_conflict_at_phone_width(browser, live_server, world):
    coach, teacher = world.users[Role.SCHOOLCOACH], world.users[Role.LERAAR]
    starts_at = timezone.now().replace(microsecond=0) - dt.timedelta(days=2)
    visit = LessonVisit.objects.create(
        school=world.home,
        visitor=coach,
        visited=teacher,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=50),
        status=VisitStatus.PLANNED,
        scheduled_by=coach,
    )
    path = f"/school/{visit.school_id}/lesbezoeken/{visit.pk}/verslag/"
    tabs = []
    try:
        for person in (coach, teacher):
            context = browser.new_context(
                base_url=live_server.url, locale="nl-NL", timezone_id="Europe/Amsterdam", viewport=PHONE
            )
            context.set_default_timeout(DEFAULT_TIMEOUT_MS)
            context.add_init_script(path=str(AXE))
            tab = context.new_page()
            tabs.append(tab)
            log_in(tab, person)
            tab.goto(path)
            expect(tab.get_by_label(LABEL)).to_be_visible()
        first, second = tabs

        first.get_by_label(LABEL).fill(THEIRS)
        first.get_by_role("button", name="Opslaan").click()
        expect(first.get_by_text("Opgeslagen.")).to_be_visible()

        second.get_by_label(LABEL).fill(YOURS)
        second.get_by_role("button", name="Opslaan").click()
        box = second.locator("[data-conflict]")
        expect(box).to_be_visible()
        expect(box).to_be_focused()
        expect(second.get_by_role("alert")).to_contain_text("Iemand anders heeft dit verslag intussen opgeslagen")
        expect(box.locator(".conflict__theirs")).to_have_text(THEIRS)
        expect(box.locator(".conflict__yours")).to_have_text(YOURS)
        expect(box).to_contain_text(f"Opgeslagen door {coach.full_name}")
        expect(second.get_by_label(LABEL)).to_have_value(YOURS)
        assert LessonVisitNotes.objects.get(visit=visit).observations == THEIRS

        # Readable on a phone: nothing wider than the screen, the box inside it.
        assert second.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        left_and_width = box.bounding_box()
        assert left_and_width["x"] >= 0 and left_and_width["x"] + left_and_width["width"] <= PHONE["width"]
        assert second.evaluate(RUN_AXE) == []

        # Keyboard: from the focused box, Tab reaches the field's link, Enter goes to the field.
        second.keyboard.press("Tab")
        link = box.get_by_role("link", name=LABEL)
        expect(link).to_be_focused()
        second.keyboard.press("Enter")
        expect(second).to_have_url(f"{live_server.url}{path}#id_observations")

        # Saving again from the answered form keeps the typed text.
        second.get_by_role("button", name="Opslaan").click()
        expect(second.get_by_text("Opgeslagen.")).to_be_visible()
        expect(second.locator("[data-conflict]")).to_have_count(0)
        assert LessonVisitNotes.objects.get(visit=visit).observations == YOURS
    finally:
        for tab in tabs:
            tab.context.close()
