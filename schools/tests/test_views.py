"""Pages of schools/: what they show, and a fixed number of queries whatever the data size."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from leerkracht.roles import Role
from schools.models import Phase
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
        "region_overview_admin": (Role.ADMIN, f"/regio/{world.regions[0].pk}/?sorteer=bestuur", {}),
        "region_schools_partial": (
            Role.EXPERTCOACH,
            f"/regio/{world.regions[0].pk}/?sorteer=fase",
            {"HTTP_HX_REQUEST": "true"},
        ),
        "school_list": (Role.ADMIN, "/scholen/?fase=year_1", {}),
        "school_list_bestuur": (Role.VERANDERCOACH, "/scholen/?fase=year_1&sector=po", {}),
        "school_list_partial": (Role.VERANDERCOACH, "/scholen/?fase=year_1", {"HTTP_HX_REQUEST": "true"}),
        "school_group_overview": (Role.VERANDERCOACH, f"/bestuur/{world.school_groups[0].pk}/", {}),
        "national_overview": (Role.ADMIN, "/landelijk/", {}),
        "api_teams": (Role.SCHOOLCOACH, f"/api/v1/schools/{home}/teams/", {}),
        "api_schools": (Role.EXPERTCOACH, "/api/v1/schools/", {}),
        "api_schools_admin": (Role.ADMIN, "/api/v1/schools/", {}),
    }


# session, user, access (one UNION query), the school switcher, then the page's own reads. An
# admin's access needs no query and their menu no switcher; an htmx partial renders no menu.
EXPECTED_QUERIES = {
    "school_overview": 7,
    "team_list": 6,
    "team_list_partial": 5,
    "team_detail": 6,
    "people": 8,
    "my_schools": 6,
    "region_overview": 6,  # + the region, its schools (the numbers are counted from that list)
    "region_overview_admin": 5,  # session, user, the region exists (the middleware), region, schools
    "region_schools_partial": 5,
    "school_list": 5,  # + the regions to filter on, the count, the page
    "school_list_bestuur": 7,
    "school_list_partial": 5,  # + the count, the page
    "school_group_overview": 6,
    "national_overview": 6,
    "api_teams": 4,
    "api_schools": 5,  # + the count, the page
    "api_schools_admin": 4,
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
    assert escape(world.users[Role.LERAAR].full_name) in response.content.decode()
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


# --- The region page's school list -----------------------------------------------------------


def test_region_page_lists_every_school_of_the_region_linking_only_those_the_user_may_open(client, world):
    """An expertcoach sees the region's four schools with phase, sector and bestuur; only the two
    they guide link to their page (the others would answer 404); the other region's are absent."""
    client.force_login(world.users[Role.EXPERTCOACH])
    response = client.get(f"/regio/{world.regions[0].pk}/")
    body = response.content.decode()
    assert [s.pk for s in response.context["schools"]] == [s.pk for s in world.schools[:4]]
    for index, school in enumerate(world.schools[:4]):
        assert school.name in body and school.school_group.name in body
        linked = f'<a href="/school/{school.pk}/">{school.name}</a>' in body
        assert linked is (index in (0, 2)), school.name
    assert world.foreign.name not in body
    assert '<caption id="region-schools-caption">4 scholen in regio Wereldregio 1' in body
    assert body.count('<th scope="row">') >= 4


def test_region_page_sorts_its_schools_by_phase_in_pipeline_order(client, world):
    newcomer = SchoolFactory(
        name="Zonnebloem", region=world.regions[0], school_group=world.school_groups[1], phase=Phase.INTEREST
    )
    client.force_login(world.users[Role.ADMIN])
    by_phase = client.get(f"/regio/{world.regions[0].pk}/?sorteer=fase")
    assert by_phase.context["schools"][0] == newcomer, "interest comes before year 1, whatever the alphabet says"
    body = by_phase.content.decode()
    assert '<th scope="col" aria-sort="ascending">Fase</th>' in body
    assert 'href="?sorteer=fase" hx-get="?sorteer=fase"' in body and 'aria-current="true"><strong>fase' in body
    by_name = client.get(f"/regio/{world.regions[0].pk}/?sorteer=onzin")
    assert by_name.status_code == 200 and by_name.context["sort"] == "naam"
    assert by_name.context["schools"][-1] == newcomer
    by_bestuur = client.get(f"/regio/{world.regions[0].pk}/?sorteer=bestuur")
    assert [s.school_group.name for s in by_bestuur.context["schools"]] == sorted(
        s.school_group.name for s in by_bestuur.context["schools"]
    )


def test_region_sort_as_htmx_returns_only_the_school_list(client, world):
    client.force_login(world.users[Role.EXPERTCOACH])
    response = client.get(f"/regio/{world.regions[0].pk}/?sorteer=sector", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="region-schools"')
    assert "<html" not in body and "HX-Request" in response["Vary"]


def test_region_numbers_are_counted_from_its_schools(client, world):
    client.force_login(world.users[Role.EXPERTCOACH])
    context = client.get(f"/regio/{world.regions[0].pk}/").context
    assert context["totals"] == {"schools": 4, "teachers": 4 * 18, "pupils": 4 * 240}
    assert context["by_phase"]["year_1"] == 4 and sum(context["by_phase"].values()) == 4
    assert context["by_sector"] == {"po": 2, "vo": 1, "mbo": 1, "other": 0}
    assert [(c["expertcoach_id"], c["n"]) for c in context["coaches"]] == [(world.users[Role.EXPERTCOACH].pk, 2)]
    assert context["guided"] == [world.schools[0], world.schools[2]]


# --- The school list (/scholen/), reached from the national overview's phases -----------------


def test_national_overview_links_each_phase_to_its_schools(client, world):
    client.force_login(world.users[Role.ADMIN])
    body = client.get("/landelijk/").content.decode()
    for phase in Phase.values:
        assert f'href="/scholen/?fase={phase}"' in body, phase


def test_school_list_filters_by_phase_and_shows_region_bestuur_and_sector(client, world):
    interested = SchoolFactory(
        name="Zonnebloem", region=world.regions[1], school_group=world.school_groups[3], phase=Phase.INTEREST
    )
    client.force_login(world.users[Role.ADMIN])
    response = client.get("/scholen/?fase=interest")
    assert list(response.context["page"].object_list) == [interested]
    body = response.content.decode()
    assert "Scholen in fase Interesse" in body
    assert f'<a href="/school/{interested.pk}/">Zonnebloem</a>' in body
    for shown in (interested.region.name, interested.school_group.name, "Primair onderwijs"):
        assert shown in body
    assert '<option value="interest" selected>' in body


def test_school_list_shows_50_schools_a_page(client, world):
    SchoolFactory.create_batch(120, region=world.regions[1], school_group=world.school_groups[3])
    client.force_login(world.users[Role.ADMIN])
    pages = [client.get(f"/scholen/?fase=year_1&pagina={n}").context["page"] for n in (1, 2, 3)]
    assert [len(page.object_list) for page in pages] == [50, 50, 28]
    assert len({s.pk for page in pages for s in page.object_list}) == 128
    body = client.get("/scholen/?fase=year_1&pagina=2").content.decode()
    assert 'href="?fase=year_1&amp;pagina=3" hx-get="?fase=year_1&amp;pagina=3"' in body


@pytest.mark.parametrize("query", ["fase=jaar_9", "sector=hbo", "regio=abc"])
def test_school_list_answers_an_unknown_filter_value_clearly(client, world, query):
    client.force_login(world.users[Role.ADMIN])
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        response = client.get(f"/scholen/?{query}", **headers)
        assert response.status_code == 400
        body = response.content.decode()
        assert "Dit filter bestaat niet" in body and 'aria-invalid="true"' in body
        assert "<html" in body, "the whole page, with the form that says what is wrong"


def test_school_list_for_a_verandercoach_shows_their_bestuurs_schools_only(client, world):
    client.force_login(world.users[Role.VERANDERCOACH])
    response = client.get("/scholen/?fase=year_1")
    assert {s.pk for s in response.context["page"].object_list} == world.ids(0, 1)
    assert [r.pk for r in response.context["regions"]] == [world.regions[0].pk]
    other_region = client.get(f"/scholen/?regio={world.regions[1].pk}")
    assert other_region.status_code == 200 and other_region.context["page"].paginator.count == 0


def test_school_list_filters_as_htmx_return_only_the_results(client, world):
    client.force_login(world.users[Role.ADMIN])
    response = client.get("/scholen/?sector=vo", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith("<title>Scholen · leerKRACHT</title>") and "<html" not in body
    assert "2 scholen gevonden." in body and "HX-Request" in response["Vary"]
    whole = client.get("/scholen/?sector=vo").content.decode()
    assert "<html" in whole and '<option value="vo" selected>' in whole


@pytest.mark.parametrize(
    "url", ["/scholen/?fase=year_1", "/scholen/?fase=year_1&pagina=2", "/regio/{region}/", "/landelijk/"]
)
def test_every_htmx_link_and_form_works_without_javascript_at_the_same_url(client, world, url):
    SchoolFactory.create_batch(60, region=world.regions[0], school_group=world.school_groups[0])
    client.force_login(world.users[Role.ADMIN])
    body = client.get(url.format(region=world.regions[0].pk)).content.decode()
    tags = re.findall(r"<(?:a|form)\b[^>]*\bhx-get=[^>]*>", body)
    for tag in tags:
        hx_get = re.search(r'hx-get="([^"]*)"', tag).group(1)
        plain = re.search(r'(?:href|action)="([^"]*)"', tag).group(1)
        assert hx_get == plain, tag
    assert len(tags) >= (0 if url == "/landelijk/" else 2), "the filters or sort links and the pages"


@pytest.mark.parametrize(
    ("role", "url", "headers", "expected"),
    [
        (Role.ADMIN, "/scholen/?fase=year_1&pagina={last}", {}, 5),
        (Role.VERANDERCOACH, "/scholen/?pagina={last}", {"HTTP_HX_REQUEST": "true"}, 5),
        (Role.ADMIN, "/regio/{region}/", {}, 5),
    ],
)
def test_school_lists_keep_their_query_count_from_a_handful_of_schools_to_several_pages(
    client, world, django_assert_num_queries, role, url, headers, expected
):
    """Eight schools, then 130 more (three pages of 50): the same number of queries, on the last
    page too."""
    client.force_login(world.users[role])
    region = world.regions[0].pk
    client.get(url.format(last=1, region=region), **headers)  # warm-up: session
    with django_assert_num_queries(expected):
        assert client.get(url.format(last=1, region=region), **headers).status_code == 200
    SchoolFactory.create_batch(130, region=world.regions[0], school_group=world.school_groups[0])
    with django_assert_num_queries(expected):
        response = client.get(url.format(last=3, region=region), **headers)
    assert response.status_code == 200
