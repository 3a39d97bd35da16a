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
from dataclasses import dataclass

import pytest
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
            board=board, user=teacher, title=title, owners=owners, due_week=due, status=status, goal=goals[len(title) % 3]
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
