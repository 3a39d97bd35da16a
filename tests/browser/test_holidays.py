"""The foundation's admin enters a school holiday on a phone, in chromium, from the national
overview; the schoolcoach's visit calendar then marks its days and leaves out the weekend until
asked. Nothing is wider than the screen and axe-core finds no violation on either page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from leerkracht.roles import Role
from tests.browser.conftest import SCREENSHOT_DIR, log_in, save_screenshot, screenshots_wanted
from tests.browser.test_accessibility import RUN_AXE
from tests.browser.test_school_direction import fits_the_screen, phone_tab

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_admin_enters_a_holiday_and_the_coach_sees_it_in_the_calendar(browser, live_server, world):
    school, admin, coach = world.home, world.users[Role.ADMIN], world.users[Role.SCHOOLCOACH]
    tab = phone_tab(browser, live_server)
    log_in(tab, admin)
    tab.goto("/landelijk/")
    tab.get_by_role("link", name="Schoolvakanties").click()
    expect(tab.get_by_role("heading", level=1)).to_contain_text("Schoolvakanties")
    tab.get_by_label("Vakantie", exact=True).fill("Kerstvakantie")
    tab.get_by_label("Eerste dag").fill("2026-12-19")
    tab.get_by_label("Laatste dag").fill("2026-12-18")  # a slip: before the first day
    tab.get_by_role("button", name="Toevoegen").click()
    expect(tab.get_by_text("De laatste dag ligt vóór de eerste dag.").first).to_be_visible()
    expect(tab.get_by_label("Vakantie", exact=True)).to_have_value("Kerstvakantie")
    tab.get_by_label("Laatste dag").fill("2027-01-03")
    tab.get_by_role("button", name="Toevoegen").click()
    expect(tab.get_by_text("Kerstvakantie is toegevoegd.")).to_be_visible()
    expect(tab.get_by_role("region", name="Regio midden")).to_contain_text("19 december 2026 t/m 3 januari 2027")
    assert fits_the_screen(tab) and tab.evaluate(RUN_AXE) == []
    if screenshots_wanted():
        save_screenshot(tab, SCREENSHOT_DIR / "holidays" / "holidays_phone.png")

    coach_tab = phone_tab(browser, live_server)
    log_in(coach_tab, coach)
    coach_tab.goto(f"/school/{school.pk}/lesbezoeken/?week=2026-W52")
    expect(coach_tab.locator(".visit-day__holiday")).to_have_count(5)
    expect(coach_tab.get_by_role("heading", name="zaterdag")).to_have_count(0)
    assert fits_the_screen(coach_tab) and coach_tab.evaluate(RUN_AXE) == []
    coach_tab.get_by_role("link", name="Weekend tonen").click()
    expect(coach_tab.locator(".visit-day__holiday")).to_have_count(7)
    assert "weekend=1" in coach_tab.url
    if screenshots_wanted():
        save_screenshot(coach_tab, SCREENSHOT_DIR / "holidays" / "calendar_phone.png")
        coach_tab.set_viewport_size({"width": 1440, "height": 900})
        coach_tab.goto(f"/school/{school.pk}/lesbezoeken/?week=2026-W52")
        save_screenshot(coach_tab, SCREENSHOT_DIR / "holidays" / "calendar_1440.png")
