"""Every route, asked for another school's objects by every role: 404, as page, as htmx partial
and as API. New routes are found by walking the URLconf, so nobody has to remember to add them;
a route without an access declaration, or with an id this sweep cannot fill, fails."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from leerkracht.access import NODE_KWARGS, view_declaration
from leerkracht.roles import Role
from leerkracht.tests.world import EXPECTED_VISIBLE

pytestmark = pytest.mark.django_db

EXEMPT_NAMESPACES = {"admin"}  # Django's admin: superusers only, see test_admin_is_for_admins_only


def walk(patterns=None, prefix="", namespaces=()):
    """Yield (route, callback, namespaces) for every URL pattern of the project."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            namespace = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from walk(entry.url_patterns, route, namespace)
        elif isinstance(entry, URLPattern):
            yield route, entry.callback, namespaces


def our_routes():
    return [
        (route, callback, namespaces)
        for route, callback, namespaces in walk()
        if not EXEMPT_NAMESPACES.intersection(namespaces)
    ]


def kwarg_names(route: str) -> list[str]:
    return re.findall(r"<(?:\w+:)?(\w+)>", route)


def node_routes():
    return [(route, cb, ns) for route, cb, ns in our_routes() if set(kwarg_names(route)) & set(NODE_KWARGS)]


def fill(route: str, ids: dict[str, int]) -> str:
    def replace(match):
        name = match.group(1)
        if name not in ids:
            pytest.fail(f"{route}: the sweep has no foreign id for <{name}>; add it to foreign_ids()")
        return str(ids[name])

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", replace, route)


def foreign_ids(world) -> dict[str, int]:
    """Ids of objects in the foreign school (other region, other bestuur)."""
    foreign = world.foreign
    return {
        "school_id": foreign.pk,
        "school_group_id": foreign.school_group_id,
        "region_id": foreign.region_id,
        "team_id": world.teams[foreign.pk][0].pk,
    }


def test_the_sweep_finds_routes_under_every_kind_of_node():
    routes = [route for route, _, _ in node_routes()]
    assert any("<int:school_id>" in r for r in routes)
    assert any("<int:school_group_id>" in r for r in routes)
    assert any("<int:region_id>" in r for r in routes)
    assert any(r.startswith("api/") for r in routes), "the API's school routes are swept too"


def test_every_route_declares_its_access_rule():
    undeclared = [route for route, callback, _ in our_routes() if view_declaration(callback)[0] == "undeclared"]
    assert undeclared == []


def test_every_route_under_a_node_requires_a_capability():
    """A route that names a school, bestuur or region may not be public or merely personal."""
    loose = [
        (route, view_declaration(callback)[0])
        for route, callback, _ in node_routes()
        if view_declaration(callback)[0] != "capability"
    ]
    assert loose == []


@pytest.mark.parametrize("role", list(EXPECTED_VISIBLE))
def test_every_node_route_answers_404_for_another_schools_ids(client, world, role):
    client.force_login(world.users[role])
    ids = foreign_ids(world)
    failures = []
    for route, _, namespaces in node_routes():
        url = fill(route, ids)
        variants = [("page", {}), ("htmx", {"HTTP_HX_REQUEST": "true"})]
        if "api" in namespaces:
            variants = [("api", {"HTTP_ACCEPT": "application/json"})]
        for label, headers in variants:
            for method in ("get", "post"):
                status = getattr(client, method)(url, **headers).status_code
                if status != 404:
                    failures.append(f"{method.upper()} {url} as {label}: {status}")
    assert failures == []


def test_every_node_route_answers_404_for_missing_ids_even_to_an_admin(client, world):
    """An admin sees every school, so 'not visible' never stops them: a missing id must."""
    client.force_login(world.users[Role.ADMIN])
    missing = dict.fromkeys(["school_id", "school_group_id", "region_id", "team_id"], 999_999_999)
    failures = []
    for route, _, namespaces in node_routes():
        url = fill(route, missing)
        headers = {"HTTP_ACCEPT": "application/json"} if "api" in namespaces else {"HTTP_HX_REQUEST": "true"}
        for extra in ({}, headers):
            status = client.get(url, **extra).status_code
            if status != 404:
                failures.append(f"GET {url} {extra}: {status}")
    # An existing school with a missing team below it.
    for route, _, _ in node_routes():
        if "<int:team_id>" in route:
            url = fill(route, {**missing, "school_id": world.home.pk})
            if (status := client.get(url).status_code) != 404:
                failures.append(f"GET {url}: {status}")
    assert failures == []


@pytest.mark.parametrize("role", list(EXPECTED_VISIBLE))
def test_a_foreign_team_through_the_own_schools_url_is_404(client, world, role):
    """Mixing ids: the own school in the URL, another school's team after it."""
    client.force_login(world.users[role])
    ids = {**foreign_ids(world), "school_id": world.home.pk}
    for route, _, _ in node_routes():
        if "<int:team_id>" not in route or "<int:school_id>" not in route:
            continue
        url = fill(route, ids)
        status = client.get(url).status_code
        # 403 is allowed only where the role is too weak for any team of its own school.
        expected = {403} if role == Role.BESTUURDER else {404}
        assert status in expected, f"{url} as {role}: {status}"


def test_foreign_and_missing_answer_the_same_page(client, world):
    client.force_login(world.users[Role.SCHOOLCOACH])
    foreign = client.get(f"/school/{world.foreign.pk}/")
    missing = client.get("/school/999999999/")
    assert foreign.status_code == missing.status_code == 404

    def without_csrf_token(response):
        # The CSRF token is masked afresh for every response; everything else must be identical.
        return re.sub(rb"[A-Za-z0-9]{64}", b"<token>", response.content)

    assert without_csrf_token(foreign) == without_csrf_token(missing)


def test_anonymous_is_sent_to_login_for_every_non_public_page(client, world):
    ids = foreign_ids(world)
    for route, callback, namespaces in our_routes():
        kind, _ = view_declaration(callback)
        if kind == "public" or "api" in namespaces:
            continue
        url = fill(route, ids)
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/inloggen/"), url


def test_anonymous_htmx_request_gets_a_client_redirect_to_login(client, world):
    response = client.get(f"/school/{world.home.pk}/teams/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith("/inloggen/")


def test_anonymous_api_call_is_refused(client, world):
    assert client.get(f"/api/v1/schools/{world.home.pk}/teams/").status_code in {401, 403}
    assert client.get("/api/v1/schools/").status_code in {401, 403}
