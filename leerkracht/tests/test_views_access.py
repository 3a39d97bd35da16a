"""What each role gets on each page of its own school: 200, 403 (role too weak) or 404."""

import pytest

from leerkracht.roles import Role

pytestmark = pytest.mark.django_db

OK, FORBIDDEN, NOT_FOUND = 200, 403, 404


def page_statuses(client, world, user):
    home, team, other_team = world.home.pk, world.home_team.pk, world.other_home_team.pk
    client.force_login(user)
    urls = {
        "school": f"/school/{home}/",
        "teams": f"/school/{home}/teams/",
        "team": f"/school/{home}/teams/{team}/",
        "other_team": f"/school/{home}/teams/{other_team}/",
        "people": f"/school/{home}/mensen/",
        "bestuur": f"/bestuur/{world.school_groups[0].pk}/",
        "region": f"/regio/{world.regions[0].pk}/",
        "national": "/landelijk/",
        "api_teams": f"/api/v1/schools/{home}/teams/",
    }
    return {name: client.get(url).status_code for name, url in urls.items()}


EXPECTED = {
    Role.LERAAR: dict(
        school=FORBIDDEN,
        teams=OK,
        team=OK,
        other_team=NOT_FOUND,
        people=FORBIDDEN,
        bestuur=NOT_FOUND,
        region=NOT_FOUND,
        national=NOT_FOUND,
        api_teams=OK,
    ),
    Role.SCHOOLCOACH: dict(
        school=OK,
        teams=OK,
        team=OK,
        other_team=OK,
        people=OK,
        bestuur=NOT_FOUND,
        region=NOT_FOUND,
        national=NOT_FOUND,
        api_teams=OK,
    ),
    Role.SCHOOLLEIDER: dict(
        school=OK,
        teams=OK,
        team=OK,
        other_team=OK,
        people=OK,
        bestuur=NOT_FOUND,
        region=NOT_FOUND,
        national=NOT_FOUND,
        api_teams=OK,
    ),
    Role.EXPERTCOACH: dict(
        school=OK,
        teams=OK,
        team=OK,
        other_team=OK,
        people=OK,
        bestuur=NOT_FOUND,
        region=OK,
        national=NOT_FOUND,
        api_teams=OK,
    ),
    Role.VERANDERCOACH: dict(
        school=OK,
        teams=OK,
        team=OK,
        other_team=OK,
        people=OK,
        bestuur=OK,
        region=NOT_FOUND,
        national=NOT_FOUND,
        api_teams=OK,
    ),
    Role.BESTUURDER: dict(
        school=OK,
        teams=FORBIDDEN,
        team=FORBIDDEN,
        other_team=FORBIDDEN,
        people=FORBIDDEN,
        bestuur=OK,
        region=NOT_FOUND,
        national=NOT_FOUND,
        api_teams=FORBIDDEN,
    ),
    Role.ADMIN: dict(
        school=OK, teams=OK, team=OK, other_team=OK, people=OK, bestuur=OK, region=OK, national=OK, api_teams=OK
    ),
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_role_gets_exactly_the_expected_status_on_each_page(client, world, role):
    assert page_statuses(client, world, world.users[role]) == EXPECTED[role]


def test_teacher_team_list_shows_only_own_team(client, world):
    client.force_login(world.users[Role.LERAAR])
    response = client.get(f"/school/{world.home.pk}/teams/")
    assert [t.pk for t in response.context["teams"]] == [world.home_team.pk]
    api = client.get(f"/api/v1/schools/{world.home.pk}/teams/").json()
    assert [t["id"] for t in api] == [world.home_team.pk]


def test_api_school_list_is_the_visible_set(client, world):
    client.force_login(world.users[Role.EXPERTCOACH])
    data = client.get("/api/v1/schools/").json()
    assert {row["id"] for row in data["results"]} == world.ids(0, 2)


def test_admin_is_for_admins_only(client, world):
    for role, user in world.users.items():
        client.force_login(user)
        status = client.get("/beheer/schools/school/").status_code
        assert status == (200 if role == Role.ADMIN else 302), role


def test_school_switch_remembers_the_last_school_for_home(client, world):
    from schools.tests.factories import SchoolMembershipFactory

    coach = world.users[Role.SCHOOLCOACH]
    second = world.schools[1]
    SchoolMembershipFactory(user=coach, school=second, role=Role.SCHOOLCOACH)
    client.force_login(coach)
    client.get(f"/school/{second.pk}/")
    assert client.get("/")["Location"] == f"/school/{second.pk}/"
    client.get(f"/school/{world.home.pk}/")
    assert client.get("/")["Location"] == f"/school/{world.home.pk}/"


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.ADMIN, "/landelijk/"),
        (Role.SCHOOLCOACH, "/school/{home}/"),
        (Role.SCHOOLLEIDER, "/school/{home}/"),
        (Role.LERAAR, "/school/{home}/mijn-week/"),
        (Role.EXPERTCOACH, "/mijn-scholen/"),
        (Role.VERANDERCOACH, "/bestuur/{group}/"),
        (Role.BESTUURDER, "/bestuur/{group}/"),
    ],
)
def test_home_takes_each_role_straight_to_their_work(client, world, role, expected):
    client.force_login(world.users[role])
    response = client.get("/")
    target = expected.format(home=world.home.pk, team=world.home_team.pk, group=world.school_groups[0].pk)
    assert response.status_code == 302 and response["Location"] == target
