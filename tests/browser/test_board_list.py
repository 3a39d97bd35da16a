"""The schoolcoach reads the school's board list on a phone, in chromium: every team as a stacked
row (last session, attendance, mood trend in words), the team without a board started from its
button, and nothing wider than the screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from instruments.models import Mood
from instruments.tests.test_board_list import closed_session
from leerkracht.roles import Role
from tests.browser.conftest import SCREENSHOT_DIR, log_in, save_screenshot, screenshots_wanted
from tests.browser.test_school_direction import fits_the_screen, phone_tab

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_schoolcoach_reads_every_team_and_starts_a_board_on_a_phone(browser, live_server, world):
    board = world.boards[world.home.pk].board
    closed_session(board, weeks_back=2, moods=[Mood.OKAY, Mood.TIRED])
    closed_session(board, weeks_back=1, moods=[Mood.GREAT, Mood.GOOD])
    tab = phone_tab(browser, live_server)
    log_in(tab, world.users[Role.SCHOOLCOACH])
    tab.goto(f"/school/{world.home.pk}/borden/")
    row = tab.locator(f"#team-{world.home_team.pk}")
    expect(row).to_contain_text("stemming: beter")
    expect(tab.locator(f"#team-{world.other_home_team.pk}")).to_contain_text("nog geen bord")
    assert fits_the_screen(tab)
    if screenshots_wanted():
        save_screenshot(tab, SCREENSHOT_DIR / "boardlist" / "board_list_phone.png")
    tab.locator(f"#team-{world.other_home_team.pk}").get_by_role("button", name="Bord starten").click()
    tab.wait_for_load_state()
    assert f"/school/{world.home.pk}/borden/" in tab.url and "/bord/" not in tab.url
    tab.goto(f"/school/{world.home.pk}/borden/")
    expect(tab.locator(f"#team-{world.other_home_team.pk}")).to_contain_text("nog geen sessie")
    if screenshots_wanted():
        save_screenshot(tab, SCREENSHOT_DIR / "boardlist" / "board_list_started_phone.png")
        tab.set_viewport_size({"width": 1280, "height": 900})
        save_screenshot(tab, SCREENSHOT_DIR / "boardlist" / "board_list_desktop.png")
