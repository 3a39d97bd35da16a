"""Every route, asked for another school's objects by every role: 404, as page, as htmx partial
and as API. New routes are found by walking the URLconf, so nobody has to remember to add them;
a route without an access declaration, or with an id this sweep cannot fill, fails."""

import datetime as dt
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from leerkracht.access import NODE_KWARGS, view_declaration
from leerkracht.roles import MATRIX, Role
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


def platform_ids() -> dict[str, int | str]:
    """Ids of platform objects (not a school's): a questionnaire, its draft version with a section
    and a question, a wave; and the name of a result chart (a slug in the URL, not an object)."""
    from barometer.services.questionnaires import question_add, questionnaire_create, section_add
    from barometer.tests.factories import WaveFactory
    from schools.models import SchoolHoliday

    questionnaire = questionnaire_create(slug="sweep", kind="barometer", title="Sweep", user=None)
    version = questionnaire.versions.get()
    section = section_add(version=version, title="Sweep")
    return {
        "questionnaire_id": questionnaire.pk,
        "version_id": version.pk,
        "section_id": section.pk,
        "question_id": question_add(section=section, code="sweep", kind="likert", text="Sweep?").pk,
        "wave_id": WaveFactory().pk,
        "chart": "eens",
        "holiday_id": SchoolHoliday.objects.get_or_create(
            holiday_region="noord",
            starts_on=dt.date(2026, 12, 19),
            defaults={"name": "Kerstvakantie", "ends_on": dt.date(2027, 1, 3)},
        )[0].pk,
    }


def people_ids(school) -> dict[str, int]:
    """A person of `school` with an open staff invitation, and a people import (made for the sweep)."""
    from schools.models import PeopleImport
    from schools.services.people import staff_place

    placement = staff_place(
        school=school,
        email=f"sweep-{school.pk}@school.test",
        first_name="Sweep",
        last_name="Uitnodiging",
        roles=["leraar"],
        teams=[],
        placed_by=None,
    )
    people_import = PeopleImport.unscoped.create(school=school, file_name="sweep.csv", rows=[])
    return {"invitation_id": placement.invitation.pk, "import_id": people_import.pk, "user_id": placement.user.pk}


def foreign_ids(world) -> dict[str, int]:
    """Ids of objects in the foreign school (other region, other bestuur), and of platform
    objects, which the node routes never take."""
    foreign = world.foreign
    return {
        **platform_ids(),
        "school_id": foreign.pk,
        "school_group_id": foreign.school_group_id,
        "region_id": foreign.region_id,
        "team_id": world.teams[foreign.pk][0].pk,
        **world.boards[foreign.pk].ids(),
        **world.instruments[foreign.pk].ids(),
        **people_ids(foreign),
    }


def home_ids(world) -> dict[str, int | str]:
    """Ids of the home school's objects, its pupil code and a teacher's calendar-feed token, and
    of platform objects: everything a route of the URLconf can ask for, for the sweeps that GET
    every route as the people of the home school."""
    from instruments.services import lesson_visit as visit_services

    home = world.home
    return {
        "school_id": home.pk,
        "school_group_id": home.school_group_id,
        "region_id": home.region_id,
        "team_id": world.home_team.pk,
        **world.boards[home.pk].ids(),
        **world.instruments[home.pk].ids(),
        **people_ids(home),
        "code": world.instruments[home.pk].feedback_round.code,
        "token": visit_services.calendar_feed_create(user=world.users[Role.LERAAR]).token,
        "uidb64": "x",
        **platform_ids(),
    }


OBJECT_KWARGS = [
    "team_id",
    "board_id",
    "goal_id",
    "action_id",
    "obstacle_id",
    "success_id",
    "session_id",
    "group_id",
    "criterion_id",
    "design_id",
    "visit_id",
    "round_id",
    "input_id",
    "theme_id",
    "invitation_id",
    "import_id",
    "user_id",
]
# Objects of the other instruments, each reached from the school in the URL (not through a board).
INSTRUMENT_KWARGS = {"group_id", "criterion_id", "design_id", "visit_id", "round_id", "input_id", "theme_id"}
# A school's people: a person, its staff invitations and people imports, reached from the school in
# the URL.
PEOPLE_KWARGS = {"invitation_id", "import_id", "user_id"}


def test_the_sweep_finds_routes_under_every_kind_of_node():
    routes = [route for route, _, _ in node_routes()]
    assert any("<int:school_id>" in r for r in routes)
    assert any("<int:school_group_id>" in r for r in routes)
    assert any("<int:region_id>" in r for r in routes)
    assert any(r.startswith("api/") for r in routes), "the API's school routes are swept too"


def test_every_route_declares_its_access_rule():
    undeclared = [route for route, callback, _ in our_routes() if view_declaration(callback)[0] == "undeclared"]
    assert undeclared == []


def test_only_sign_in_the_health_check_the_pupil_pages_and_the_token_pages_need_no_login():
    """Pupils never log in, so their pages are public (and expose only the round they answer);
    a calendar app subscribes without a session, and a teacher answers the barometer from the
    e-mail link: both are public behind their secret token. Everything else needs a login: a new
    public route has to be added here on purpose."""
    public = sorted(route for route, callback, _ in our_routes() if view_declaration(callback)[0] == "public")
    assert public == sorted(
        [
            "healthz",
            "inloggen/",
            "uitloggen/",
            "wachtwoord-vergeten/",
            "wachtwoord-vergeten/verstuurd/",
            "wachtwoord-instellen/<uidb64>/<token>/",
            "wachtwoord-instellen/klaar/",
            "stem/",
            "stem/<str:code>/",
            "s/<str:code>",
            "agenda/<str:token>.ics",
            "barometer/antwoorden/<str:token>/",
            "uitnodiging/<str:token>/",
        ]
    )


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
    missing = {
        **dict.fromkeys(["school_id", "school_group_id", "region_id", *OBJECT_KWARGS], 999_999_999),
        "chart": "eens",
    }
    failures = []
    for route, _, namespaces in node_routes():
        url = fill(route, missing)
        headers = {"HTTP_ACCEPT": "application/json"} if "api" in namespaces else {"HTTP_HX_REQUEST": "true"}
        for extra in ({}, headers):
            status = client.get(url, **extra).status_code
            if status != 404:
                failures.append(f"GET {url} {extra}: {status}")
    # An existing school with a missing object below it; an existing board with a missing card.
    # (Routes an admin may not use at all, like editing a board, answer 403 before any lookup.)
    home_board = world.boards[world.home.pk].ids()
    for route, callback, _ in node_routes():
        if Role.ADMIN not in MATRIX[view_declaration(callback)[1]]:
            continue
        if set(kwarg_names(route)) & set(OBJECT_KWARGS):
            url = fill(route, {**missing, "school_id": world.home.pk})
            if (status := client.get(url).status_code) != 404:
                failures.append(f"GET {url}: {status}")
        if "<int:board_id>" in route and set(kwarg_names(route)) - {"school_id", "board_id"}:
            url = fill(route, {**missing, "school_id": world.home.pk, "board_id": home_board["board_id"]})
            if (status := client.get(url).status_code) != 404:
                failures.append(f"GET {url}: {status}")
    assert failures == []


def test_an_existing_board_with_a_missing_card_is_404_for_its_editors(client, world):
    """The board is the teacher's own; a card id that is not on it answers 404, read or write."""
    client.force_login(world.users[Role.LERAAR])
    own = {**dict.fromkeys(OBJECT_KWARGS, 999_999_999), **world.boards[world.home.pk].ids()}
    own_board_only = {
        **dict.fromkeys(OBJECT_KWARGS, 999_999_999),
        "school_id": world.home.pk,
        "board_id": own["board_id"],
    }
    failures = []
    for route, _, _ in node_routes():
        if "<int:board_id>" in route and set(kwarg_names(route)) - {"school_id", "board_id"}:
            url = fill(route, own_board_only)
            statuses = set()
            for method in ("get", "post"):
                for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
                    statuses.add(getattr(client, method)(url, **headers).status_code)
            # A method a route does not take is refused (405) before anything is read; the method
            # it does take must find nothing.
            if 404 not in statuses or statuses - {404, 405}:
                failures.append(f"{url}: {sorted(statuses)}")
    assert failures == []


def mixed_id_failures(client, role, route, callback, url) -> list[str]:
    """Ask a URL that names the own school (visible) and another school's object, by both methods,
    as page and as htmx partial. The method the route takes must answer 404; the other one 405;
    a role too weak for the route's capability anywhere in its school gets 403 for both. Nothing
    may answer 200 or reveal the object some other way."""
    capable = role in MATRIX[view_declaration(callback)[1]]
    statuses = set()
    for method in ("get", "post"):
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            statuses.add(getattr(client, method)(url, **headers).status_code)
    allowed = {404, 405} if capable else {403, 405}
    if statuses - allowed or (capable and 404 not in statuses):
        return [f"{url} as {role}: {sorted(statuses)}"]
    return []


@pytest.mark.parametrize("role", list(EXPECTED_VISIBLE))
def test_foreign_board_or_cards_through_the_own_schools_url_are_404(client, world, role):
    """Mixing ids: the own school (and its board) in the URL, another school's board or card after
    it — as page and as htmx partial, read and write."""
    client.force_login(world.users[role])
    home = {**foreign_ids(world), "school_id": world.home.pk}
    own_board = {**home, "board_id": world.boards[world.home.pk].board.pk}
    failures = []
    for route, callback, _ in node_routes():
        names = set(kwarg_names(route))
        if "board_id" not in names:
            continue
        failures += mixed_id_failures(client, role, route, callback, fill(route, home))
        if names - {"school_id", "board_id"} and role in (Role.LERAAR, Role.SCHOOLCOACH, Role.SCHOOLLEIDER):
            failures += mixed_id_failures(client, role, route, callback, fill(route, own_board))
    assert failures == []


@pytest.mark.parametrize("role", list(EXPECTED_VISIBLE))
def test_foreign_designs_visits_and_rounds_through_the_own_schools_url_are_404(client, world, role):
    """Mixing ids: the own school in the URL, another school's lesson design, visit, pupil group,
    feedback round or pupil input after it — as page and as htmx partial, read and write."""
    client.force_login(world.users[role])
    home = {**foreign_ids(world), "school_id": world.home.pk}
    failures = []
    for route, callback, _ in node_routes():
        if "board_id" not in kwarg_names(route) and set(kwarg_names(route)) & INSTRUMENT_KWARGS:
            failures += mixed_id_failures(client, role, route, callback, fill(route, home))
    assert failures == []


@pytest.mark.parametrize("role", list(EXPECTED_VISIBLE))
def test_foreign_invitations_and_imports_through_the_own_schools_url_are_404(client, world, role):
    """Mixing ids: the own school in the URL, another school's staff invitation or people import
    after it, as page and as htmx partial, read and write."""
    client.force_login(world.users[role])
    home = {**foreign_ids(world), "school_id": world.home.pk}
    failures = []
    for route, callback, _ in node_routes():
        if set(kwarg_names(route)) & PEOPLE_KWARGS:
            failures += mixed_id_failures(client, role, route, callback, fill(route, home))
    assert failures == []


@pytest.mark.parametrize("role", list(EXPECTED_VISIBLE))
def test_a_foreign_team_through_the_own_schools_url_is_404(client, world, role):
    """Mixing ids: the own school in the URL, another school's team after it."""
    client.force_login(world.users[role])
    ids = {**foreign_ids(world), "school_id": world.home.pk}
    failures = []
    for route, callback, _ in node_routes():
        if "<int:team_id>" in route and "<int:school_id>" in route:
            failures += mixed_id_failures(client, role, route, callback, fill(route, ids))
    assert failures == []


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
