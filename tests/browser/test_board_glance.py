"""The board at a glance: on a laptop the three action columns are in the first screen next to the
session panel; on a phone every section is one summary line that opens on tap, and the session's
steps open the section they name; the session timer counts down from 15:00 and then on in red,
the same on the board and on the presentation screen.

`SCREENSHOTS=1 uv run pytest -q tests/browser/test_board_glance.py -k screenshots` saves the board
of a realistic week (`busy_board`) at 390, 1440 and 1920 px, the whole page and the first
screen, to $SCREENSHOT_DIR/board_<SCREENSHOT_STAGE or "after">_<width>[_first].png.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from instruments.models import ActionStatus, BoardSession, GoalCycle
from instruments.services import board as services
from leerkracht import clock
from leerkracht.roles import Role
from schools.services import team_membership_add
from schools.tests.factories import UserFactory
from tests.browser.conftest import SCREENSHOT_DIR, log_in, save_screenshot, screenshots_wanted

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1440, "height": 900}
WIDE = {"width": 1920, "height": 1080}


@dataclass
class BusyBoard:
    board: object
    teacher: object
    path: str
    overdue: int
    open_obstacles: int


def week(offset: int) -> dt.date:
    return clock.this_week() + dt.timedelta(weeks=offset)


def busy_board(world) -> BusyBoard:
    """The home team's board in the fourth week of its cycle, as a team has it at a stand-up:
    three goals measured weekly, eleven actions over the three columns (two overdue), three
    successes, three knelpunten, five members and this week's session open."""
    contents = world.boards[world.home.pk]
    board, teacher = contents.board, world.users[Role.LERAAR]
    GoalCycle.objects.filter(board=board, closed_at__isnull=True).update(starts_on=week(-3), weeks=8)
    names = [("Fatima", "El Amrani"), ("Bram", "de Vries"), ("Sanne", "Jansen"), ("Joost", "Bakker")]
    colleagues = [
        team_membership_add(user=UserFactory(first_name=first, last_name=last), team=world.home_team).user
        for first, last in names
    ]
    goals = [contents.goal]
    for big, what, unit, baseline, target in (
        ("Elke leerling leest begrijpend op niveau", "toetsscore", "%", 52, 70),
        ("Leerlingen geven elkaar bruikbare feedback", "lessen met peer-feedback", "per week", 1, 4),
    ):
        goals.append(
            services.goal_create(
                board=board,
                user=teacher,
                big_goal=big,
                concrete="In groep 5 tot en met 8, voor de kerstvakantie.",
                measure_what=what,
                unit=unit,
                baseline=baseline,
                target=target,
            )
        )
    for offset, values in ((-3, (28, 54, 1)), (-2, (30, 57, 2)), (-1, (33, 58, 2))):
        for goal, value in zip(goals, values, strict=True):
            services.measurement_add(board=board, goal=goal, user=teacher, week=week(offset), value=value)
    for goal, value in zip(goals[1:], (61, 3), strict=True):
        services.measurement_add(board=board, goal=goal, user=teacher, week=week(0), value=value)
    plan = [
        ("Leesmaatjes groep 4 en 7 koppelen", [colleagues[0]], week(-1), ActionStatus.TODO),
        ("Rubric feedback geven maken", [teacher, colleagues[1]], week(-2), ActionStatus.TODO),
        ("Boekenkist uit de bibliotheek halen", [colleagues[2]], week(1), ActionStatus.TODO),
        ("Ouderbrief over thuis lezen", [colleagues[3]], week(2), ActionStatus.TODO),
        ("Toetsafspraken groep 6 delen", [], None, ActionStatus.TODO),
        ("Lesbezoek bij Bram plannen", [teacher], week(0), ActionStatus.DOING),
        ("Instructiemodel op de muur", [colleagues[1], colleagues[2]], week(1), ActionStatus.DOING),
        ("Leesmonitor invullen", [colleagues[0]], week(0), ActionStatus.DOING),
        ("Stilleesmoment na de pauze", [colleagues[3]], week(-1), ActionStatus.DONE),
        ("Voorleeswedstrijd aankondigen", [teacher], week(-2), ActionStatus.DONE),
    ]
    for title, owners, due, status in plan:
        services.action_create(
            board=board,
            user=teacher,
            title=title,
            owners=owners,
            due_week=due,
            status=status,
            goal=goals[len(title) % 3],
        )
    for title, who in (("Groep 7 las 40 boeken in een maand", "Fatima"), ("Eerste peer-feedback ronde gedaan", "")):
        services.success_create(board=board, user=teacher, title=title, who=who)
    for title in ("Geen tijd om samen na te kijken", "Bibliotheek alleen op dinsdag open"):
        services.obstacle_create(board=board, user=teacher, title=title, description="Besproken op maandag.")
    session = BoardSession.objects.get(board=board, closed_at__isnull=True)
    for person in colleagues[:3]:
        services.attendance_set(board=board, session_id=session.pk, user=teacher, member_id=person.pk, present=True)
    board.refresh_from_db()
    # Leeshoek inrichten (the world's action) has no due week: the two overdue ones are from the plan.
    return BusyBoard(board, teacher, f"/school/{board.school_id}/borden/{board.pk}/", overdue=2, open_obstacles=3)


def shoot(page, name: str, size: dict) -> None:
    page.set_viewport_size(size)
    page.wait_for_timeout(300)  # the layout settles, images come in
    save_screenshot(page, SCREENSHOT_DIR / f"{name}_{size['width']}.png", full_page=True)
    save_screenshot(page, SCREENSHOT_DIR / f"{name}_{size['width']}_first.png", full_page=False)


@pytest.mark.skipif(not screenshots_wanted(), reason="saves screenshots only with SCREENSHOTS=1")
def test_screenshots_of_a_busy_board_at_phone_laptop_and_wide_screen(page, world):
    """Not an assertion: the pictures to look at (board_before_* / board_after_*)."""
    busy = busy_board(world)
    log_in(page, busy.teacher)
    page.goto(busy.path)
    expect(page.locator("#actions")).to_be_attached()
    stage = os.environ.get("SCREENSHOT_STAGE", "after")
    for size in (PHONE, LAPTOP, WIDE):
        page.goto(busy.path)
        shoot(page, f"board_{stage}", size)
    if stage != "before":  # a card's menu open, and the actions opened on a phone
        page.set_viewport_size(LAPTOP)
        page.goto(busy.path)
        page.locator("#obstacles .card-menu > summary").first.click()
        page.locator("#obstacles .card-menu .resolve > summary").first.click()
        save_screenshot(page, SCREENSHOT_DIR / f"board_{stage}_1440_menu.png", full_page=False)
        page.set_viewport_size(PHONE)
        page.goto(busy.path)
        page.locator("#actions details[data-fold] > summary").click()
        page.locator("#actions").scroll_into_view_if_needed()
        save_screenshot(page, SCREENSHOT_DIR / f"board_{stage}_390_actions.png", full_page=False)
    page.goto(busy.path + "presentatie/")
    shoot(page, f"presentation_{stage}", WIDE)
    for size in ({"width": 1024, "height": 768}, {"width": 800, "height": 1000}):  # the edges of the layouts
        page.goto(busy.path)
        page.set_viewport_size(size)
        save_screenshot(page, SCREENSHOT_DIR / f"board_{stage}_{size['width']}_first.png", full_page=False)


def box(locator) -> dict:
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not laid out"
    return found


def test_at_1440_the_three_action_columns_and_their_first_cards_are_in_the_first_screen(page, world):
    """On a laptop (1440×900) the actions' column headings and the first card of each column are
    within the first screen, next to the session panel; the goals and knelpunten stand to the
    right of the actions, the successes under the session."""
    busy = busy_board(world)
    page.set_viewport_size(LAPTOP)
    log_in(page, busy.teacher)
    page.goto(busy.path)
    session, actions = box(page.locator("#session")), box(page.locator("#actions"))
    for status in ("todo", "doing", "done"):
        heading = box(page.locator(f"#actions .action-column--{status} .action-column__title"))
        first = box(page.locator(f"#column-{status} > li.board-card").first)
        assert heading["y"] + heading["height"] <= LAPTOP["height"], (status, heading)
        assert first["y"] + first["height"] <= LAPTOP["height"], (status, first)
        assert first["x"] >= session["x"] + session["width"], "the columns stand next to the session panel"
    assert actions["y"] < session["y"] + session["height"] and session["y"] < actions["y"] + actions["height"]
    for side in ("#goals", "#obstacles"):
        assert box(page.locator(side))["x"] >= actions["x"] + actions["width"], side
    successes = box(page.locator("#successes"))
    assert successes["x"] == session["x"] and successes["y"] >= session["y"] + session["height"]
    # Wide, every section is open and its heading is no toggle (nor a stop for the keyboard).
    expect(page.locator("#actions details[data-fold] > summary")).to_have_attribute("tabindex", "-1")
    page.locator("#actions details[data-fold] > summary").click()
    expect(page.locator("#column-todo > li.board-card").first).to_be_visible()
    # A card's editing controls are in its menu: closed, opened and closed again by keyboard.
    card = page.locator("#column-todo > li.board-card").first
    edit = card.get_by_role("link", name=re.compile("^Bewerken"))
    expect(edit).to_be_hidden()
    card.locator(".card-menu > summary").focus()
    page.keyboard.press("Enter")
    expect(edit).to_be_visible()
    expect(card.get_by_role("link", name=re.compile("^Geschiedenis"))).to_be_visible()
    page.keyboard.press("Escape")
    expect(edit).to_be_hidden()
    expect(card.locator(".card-menu > summary")).to_be_focused()


def test_on_a_phone_each_section_is_a_summary_line_and_the_steps_jump_from_section_to_section(page, world):
    """At 390 px the four sections are folded to their summary lines (counts, "2 te laat",
    "3 knelpunten open"); a tap opens one; the session's steps open the section they name (and
    close the one before) and bring it into view; a move in place keeps the counts true."""
    busy = busy_board(world)
    page.set_viewport_size(PHONE)
    log_in(page, busy.teacher)
    page.goto(busy.path)
    folds = page.locator("details[data-fold]")
    expect(folds).to_have_count(4)
    assert folds.evaluate_all("all => all.map(fold => fold.open)") == [False, False, False, False]
    expect(page.locator("#successes details[data-fold] > summary")).to_contain_text("3 successen")
    expect(page.locator("#goals details[data-fold] > summary")).to_contain_text("3 doelen")
    actions_line = page.locator("#actions details[data-fold] > summary")
    expect(actions_line).to_contain_text("6 te doen · 3 bezig · 2 klaar")
    expect(actions_line).to_contain_text(f"{busy.overdue} te laat")
    expect(page.locator("#obstacles details[data-fold] > summary")).to_contain_text(
        f"{busy.open_obstacles} knelpunten open"
    )
    expect(page.locator("#column-todo > li.board-card").first).to_be_hidden()

    expect(actions_line).not_to_have_attribute("tabindex", "-1")  # on a phone a toggle, keyboard too
    actions_line.click()  # a tap opens the section
    late = page.locator("#column-todo > li.board-card--overdue").first
    expect(late).to_be_visible()
    late.get_by_role("button", name="Klaar").click()  # moved in place: the summary line follows
    expect(actions_line).to_contain_text("5 te doen · 3 bezig · 3 klaar")
    expect(actions_line).to_contain_text(f"{busy.overdue - 1} te laat")

    steps = page.locator("#session .session-steps")
    steps.get_by_role("link", name="Knelpunten").click()
    expect(page.locator("#obstacles details[data-fold]")).to_have_attribute("open", "")
    expect(page.locator("#actions details[data-fold]")).not_to_have_attribute("open", "")
    expect(page.locator("#obstacles-title")).to_be_focused()
    expect(page.locator("#obstacles-title")).to_be_in_viewport()
    assert page.url.endswith("#obstacles")

    steps.get_by_role("link", name="Successen").click()
    expect(page.locator("#successes-title")).to_be_in_viewport()
    page.locator("#successes").get_by_role("link", name="Verder: Doelen en metingen").click()
    expect(page.locator("#goals details[data-fold]")).to_have_attribute("open", "")
    expect(page.locator("#successes details[data-fold]")).not_to_have_attribute("open", "")
    expect(page.locator("#goals-title")).to_be_in_viewport()

    # A reload keeps the section the address names open.
    page.reload()
    expect(page.locator("#goals details[data-fold]")).to_have_attribute("open", "")
    expect(page.locator("#actions details[data-fold]")).not_to_have_attribute("open", "")


def test_iedereen_aanwezig_ticks_every_member_in_place(page, world):
    """One tap in the attendance ticks the whole team, without a page load."""
    busy = busy_board(world)
    page.set_viewport_size(PHONE)
    log_in(page, busy.teacher)
    page.goto(busy.path)
    page.evaluate("window.__noReload = true")
    attendance = page.locator("#session .attendance")
    expect(attendance.locator("legend")).to_have_text("Aanwezig (4/5)")
    attendance.get_by_role("button", name="Iedereen aanwezig").click()
    expect(page.locator("#session .attendance legend")).to_have_text("Aanwezig (5/5)")
    expect(page.locator('#session .attendance [aria-pressed="false"]')).to_have_count(0)
    expect(page.locator("#session").get_by_role("button", name="Iedereen aanwezig")).to_have_count(0)
    assert page.evaluate("window.__noReload === true")


@pytest.mark.parametrize("where", ["", "presentatie/"])
def test_the_session_timer_counts_down_from_15_minutes_then_on_in_red(page, world, where):
    """The board and the presentation screen share one timer: 00:15 left shows as 00:1x; a
    quarter of a minute past the timebox it reads +0:1x, in red (timer--over)."""
    busy = busy_board(world)
    started = timezone.now() - dt.timedelta(minutes=14, seconds=45)
    BoardSession.objects.filter(board=busy.board, closed_at__isnull=True).update(started_at=started)
    log_in(page, busy.teacher)
    page.clock.install()
    page.goto(busy.path + where)
    timer = page.locator("[data-timer]")
    expect(timer).to_have_count(1)
    clock_text = timer.locator("[data-timer-clock]")
    expect(clock_text).to_have_text(re.compile(r"^00:[01]\d$"))
    expect(timer).not_to_have_class(re.compile("timer--over"))
    page.clock.run_for(30_000)
    expect(clock_text).to_have_text(re.compile(r"^\+0:[0-4]\d$"))
    expect(timer).to_have_class(re.compile("timer--over"))
    color = clock_text.evaluate("el => getComputedStyle(el).color")
    error = page.evaluate("() => getComputedStyle(document.documentElement).getPropertyValue('--color-error').trim()")
    assert color == hex_to_rgb(error), (color, error)


def hex_to_rgb(value: str) -> str:
    value = value.lstrip("#")
    red, green, blue = (int(value[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgb({red}, {green}, {blue})"


def test_the_busy_board_has_no_accessibility_violation_folded_or_open(page, world):
    """axe-core (vendored, as in test_accessibility.py) finds nothing on the busy board: on a
    phone with the sections folded, and on a laptop with a card's menu open."""
    from tests.browser.test_accessibility import AXE, RUN_AXE

    busy = busy_board(world)
    log_in(page, busy.teacher)
    page.context.add_init_script(path=str(AXE))
    found = []
    for size in (PHONE, LAPTOP):
        page.set_viewport_size(size)
        page.goto(busy.path)
        if size is LAPTOP:
            page.locator("#column-todo > li.board-card .card-menu > summary").first.click()
        found += [f"{size['width']}: {v['rule']} {v['target']} {v['summary']}" for v in page.evaluate(RUN_AXE)]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("width", [1024, 1280, 1440, 1920])
def test_no_action_card_reaches_out_of_its_column_on_a_laptop(page, world, width):
    """However narrow the three columns get on a laptop, every action card stays inside its own
    column (a long Dutch word or a move button never pushes it over the next one)."""
    busy = busy_board(world)
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, busy.teacher)
    page.goto(busy.path)
    section = box(page.locator("#actions"))
    for status in ("todo", "doing", "done"):
        column = box(page.locator(f"#actions .action-column--{status}"))
        assert column["x"] + column["width"] <= section["x"] + section["width"], (status, column, section)
        for card in page.locator(f"#column-{status} > li.board-card").all():
            found = box(card)
            assert found["x"] >= column["x"] - 0.5, (status, found, column)
            assert found["x"] + found["width"] <= column["x"] + column["width"] + 0.5, (status, found, column)
