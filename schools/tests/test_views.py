"""Pages of schools/: what they show, and a fixed number of queries whatever the data size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from leerkracht.roles import Role
from schools.tests.factories import (
    SchoolFactory,
    SchoolMembershipFactory,
    TeamFactory,
    TeamMembershipFactory,
)

pytestmark = pytest.mark.django_db


def grow(world, *, teams: int, members: int) -> None:
    """Make the home school, its bestuur and region bigger: more teams, people and schools."""
    home = world.home
    for n in range(teams):
        team = TeamFactory(school=home, name=f"Extra team {n}")
        for _ in range(members):
            membership = SchoolMembershipFactory(school=home, role=Role.LERAAR)
            TeamMembershipFactory(user=membership.user, team=team)
    for n in range(teams):
        SchoolFactory(name=f"Extra school {n}", region=world.regions[0], school_group=world.school_groups[0])


def count_queries(client, url, **headers) -> int:
    client.get(url, **headers)  # warm-up: the first visit may store the current school in the session
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    assert response.status_code == 200, url
    return len(queries)


def pages(world):
    home, team = world.home.pk, world.home_team.pk
    return {
        "school_overview": (Role.SCHOOLLEIDER, f"/school/{home}/", {}),
        "team_list": (Role.SCHOOLCOACH, f"/school/{home}/teams/", {}),
        "team_list_partial": (Role.SCHOOLCOACH, f"/school/{home}/teams/?q=team", {"HTTP_HX_REQUEST": "true"}),
        "team_detail": (Role.LERAAR, f"/school/{home}/teams/{team}/", {}),
        "people": (Role.SCHOOLCOACH, f"/school/{home}/mensen/", {}),
        "my_schools": (Role.EXPERTCOACH, "/mijn-scholen/", {}),
        "region_overview": (Role.EXPERTCOACH, f"/regio/{world.regions[0].pk}/", {}),
        "school_group_overview": (Role.VERANDERCOACH, f"/bestuur/{world.school_groups[0].pk}/", {}),
        "national_overview": (Role.ADMIN, "/landelijk/", {}),
        "api_teams": (Role.SCHOOLCOACH, f"/api/v1/schools/{home}/teams/", {}),
        "api_schools": (Role.EXPERTCOACH, "/api/v1/schools/", {}),
    }


# session, user, access (one UNION query), the school switcher, then the page's own reads.
EXPECTED_QUERIES = {
    "school_overview": 7,
    "team_list": 6,
    "team_list_partial": 5,
    "team_detail": 6,
    "people": 6,
    "my_schools": 6,
    "region_overview": 10,
    "school_group_overview": 6,
    "national_overview": 6,
    "api_teams": 4,
    "api_schools": 4,
}


@pytest.mark.parametrize("page", list(EXPECTED_QUERIES))
def test_query_count_is_fixed_whatever_the_data_size(client, world, page):
    role, url, headers = pages(world)[page]
    client.force_login(world.users[role])
    small = count_queries(client, url, **headers)
    grow(world, teams=6, members=8)
    large = count_queries(client, url, **headers)
    assert (small, large) == (EXPECTED_QUERIES[page], EXPECTED_QUERIES[page])


def test_team_search_partial_returns_only_the_results_fragment(client, world):
    client.force_login(world.users[Role.SCHOOLCOACH])
    response = client.get(f"/school/{world.home.pk}/teams/?q=Team+A", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="team-results"')
    assert "<html" not in body
    assert "Team A" in body and "Team B" not in body
    assert "HX-Request" in response["Vary"]


def test_team_search_without_javascript_renders_the_whole_page(client, world):
    client.force_login(world.users[Role.SCHOOLCOACH])
    response = client.get(f"/school/{world.home.pk}/teams/?q=B")
    body = response.content.decode()
    assert "<html" in body and 'value="B"' in body
    assert "Team B" in body and ">Team A<" not in body


def test_team_detail_lists_members_and_says_who_can_edit(client, world):
    client.force_login(world.users[Role.LERAAR])
    response = client.get(f"/school/{world.home.pk}/teams/{world.home_team.pk}/")
    assert response.context["can_edit"] is True
    assert world.users[Role.LERAAR].full_name in response.content.decode()
    client.force_login(world.users[Role.EXPERTCOACH])
    response = client.get(f"/school/{world.home.pk}/teams/{world.home_team.pk}/")
    assert response.context["can_edit"] is False


def test_bestuurder_reaches_numbers_but_never_team_or_people_pages(client, world):
    home = world.home.pk
    client.force_login(world.users[Role.BESTUURDER])
    body = client.get(f"/bestuur/{world.school_groups[0].pk}/").content.decode()
    assert world.home.name in body
    assert f'href="/school/{home}/"' in body, "the school's numbers are one click away"
    overview = client.get(f"/school/{home}/")
    assert overview.status_code == 200
    html = overview.content.decode()
    assert f"/school/{home}/teams/" not in html, "no way into team pages"
    assert f"/school/{home}/mensen/" not in html, "no way into the people list"
    assert overview.context["school"].team_count == 2, "the number of teams is an aggregate they may see"


def test_national_overview_counts_every_school(client, world):
    client.force_login(world.users[Role.ADMIN])
    response = client.get("/landelijk/")
    assert response.context["totals"]["schools"] == 8
    assert sum(sum(r["by_sector"].values()) for r in response.context["regions"]) == 8
