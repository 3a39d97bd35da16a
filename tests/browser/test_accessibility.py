"""Accessibility on every page: axe-core finds no violation, of any impact, on any page any demo
role reaches, at phone and at desktop width.

The pages are those of the link walk (tests/test_role_links.py), computed with the test client
against the same seeded demo the live server serves, a few per route and role. axe-core is
vendored (static/vendor/axe-core/, see static/vendor/README.md) and never served in a page: it
is added to each page as an init script, which the browser runs outside the page's content
security policy, so the pages are checked under the CSP they have in production (a style the CSP
blocks is not applied here either).
"""

from __future__ import annotations

import importlib
import time
from collections import defaultdict
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client

from schools.models import User
from tests.browser.conftest import DEFAULT_TIMEOUT_MS
from tests.test_role_links import DEMO_ROLES, seed_demo_data, walk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = settings.BASE_DIR / "static" / "vendor" / "axe-core" / "axe.min.js"
WIDTHS = {"telefoon": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
PER_ROUTE = 1  # pages of each kind per role in the browser; the link walk checks a few more ids

# Runs in the page: every violation of every rule, one entry per offending node.
RUN_AXE = """
async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.flatMap(rule => rule.nodes.map(node => ({
    rule: rule.id,
    impact: node.impact || rule.impact,
    help: rule.help,
    target: node.target.join(" "),
    summary: (node.failureSummary || "").split("\\n").slice(1, 3).join(" ").trim(),
  })));
}
"""


@pytest.fixture
def demo_data(browser):
    """The demo, seeded on the live server's database. The flush ending every transactional test
    also empties what data migrations loaded (regions, the shipped questionnaires): put those
    back first, as the migrations do."""
    importlib.import_module("schools.migrations.0002_regions").add_regions(apps, schema_editor=None)
    importlib.import_module("barometer.migrations.0002_shipped_questionnaires").ship(apps, None)
    seed_demo_data()
    return {role: User.objects.get(email=email) for role, email in DEMO_ROLES.items()}


def pages_of(user, role: str) -> list[str]:
    """The full pages `user` reaches from their landing page, one of each kind (route and query
    parameters' names): the walk of tests/test_role_links.py, without its checks of forms and
    htmx fragments (a fragment is checked inside the page that holds it)."""
    return walk(user, role, submit=False, fragments=False, per_route=PER_ROUTE).pages


def signed_in_context(browser, live_server, user):
    """A browser context holding `user`'s session (made the way the login view makes one), with
    axe-core in every page it opens."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context = browser.new_context(
        base_url=live_server.url,
        locale="nl-NL",
        timezone_id="Europe/Amsterdam",
        viewport=WIDTHS["desktop"],
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    context.add_init_script(path=str(AXE))
    return context


def report(found: dict[tuple[str, str, str], dict[str, list[str]]]) -> str:
    """One paragraph per rule, page and node, naming who met it at which widths."""
    lines = []
    for (rule, url, target), where in sorted(found.items()):
        summary = where.pop("", [""])[0]
        lines.append(f"{rule} on {url}\n    node: {target}")
        if summary:
            lines.append(f"    fix: {summary}")
        lines.append("    for: " + "; ".join(f"{role} ({', '.join(widths)})" for role, widths in where.items()))
    return "\n".join(lines)


def test_no_page_of_any_role_has_an_accessibility_violation(browser, live_server, demo_data):
    """axe-core (all rules, all impacts) on every page each demo role reaches, at 390×844 and
    1280×800: no violation."""
    started = time.monotonic()
    # (rule, page, node) → role → widths, and "" → the first failure summary.
    found: defaultdict[tuple[str, str, str], dict[str, list[str]]] = defaultdict(dict)
    checked: dict[str, int] = {}
    for role, user in demo_data.items():
        pages = pages_of(user, role)
        assert pages, f"{role} reached no page"
        checked[role] = len(pages)
        context = signed_in_context(browser, live_server, user)
        page = context.new_page()
        try:
            for url in pages:
                response = page.goto(url, wait_until="load")
                assert response is not None and response.ok, f"{role}: {url} answered {response and response.status}"
                assert urlsplit(page.url).path == urlsplit(url).path, f"{role}: {url} went to {page.url}"
                for width, size in WIDTHS.items():
                    page.set_viewport_size(size)
                    for violation in page.evaluate(RUN_AXE):
                        rule = f"{violation['rule']} ({violation['impact']}: {violation['help']})"
                        where = found[(rule, url, violation["target"])]
                        where.setdefault("", [violation["summary"]])
                        where.setdefault(role, []).append(width)
        finally:
            context.close()
    elapsed = time.monotonic() - started
    per_role = ", ".join(f"{role} {count}" for role, count in checked.items())
    print(f"axe-core: {sum(checked.values())} pages ({per_role}) × {len(WIDTHS)} widths in {elapsed:.0f} s")
    if found:
        pytest.fail(f"{len(found)} accessibility violations:\n{report(found)}", pytrace=False)
