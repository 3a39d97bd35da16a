"""Browser tests: Debian's chromium, driven by Playwright's sync API, against pytest-django's
live server (a real HTTP server in a thread, on a transactional test database).

- `browser` (package): one headless chromium for all tests under tests/browser/. Missing
  chromium is a failure when CI is set (browser tests are never skipped in CI) and a skip with
  the reason otherwise. `bin/test` installs it (`apt-get install chromium`); never
  `playwright install`.
- `page`: a fresh context (cookies, storage) per test, Dutch locale, with the live server as
  base URL; on failure a screenshot goes to $SCREENSHOT_DIR/failures/.
- `screenshot`: saves the page at a given viewport to $SCREENSHOT_DIR (default /tmp/screens),
  only when SCREENSHOTS is set, so normal runs write nothing.

Why package scope and not session scope: while Playwright's sync API is started, an asyncio
loop counts as running in the test thread, so Django refuses database access there unless
DJANGO_ALLOW_ASYNC_UNSAFE is set. Both must end with the browser tests: pytest-django runs
transactional tests (these) before the tests without a database, and a session-wide Playwright
would leave the variable set for them and for the subprocesses they start (`manage.py check
--deploy` then reports async.E001).

Mark browser tests `browser` and give them a transactional database:
`pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]`. Mind that the
flush ending each transactional test also removes rows that data migrations loaded.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOT_DIR = Path(os.environ.get("SCREENSHOT_DIR", "/tmp/screens"))  # noqa: S108 (not in the repo)
DEFAULT_TIMEOUT_MS = 15_000


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def screenshots_wanted() -> bool:
    return os.environ.get("SCREENSHOTS", "").strip().lower() not in {"", "0", "false", "no"}


def save_screenshot(page, path: Path | str, *, full_page: bool = True) -> Path:
    """Save a screenshot of `page` to `path` (parent directories are created)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=full_page)
    return path


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so `page` can tell that the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="package")
def browser() -> Iterator:
    if not os.access(CHROMIUM, os.X_OK):
        reason = (
            f"chromium is not installed at {CHROMIUM}; install Debian's package "
            "(apt-get install chromium, which bin/test does when run as root)."
        )
        if in_ci():
            pytest.fail(f"{reason} Browser tests are never skipped in CI.", pytrace=False)
        pytest.skip(reason)

    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=DEFAULT_TIMEOUT_MS)  # assertions wait as long as actions do

    # Playwright's sync API runs an asyncio event loop in the test thread, which trips Django's
    # async-safety check on every database query made from the test (set-up, assertions, the
    # transactional flush). The tests are synchronous, so the check does not apply while
    # Playwright runs; the variable is restored as soon as Playwright stops (see above).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            try:
                yield chromium
            finally:
                chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server, request) -> Iterator:
    context = browser.new_context(
        base_url=live_server.url,
        locale="nl-NL",
        timezone_id="Europe/Amsterdam",
        viewport={"width": 1280, "height": 800},
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
            try:
                path = save_screenshot(page, SCREENSHOT_DIR / "failures" / f"{name}.png")
                print(f"screenshot of the failing page: {path}")
            except Exception as exc:  # a screenshot must not hide the failure itself
                print(f"no screenshot of the failing page: {exc}")
    finally:
        context.close()


@pytest.fixture
def screenshot(page) -> Callable[..., Path | None]:
    """`screenshot(name, width=..., height=...)`: resize the viewport, save
    $SCREENSHOT_DIR/<name>.png and return its path; a no-op (None) unless SCREENSHOTS is set."""

    def take(name: str, *, width: int, height: int, full_page: bool = True) -> Path | None:
        if not screenshots_wanted():
            return None
        page.set_viewport_size({"width": width, "height": height})
        path = save_screenshot(page, SCREENSHOT_DIR / f"{name}.png", full_page=full_page)
        print(f"screenshot: {path}")
        return path

    return take


# --- The two-region world and signing in, for every browser test ---------------------------


@pytest.fixture
def world(transactional_db):
    """The shared two-region world (leerkracht/tests/world.py) on the live server's database."""
    import importlib

    from django.apps import apps

    from leerkracht.tests.world import build_world

    # The flush ending each transactional test removes the regions a data migration loads.
    importlib.import_module("schools.migrations.0002_regions").add_regions(apps, schema_editor=None)
    return build_world()


def log_in(page, user) -> None:
    """Sign `user` in through the login form (every test user has the factories' password)."""
    from schools.tests.factories import PASSWORD

    page.goto("/inloggen/")
    page.get_by_label(re.compile(r"^\s*E-mailadres")).fill(user.email)
    page.get_by_label(re.compile(r"^\s*Wachtwoord(?!\s*vergeten)")).fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_load_state()


# --- The board: folded sections on a phone, card menus -----------------------------------------


def open_board_section(page, section: str) -> None:
    """Open one of the board's sections (successes, goals, actions, obstacles) as a person would:
    on a phone each is folded to its summary line until tapped; wider it is open already."""
    fold = page.locator(f"#{section} details[data-fold]")
    if fold.get_attribute("open") is None:
        fold.locator("> summary").click()


def open_card_menu(card) -> None:
    """Open a board card's menu (⋯), where its editing controls are."""
    card.locator(".card-menu > summary").click()
