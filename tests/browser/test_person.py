"""A school leader runs one person's place in the school on a phone, in chromium: from the
people page to the person, a role given (and a school leader's role refused where it would leave
the school without one, with what was ticked kept), then the person written out of the school
after the page has said what that means; the action they owned stays on the board, owned by
"oud-collega". Nothing is wider than the screen, axe-core finds no
violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from leerkracht.roles import Role
from schools.models import FormerStaff, SchoolMembership
from tests.browser.conftest import SCREENSHOT_DIR, log_in, open_board_section, save_screenshot, screenshots_wanted
from tests.browser.test_accessibility import RUN_AXE
from tests.browser.test_school_direction import fits_the_screen, phone_tab

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_leader_gives_a_role_and_writes_a_teacher_out_on_a_phone(browser, live_server, world):
    school, leader = world.home, world.users[Role.SCHOOLLEIDER]
    teacher = world.users[Role.LERAAR]
    tab = phone_tab(browser, live_server)
    log_in(tab, leader)
    tab.goto(f"/school/{school.pk}/mensen/")
    tab.get_by_role("link", name=teacher.full_name).click()
    expect(tab.get_by_role("heading", level=1, name=teacher.full_name)).to_be_visible()
    assert fits_the_screen(tab) and tab.evaluate(RUN_AXE) == []

    tab.get_by_role("checkbox", name="Schoolcoach").check()
    tab.get_by_role("button", name="Rollen opslaan").click()
    expect(tab.get_by_text(f"De rollen van {teacher.full_name} zijn bijgewerkt.")).to_be_visible()
    assert set(SchoolMembership.unscoped.filter(user=teacher, school=school).values_list("role", flat=True)) == {
        "leraar",
        "schoolcoach",
    }
    if screenshots_wanted():
        save_screenshot(tab, SCREENSHOT_DIR / "person_phone.png")

    # The leader's own page: taking the only leader's role needs a new leader named.
    tab.goto(f"/school/{school.pk}/mensen/{leader.pk}/")
    tab.get_by_role("checkbox", name="Schoolleider").uncheck()
    tab.get_by_role("checkbox", name="Leraar").check()
    tab.get_by_role("button", name="Rollen opslaan").click()
    summary = tab.locator("[data-error-summary]")
    expect(summary).to_contain_text("enige schoolleider")
    expect(summary).to_be_focused()
    expect(tab.get_by_role("checkbox", name="Leraar")).to_be_checked()
    expect(tab.get_by_role("checkbox", name="Schoolleider")).not_to_be_checked()
    assert tab.evaluate(RUN_AXE) == []
    assert SchoolMembership.unscoped.filter(user=leader, school=school, role="schoolleider").exists()

    tab.goto(f"/school/{school.pk}/mensen/{teacher.pk}/")
    tab.get_by_role("link", name=f"{teacher.first_name} uitschrijven").click()
    expect(tab.get_by_text("de naam wordt ‘oud-collega’")).to_be_visible()
    assert fits_the_screen(tab) and tab.evaluate(RUN_AXE) == []
    if screenshots_wanted():
        save_screenshot(tab, SCREENSHOT_DIR / "person_remove_phone.png")
    tab.get_by_role("button", name="Uitschrijven").click()
    expect(tab.get_by_text(f"{teacher.full_name} is uitgeschreven uit de school.")).to_be_visible()
    assert FormerStaff.objects.filter(school=school, user=teacher).exists()
    expect(tab.get_by_role("link", name=teacher.full_name)).to_have_count(0)

    # The action the teacher owned stays on the team's board, owned by "oud-collega".
    board = world.boards[school.pk]
    tab.goto(f"/school/{school.pk}/borden/{board.board.pk}/")
    open_board_section(tab, "actions")  # on a phone the section is folded to its summary line
    expect(tab.get_by_text(board.action.title).first).to_be_visible()
    expect(tab.get_by_text("oud-collega").first).to_be_visible()
    assert teacher.last_name not in tab.locator("main").inner_text()
    if screenshots_wanted():
        save_screenshot(tab, SCREENSHOT_DIR / "board_with_leaver_phone.png")
        tab.set_viewport_size({"width": 1440, "height": 900})
        save_screenshot(tab, SCREENSHOT_DIR / "board_with_leaver_1440.png")
