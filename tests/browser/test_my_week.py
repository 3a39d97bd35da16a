""" "Mijn week" on a teacher's phone, in chromium: the teacher signs in and lands on their week,
moves an action to done and says a lesson visit took place, each in place (the item leaves
without a reload); nothing is wider than the screen and axe-core finds no violation.

Picking a due week on the board's action form on a phone (the week select that works in every
browser) is tested in tests/browser/test_board.py
(test_teacher_adds_an_action_moves_it_to_done_and_records_a_measurement_without_a_reload, at
390 px)."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from instruments.models import Action, ActionStatus, LessonVisit, VisitStatus
from instruments.services import board as board_services
from leerkracht import clock
from leerkracht.roles import Role
from tests.browser.conftest import SCREENSHOT_DIR, log_in, save_screenshot, screenshots_wanted
from tests.browser.test_accessibility import RUN_AXE
from tests.browser.test_school_direction import fits_the_screen, phone_tab

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_teacher_lands_on_their_week_and_ticks_off_an_action_and_a_visit_in_place(browser, live_server, world):
    teacher, coach = world.users[Role.LERAAR], world.users[Role.SCHOOLCOACH]
    board = world.boards[world.home.pk].board
    done_soon = board_services.action_create(board=board, user=teacher, title="Leesroosters maken", owners=[teacher])
    late = board_services.action_create(board=board, user=teacher, title="Boekenlijst nakijken", owners=[teacher])
    Action.objects.filter(pk=done_soon.pk).update(due_week=clock.this_week())
    Action.objects.filter(pk=late.pk).update(due_week=clock.this_week() - dt.timedelta(weeks=1))
    yesterday = clock.instant(clock.today() - dt.timedelta(days=1), dt.time(10))
    visit = LessonVisit.objects.create(
        school=world.home,
        visitor=coach,
        visited=teacher,
        starts_at=yesterday,
        ends_at=yesterday + dt.timedelta(minutes=50),
        scheduled_by=coach,
    )

    tab = phone_tab(browser, live_server)
    log_in(tab, teacher)
    expect(tab).to_have_url(f"{live_server.url}/school/{world.home.pk}/mijn-week/")
    expect(tab.get_by_role("heading", level=1, name="Mijn week")).to_be_visible()
    assert fits_the_screen(tab)
    assert tab.evaluate(RUN_AXE) == []
    shoot(tab, "my-week-390", width=390, height=844)
    tab.evaluate("window.__noReload = true")

    actions = tab.locator("#my-actions")
    expect(actions.get_by_text("te laat: was voor")).to_be_visible()
    actions.locator("li", has_text="Leesroosters maken").get_by_role("button", name="Klaar").click()
    expect(actions.get_by_text("Leesroosters maken")).to_have_count(0)
    expect(tab.locator("#my-actions").get_by_role("link", name="Boekenlijst nakijken")).to_be_visible()
    assert Action.objects.get(pk=done_soon.pk).status == ActionStatus.DONE

    visits = tab.locator("#my-visits")
    visits.get_by_role("button", name="Ja, plaatsgevonden").click()
    expect(tab.locator("#my-visits").get_by_role("link", name="Nagesprek vastleggen")).to_be_visible()
    expect(tab.locator("#my-visits").get_by_role("button", name="Ja, plaatsgevonden")).to_have_count(0)
    visit.refresh_from_db()
    assert visit.status == VisitStatus.HELD

    assert tab.evaluate("window.__noReload === true"), "the page was reloaded"
    assert fits_the_screen(tab)
    assert tab.evaluate(RUN_AXE) == []
    shoot(tab, "my-week-390-after", width=390, height=844)
    shoot(tab, "my-week-1440", width=1440, height=900)


def shoot(tab, name: str, *, width: int, height: int) -> None:
    if screenshots_wanted():
        tab.set_viewport_size({"width": width, "height": height})
        save_screenshot(tab, SCREENSHOT_DIR / f"{name}.png")
