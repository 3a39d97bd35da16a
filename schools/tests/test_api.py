"""The JSON API answers with the same scope as the pages, for every role."""

import pytest

from leerkracht.roles import Role
from schools.models import School
from schools.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# Every role of the two-region world, and a user without any role (None).
ROLES = [
    Role.LERAAR,
    Role.SCHOOLCOACH,
    Role.SCHOOLLEIDER,
    Role.EXPERTCOACH,
    Role.VERANDERCOACH,
    Role.BESTUURDER,
    Role.ADMIN,
    None,
]

# What each role may open: DESIGN.md §5, written out (indexes into world.schools).
EXPECTED = {
    Role.LERAAR: (0,),
    Role.SCHOOLCOACH: (0,),
    Role.SCHOOLLEIDER: (0,),
    Role.EXPERTCOACH: (0, 2),
    Role.VERANDERCOACH: (0, 1),
    Role.BESTUURDER: (0, 1),
    Role.ADMIN: tuple(range(8)),
    None: (),
}


def log_in(client, world, role):
    user = world.users[role] if role is not None else UserFactory()
    client.force_login(user)
    return user


def api_school_ids(client) -> list[int]:
    """Every school id the API lists, following its pages (three a page, so the world's eight
    schools take three pages for an admin)."""
    ids, url = [], "/api/v1/schools/?limit=3"
    while url:
        response = client.get(url, HTTP_ACCEPT="application/json")
        assert response.status_code == 200, url
        data = response.json()
        ids += [row["id"] for row in data["results"]]
        url = data["next"]
    return ids


def openable_school_ids(client) -> set[int]:
    """The schools whose own pages this user can open: the school overview or its team list
    answers 200 (a teacher reaches their school through its teams, a bestuurder through its
    overview)."""
    return {
        pk
        for pk in School.unscoped.values_list("pk", flat=True)
        if any(client.get(url).status_code == 200 for url in (f"/school/{pk}/", f"/school/{pk}/teams/"))
    }


def listed_school_ids(client) -> set[int]:
    """The schools the school list page shows, every page of it."""
    ids, page = set(), 1
    while True:
        response = client.get(f"/scholen/?pagina={page}")
        assert response.status_code == 200
        ids |= {school.pk for school in response.context["page"].object_list}
        if not response.context["page"].has_next():
            return ids
        page += 1


@pytest.mark.parametrize("role", ROLES, ids=lambda role: str(role or "zonder-rol"))
def test_api_lists_exactly_the_schools_the_pages_open(client, world, role):
    """For every role (and a user without one) the API's schools, all pages of them, are exactly
    the schools whose pages answer 200, and exactly the school list page's: no more, no fewer,
    none twice."""
    log_in(client, world, role)
    from_api = api_school_ids(client)
    assert len(from_api) == len(set(from_api)), "no school on two pages"
    assert set(from_api) == openable_school_ids(client) == listed_school_ids(client) == world.ids(*EXPECTED[role])


def test_admin_api_lists_every_school_with_its_region(client, world):
    client.force_login(world.users[Role.ADMIN])
    response = client.get("/api/v1/schools/", HTTP_ACCEPT="application/json")
    data = response.json()
    assert data["count"] == 8
    row = next(r for r in data["results"] if r["id"] == world.foreign.pk)
    assert row["region"] == world.foreign.region.name and row["name"] == world.foreign.name


@pytest.mark.parametrize("role", ROLES, ids=lambda role: str(role or "zonder-rol"))
def test_team_api_answers_what_the_team_page_answers_for_every_school(client, world, role):
    """The other API endpoint, a school's teams: for every school of the world the same status as
    the team list page and, where it answers, exactly the same teams."""
    log_in(client, world, role)
    differences = []
    for school in world.schools:
        page = client.get(f"/school/{school.pk}/teams/")
        api = client.get(f"/api/v1/schools/{school.pk}/teams/", HTTP_ACCEPT="application/json")
        page_teams = {t.pk for t in page.context["teams"]} if page.status_code == 200 else None
        api_teams = {t["id"] for t in api.json()} if api.status_code == 200 else None
        if (page.status_code, page_teams) != (api.status_code, api_teams):
            differences.append((school.name, page.status_code, page_teams, api.status_code, api_teams))
    assert differences == []


def test_a_browser_asking_the_api_for_html_gets_json_outside_development(client, world):
    """The browsable API renders forms and the API's structure for anyone who opens it in a
    browser: outside development the API answers JSON only (here: test settings, DEBUG off)."""
    client.force_login(world.users[Role.ADMIN])
    response = client.get("/api/v1/schools/", HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
