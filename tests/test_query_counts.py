"""Every route has a pinned query count, as every route has an access declaration.

`PINS` names, for each route of the URLconf, the person who uses it and how many database queries
its page and its htmx partial take in the shared world (leerkracht/tests/world.py); the test
asks for each and compares. A route that answers no GET (an operation: POST only) is pinned where
its behaviour is tested, by a test marked `@pytest.mark.pins_queries("namespace:name")` that
counts its queries; the meta-test finds those marks in the test files' source. A new route
without either fails, naming itself: pin it before it lands.

When a count changes, the failure prints the queries. A higher count is a finding (a query per
row of a list?) before it is a new pin; a lower one is a gain to pin. To print the counts of
every GET route as a table to paste, run this file with QUERY_COUNTS_PRINT=1 and -s.
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver

from leerkracht.roles import Role
from leerkracht.tests.test_url_sweep import fill, home_ids, our_routes

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
TEST_ROOTS = ["leerkracht", "schools", "instruments", "barometer", "academy", "tests"]  # pytest's testpaths
ANONYMOUS = "anoniem"
# Who asks, in this order: the first whom the route serves is the person it is pinned for. A
# public route (pupils, login, a link from an e-mail) is asked by nobody logged in.
ASKERS = [Role.SCHOOLCOACH, Role.LERAAR, Role.SCHOOLLEIDER, Role.EXPERTCOACH, Role.ADMIN]


@dataclass(frozen=True)
class Pin:
    """Who asks, the queries of the page and of the htmx partial, and the status of each (200,
    or 302 for a route that sends its visitor on; 4xx where one of the two is not served)."""

    who: str  # a Role value, or ANONYMOUS
    page: int
    partial: int
    page_status: int = 200
    partial_status: int = 200


# The world's pages as their people ask them (a cold cache each time: page, then partial).
PINS: dict[str, Pin] = {
    "api:school_list": Pin(Role.SCHOOLCOACH, page=5, partial=5),
    "api:team_list": Pin(Role.SCHOOLCOACH, page=4, partial=4),
    "barometer:national_results": Pin(Role.ADMIN, page=3, partial=3),
    "barometer:national_results_export": Pin(Role.ADMIN, page=3, partial=3),
    "barometer:questionnaire_detail": Pin(Role.ADMIN, page=4, partial=4),
    "barometer:questionnaire_list": Pin(Role.ADMIN, page=3, partial=3),
    "barometer:response_overview": Pin(Role.ADMIN, page=5, partial=3),
    "barometer:school_responses": Pin(Role.SCHOOLCOACH, page=6, partial=4),
    "barometer:school_results": Pin(Role.SCHOOLCOACH, page=6, partial=4),
    "barometer:version_detail": Pin(Role.ADMIN, page=5, partial=5),
    "barometer:wave_create": Pin(Role.ADMIN, page=4, partial=4),
    "barometer:wave_detail": Pin(Role.ADMIN, page=9, partial=9),
    "barometer:wave_list": Pin(Role.ADMIN, page=3, partial=3),
    "barometer_answers:answer": Pin(ANONYMOUS, page=2, partial=2),
    "barometer_answers:my_invitations": Pin(Role.SCHOOLCOACH, page=5, partial=5),
    "healthz": Pin(ANONYMOUS, page=1, partial=1),
    "home": Pin(Role.SCHOOLCOACH, page=3, partial=3, page_status=302, partial_status=302),
    "instruments:action_card": Pin(Role.SCHOOLCOACH, page=5, partial=17, page_status=302),
    "instruments:action_edit": Pin(Role.SCHOOLCOACH, page=11, partial=10),
    "instruments:board": Pin(Role.SCHOOLCOACH, page=18, partial=18),
    "instruments:board_list": Pin(Role.SCHOOLCOACH, page=9, partial=9),
    "instruments:cycle_close": Pin(Role.SCHOOLCOACH, page=16, partial=16),
    "instruments:feedback_criteria": Pin(Role.SCHOOLCOACH, page=7, partial=6),
    "instruments:feedback_criterion": Pin(Role.SCHOOLCOACH, page=8, partial=7),
    "instruments:feedback_projection": Pin(Role.LERAAR, page=9, partial=9),
    "instruments:feedback_qr": Pin(Role.LERAAR, page=4, partial=4),
    "instruments:feedback_results": Pin(Role.LERAAR, page=4, partial=8, page_status=302),
    "instruments:feedback_round": Pin(Role.LERAAR, page=9, partial=9),
    "instruments:feedback_round_create": Pin(Role.SCHOOLCOACH, page=7, partial=7),
    "instruments:feedback_rounds": Pin(Role.SCHOOLCOACH, page=8, partial=8),
    "instruments:goal_card": Pin(Role.SCHOOLCOACH, page=5, partial=5, page_status=302),
    "instruments:goal_chart": Pin(Role.SCHOOLCOACH, page=6, partial=6),
    "instruments:goal_edit": Pin(Role.SCHOOLCOACH, page=7, partial=6),
    "instruments:history": Pin(Role.SCHOOLCOACH, page=9, partial=9),
    "instruments:lesson_design_create": Pin(Role.SCHOOLCOACH, page=9, partial=8),
    "instruments:lesson_design_detail": Pin(Role.SCHOOLCOACH, page=12, partial=12),
    "instruments:lesson_design_edit": Pin(Role.SCHOOLCOACH, page=10, partial=9),
    "instruments:lesson_design_library": Pin(Role.SCHOOLCOACH, page=14, partial=5),
    "instruments:lesson_visit_calendar": Pin(Role.SCHOOLCOACH, page=9, partial=7),
    "instruments:lesson_visit_detail": Pin(Role.SCHOOLCOACH, page=6, partial=5),
    "instruments:lesson_visit_feed": Pin(ANONYMOUS, page=3, partial=3),
    "instruments:lesson_visit_feed_manage": Pin(Role.SCHOOLCOACH, page=5, partial=3),
    "instruments:lesson_visit_notes": Pin(Role.SCHOOLCOACH, page=7, partial=5),
    "instruments:lesson_visit_reschedule": Pin(Role.SCHOOLCOACH, page=6, partial=4),
    "instruments:lesson_visit_rhythm": Pin(Role.SCHOOLCOACH, page=6, partial=6),
    "instruments:lesson_visit_schedule": Pin(Role.SCHOOLCOACH, page=8, partial=6),
    "instruments:my_week": Pin(Role.SCHOOLCOACH, page=14, partial=14),
    "instruments:my_week_home": Pin(Role.SCHOOLCOACH, page=3, partial=3, page_status=302, partial_status=302),
    "instruments:obstacle_card": Pin(Role.SCHOOLCOACH, page=5, partial=5, page_status=302),
    "instruments:obstacle_edit": Pin(Role.SCHOOLCOACH, page=6, partial=5),
    "instruments:presentation": Pin(Role.SCHOOLCOACH, page=16, partial=16),
    "instruments:presentation_content": Pin(Role.SCHOOLCOACH, page=15, partial=15),
    "instruments:print": Pin(Role.SCHOOLCOACH, page=16, partial=16),
    "instruments:pupil_answer": Pin(ANONYMOUS, page=3, partial=3),
    "instruments:pupil_code": Pin(ANONYMOUS, page=0, partial=0),
    "instruments:pupil_input": Pin(Role.SCHOOLCOACH, page=8, partial=8),
    "instruments:pupil_short": Pin(ANONYMOUS, page=1, partial=1, page_status=302, partial_status=302),
    "instruments:school_rhythm": Pin(Role.SCHOOLCOACH, page=12, partial=10),
    "instruments:school_direction": Pin(Role.SCHOOLLEIDER, page=7, partial=7),
    "instruments:school_direction_theme_delete": Pin(Role.SCHOOLLEIDER, page=8, partial=5),
    "instruments:school_direction_theme_edit": Pin(Role.SCHOOLLEIDER, page=8, partial=5),
    "instruments:session_detail": Pin(Role.SCHOOLCOACH, page=8, partial=8),
    "instruments:session_list": Pin(Role.SCHOOLCOACH, page=9, partial=9),
    "instruments:success_card": Pin(Role.SCHOOLCOACH, page=5, partial=5, page_status=302),
    "instruments:success_edit": Pin(Role.SCHOOLCOACH, page=6, partial=5),
    "instruments:team_board_open": Pin(Role.SCHOOLCOACH, page=5, partial=5, page_status=302, partial_status=302),
    "login": Pin(ANONYMOUS, page=0, partial=0),
    "password_reset": Pin(ANONYMOUS, page=0, partial=0),
    "password_reset_complete": Pin(ANONYMOUS, page=0, partial=0),
    "password_reset_confirm": Pin(ANONYMOUS, page=5, partial=5, page_status=302, partial_status=302),
    "password_reset_done": Pin(ANONYMOUS, page=0, partial=0),
    "schools:holiday_edit": Pin(Role.ADMIN, page=3, partial=3),
    "schools:holiday_list": Pin(Role.ADMIN, page=5, partial=5),
    "schools:my_schools": Pin(Role.SCHOOLCOACH, page=5, partial=5),
    "schools:national_overview": Pin(Role.ADMIN, page=6, partial=6),
    "schools:people": Pin(Role.SCHOOLCOACH, page=8, partial=8),
    "schools:person": Pin(Role.SCHOOLCOACH, page=9, partial=9),
    "schools:person_remove": Pin(Role.SCHOOLCOACH, page=9, partial=9),
    "schools:people_import": Pin(Role.SCHOOLCOACH, page=6, partial=4),
    "schools:people_import_upload": Pin(Role.SCHOOLCOACH, page=6, partial=6),
    "schools:people_log": Pin(Role.SCHOOLLEIDER, page=8, partial=8),
    "schools:staff_invitation_list": Pin(Role.SCHOOLCOACH, page=7, partial=7),
    "schools:staff_invite": Pin(Role.SCHOOLCOACH, page=7, partial=7),
    "schools:region_overview": Pin(Role.EXPERTCOACH, page=6, partial=5),
    "schools:school_group_overview": Pin(Role.ADMIN, page=5, partial=5),
    "schools:school_list": Pin(Role.SCHOOLCOACH, page=7, partial=5),
    "schools:school_overview": Pin(Role.SCHOOLCOACH, page=10, partial=10),
    "schools:team_detail": Pin(Role.SCHOOLCOACH, page=12, partial=10),
    "schools:team_list": Pin(Role.SCHOOLCOACH, page=9, partial=8),
}


def route_table() -> dict[str, str]:
    """ "namespace:name" → route, for every route of ours."""
    ours = {route for route, _callback, _namespaces in our_routes()}
    return {name: route for route, name, _callback in _named(get_resolver().url_patterns, "", (), ours)}


def _named(patterns, prefix: str, namespaces: tuple[str, ...], ours: set[str]):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from _named(entry.url_patterns, route, inner, ours)
        elif isinstance(entry, URLPattern) and route in ours:
            yield route, ":".join([*namespaces, entry.name or route]), entry.callback


def route_ids(world, name: str, base: dict[str, int | str]) -> dict[str, int | str]:
    """The ids a route's address is filled with: the home school's (`base`, from home_ids), and
    for the few routes whose address carries a secret, a real one (a barometer link, a
    password-reset link)."""
    ids = dict(base)
    if name == "barometer_answers:answer":
        ids["token"] = barometer_token(world)
    elif name == "password_reset_confirm":
        from django.contrib.auth.tokens import default_token_generator
        from django.utils.encoding import force_bytes
        from django.utils.http import urlsafe_base64_encode

        teacher = world.users[Role.LERAAR]
        ids["uidb64"] = urlsafe_base64_encode(force_bytes(teacher.pk))
        ids["token"] = default_token_generator.make_token(teacher)
    return ids


def barometer_token(world) -> str:
    """An open invitation of the home school's teacher, as the wave service makes it."""
    from barometer.tests.test_answers import invite, make_version, make_wave_school

    wave_school = make_wave_school(world.home, make_version())
    return invite(wave_school, world.users[Role.LERAAR], team=world.home_team)[1]


def ask(client, world, who: str, url: str, *, partial: bool):
    client.logout()
    if who != ANONYMOUS:
        client.force_login(world.users[Role(who)])
    headers = {"HTTP_HX_REQUEST": "true"} if partial else {}
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    return response, queries


def clear_caches() -> None:
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()


def pinned_operations() -> dict[str, str]:
    """ "namespace:name" → the test file that pins it, from `pins_queries` marks in the source."""
    found = {}
    paths = [path for app in TEST_ROOTS for path in sorted((ROOT / app).glob("**/test_*.py"))]
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "pins_queries":
                for argument in node.args:
                    if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                        found[argument.value] = str(path.relative_to(ROOT))
    return found


def test_every_route_has_a_pinned_query_count():
    routes = route_table()
    operations = pinned_operations()
    missing = sorted(name for name in routes if name not in PINS and name not in operations)
    assert not missing, (
        "Routes without a pinned query count (add them to PINS in tests/test_query_counts.py, or mark the "
        f"test that counts the operation's queries with @pytest.mark.pins_queries(name)): {missing}"
    )
    stale = sorted((set(PINS) | set(operations)) - set(routes))
    assert not stale, f"Pins for routes that no longer exist: {stale}"
    both = sorted(set(PINS) & set(operations))
    assert not both, f"Pinned twice (in PINS and by a pins_queries mark): {both}"


def test_the_meta_test_finds_a_route_nobody_pinned(monkeypatch):
    """The check can fail: a route that is neither in PINS nor marked is reported."""
    routes = route_table()
    name = next(iter(PINS))
    monkeypatch.delitem(PINS, name)
    with pytest.raises(AssertionError, match=name):
        test_every_route_has_a_pinned_query_count()
    assert name in routes


@pytest.mark.parametrize("name", sorted(PINS))
def test_query_count(client, world, name):
    pin = PINS[name]
    url = fill(route_table()[name], route_ids(world, name, home_ids(world)))
    for partial, status, count in ((False, pin.page_status, pin.page), (True, pin.partial_status, pin.partial)):
        clear_caches()
        response, queries = ask(client, world, pin.who, url, partial=partial)
        form = "partial" if partial else "page"
        assert response.status_code == status, f"{name} {form} as {pin.who}: {response.status_code}"
        counted = [query["sql"] for query in queries.captured_queries]
        assert len(counted) == count, f"{name} {form} as {pin.who}: {len(counted)} queries\n" + "\n".join(counted)


def served(response) -> bool:
    """A 200, or a redirect that is not the way to the login page."""
    if response.status_code == 200:
        return True
    return response.status_code in (301, 302, 303) and "/inloggen/" not in response.get("Location", "")


@pytest.mark.skipif(not os.environ.get("QUERY_COUNTS_PRINT"), reason="prints the table; QUERY_COUNTS_PRINT=1 -s")
def test_print_the_counts_of_every_route(client, world):
    from leerkracht.access import view_declaration

    lines, unanswered = [], []
    base = home_ids(world)
    for name, route in sorted(route_table().items()):
        url = fill(route, route_ids(world, name, base))
        callback = next(cb for r, n, cb in _named(get_resolver().url_patterns, "", (), {route}) if n == name)
        askers = [ANONYMOUS] if view_declaration(callback)[0] == "public" else ASKERS
        for who in askers:
            measured = []
            for partial in (False, True):
                clear_caches()
                response, queries = ask(client, world, who, url, partial=partial)
                measured.append((response, len(queries.captured_queries)))
            if not any(served(response) for response, _count in measured):
                continue
            (page, page_count), (partial, partial_count) = measured
            who_code = f"Role.{Role(who).name}" if who != ANONYMOUS else "ANONYMOUS"
            statuses = "".join(
                f", {label}_status={response.status_code}"
                for label, response in (("page", page), ("partial", partial))
                if response.status_code != 200
            )
            lines.append(f'    "{name}": Pin({who_code}, page={page_count}, partial={partial_count}{statuses}),')
            break
        else:
            unanswered.append(name)
    print("\nPINS = {\n" + "\n".join(lines) + "\n}")
    print("No GET served (operations):", unanswered)


@pytest.mark.pins_queries("logout")
def test_logging_out_costs_a_fixed_number_of_queries(client, world, django_assert_num_queries):
    client.force_login(world.users[Role.LERAAR])
    with django_assert_num_queries(6):
        response = client.post("/uitloggen/")
    assert response.status_code == 302
