"""The schoolcoach reads the visit rhythm on a phone, in chromium: held and planned per teacher,
"Plan voor deze leraar" beside whoever is behind, and following it opens the schedule form with
that teacher as the visited one. Nothing is wider than the screen and axe-core finds no violation."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from instruments.tests.factories import member
from instruments.tests.test_lesson_visit import at, past_visit, schedule
from leerkracht.roles import Role
from tests.browser.conftest import SCREENSHOT_DIR, log_in, save_screenshot, screenshots_wanted
from tests.browser.test_accessibility import RUN_AXE
from tests.browser.test_school_direction import fits_the_screen, phone_tab

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_schoolcoach_plans_for_a_teacher_behind_from_the_rhythm_on_a_phone(browser, live_server, world):
    school, coach = world.home, world.users[Role.SCHOOLCOACH]
    jan = member(world.home_team, first_name="Jan", last_name="de Vries")
    fatma = member(world.home_team, first_name="Fatma", last_name="Yilmaz")
    for days_ago in (3, 17):
        past_visit(school=school, visitor=fatma, visited=jan, days_ago=days_ago)
    schedule(by=coach, visitor=coach, visited=jan, starts_at=at(7))
    schedule(by=coach, visitor=coach, visited=jan, starts_at=at(14))

    tab = phone_tab(browser, live_server)
    log_in(tab, coach)
    tab.goto(f"/school/{school.pk}/lesbezoeken/ritme/")
    expect(tab.get_by_role("heading", level=1, name="Ritme van de lesbezoeken")).to_be_visible()
    jan_row = tab.get_by_role("row").filter(has_text="Jan de Vries")
    expect(jan_row).to_contain_text("Op schema")
    expect(jan_row.get_by_role("link", name="Plan voor deze leraar")).to_have_count(0)
    if screenshots_wanted():
        save_screenshot(tab, SCREENSHOT_DIR / "rhythm" / "rhythm_phone.png")
    assert fits_the_screen(tab) and tab.evaluate(RUN_AXE) == []

    plan = tab.get_by_role("row").filter(has_text="Fatma Yilmaz").get_by_role("link", name="Plan voor deze leraar")
    expect(plan).to_have_accessible_name(re.compile(r"^Plan voor deze leraar\s*:\s*Fatma Yilmaz$"))
    plan.click()
    expect(tab.get_by_label("Bezochte leraar")).to_have_value(str(fatma.pk))
    assert fits_the_screen(tab)
    if screenshots_wanted():
        save_screenshot(tab, SCREENSHOT_DIR / "rhythm" / "schedule_for_fatma_phone.png")
