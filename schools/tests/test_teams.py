"""A school runs its own teams: make, rename, archive and restore, delete one without history, put
people in, take them out, move them; who may, and what the people log says."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from leerkracht.roles import Role
from schools import selectors
from schools.models import PeopleLogAction, PeopleLogEntry, SchoolMembership, Team, TeamMembership
from schools.services import teams as services
from schools.tests.factories import SchoolMembershipFactory, TeamFactory, TeamMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def log_of(school, **filters) -> list[PeopleLogEntry]:
    return list(PeopleLogEntry.unscoped.filter(school=school, **filters).order_by("id"))


def messages_of(error: ValidationError) -> str:
    return " ".join(error.messages)


@pytest.fixture
def coach(world):
    return world.users[Role.SCHOOLCOACH]


@pytest.fixture
def fresh_team(world, coach):
    """A team of the home school with no board and no history, made through the service."""
    return services.team_create(school=world.home, name="Onderbouw", created_by=coach)


# --- Making and renaming -----------------------------------------------------------------------


def test_a_team_is_made_with_a_cleaned_name_and_logged(world, coach):
    team = services.team_create(school=world.home, name="  Team   Rekenen ", created_by=coach)
    assert team.name == "Team Rekenen" and team.school == world.home and team.archived_at is None
    [entry] = log_of(world.home, action=PeopleLogAction.TEAM_CREATED)
    assert (entry.actor, entry.team, entry.detail) == (coach, team, "Team Rekenen")


@pytest.mark.parametrize("name", ["", "   "])
def test_a_team_without_a_name_is_refused(world, coach, name):
    with pytest.raises(ValidationError) as refused:
        services.team_create(school=world.home, name=name, created_by=coach)
    assert refused.value.message_dict == {"name": ["Vul een naam voor het team in."]}


def test_a_name_already_used_in_the_school_is_refused_whatever_its_case(world, coach):
    with pytest.raises(ValidationError) as refused:
        services.team_create(school=world.home, name="team a", created_by=coach)
    assert "al een team ‘team a’" in messages_of(refused.value)
    # Another school's team of that name is no obstacle.
    assert services.team_create(school=world.schools[1], name="Team Z", created_by=None).pk


def test_the_name_of_an_archived_team_is_refused_with_a_hint_to_restore_it(world, coach, fresh_team):
    services.team_archive(team=fresh_team, archived_by=coach)
    with pytest.raises(ValidationError) as refused:
        services.team_create(school=world.home, name="ONDERBOUW", created_by=coach)
    assert "gearchiveerd team ‘ONDERBOUW’" in messages_of(refused.value)


def test_two_people_making_the_same_name_at_once_meet_the_constraint_refused_alike(world, coach, monkeypatch):
    """The check passed for both; the database's unique constraint refuses the second."""
    monkeypatch.setattr(services, "team_name_check", lambda *, school, name, team=None: name)
    with pytest.raises(ValidationError) as refused:
        services.team_create(school=world.home, name="Team A", created_by=coach)
    assert refused.value.message_dict["name"] == ["Deze school heeft al een team ‘Team A’. Kies een andere naam."]
    assert Team.unscoped.filter(school=world.home, name="Team A").count() == 1
    assert not log_of(world.home, action=PeopleLogAction.TEAM_CREATED)


def test_renaming_logs_the_old_and_the_new_name(world, coach, fresh_team):
    team = services.team_rename(team=fresh_team, name="Bovenbouw", renamed_by=coach)
    assert Team.unscoped.get(pk=team.pk).name == "Bovenbouw"
    [entry] = log_of(world.home, action=PeopleLogAction.TEAM_RENAMED)
    assert (entry.actor, entry.team, entry.detail) == (coach, team, "Onderbouw → Bovenbouw")


def test_renaming_to_another_teams_name_is_refused_and_to_its_own_name_changes_nothing(world, coach, fresh_team):
    with pytest.raises(ValidationError) as refused:
        services.team_rename(team=fresh_team, name="TEAM B", renamed_by=coach)
    assert "al een team ‘TEAM B’" in messages_of(refused.value)
    services.team_rename(team=fresh_team, name="Onderbouw", renamed_by=coach)
    assert not log_of(world.home, action=PeopleLogAction.TEAM_RENAMED)
    # Only the case changes: allowed (the team's own name is no clash).
    assert services.team_rename(team=fresh_team, name="onderbouw", renamed_by=coach).name == "onderbouw"


# --- Archive, restore, delete ------------------------------------------------------------------


def test_archiving_and_restoring_are_logged_and_refused_twice(world, coach):
    team = world.home_team
    services.team_archive(team=team, archived_by=coach)
    assert Team.unscoped.get(pk=team.pk).archived_at is not None
    with pytest.raises(ValidationError, match="al gearchiveerd"):
        services.team_archive(team=team, archived_by=coach)
    services.team_restore(team=team, restored_by=coach)
    assert Team.unscoped.get(pk=team.pk).archived_at is None
    with pytest.raises(ValidationError, match="niet gearchiveerd"):
        services.team_restore(team=team, restored_by=coach)
    entries = log_of(world.home, team=team, action__in=[PeopleLogAction.TEAM_ARCHIVED, PeopleLogAction.TEAM_RESTORED])
    assert [(e.action, e.detail) for e in entries] == [
        (PeopleLogAction.TEAM_ARCHIVED, "Team A"),
        (PeopleLogAction.TEAM_RESTORED, "Team A"),
    ]
    # Its members stayed in it all along, and so did its board.
    assert TeamMembership.unscoped.filter(team=team, user=world.users[Role.LERAAR]).exists()
    assert selectors.team_has_history(team=team)


def test_an_archived_team_is_not_among_the_teams_to_choose_in_the_invite_form(world, client, coach):
    services.team_archive(team=world.other_home_team, archived_by=coach)
    assert list(selectors.school_teams(access=None, school_id=world.home.pk)) == [world.home_team]
    client.force_login(coach)
    response = client.get(reverse("schools:staff_invite", kwargs={"school_id": world.home.pk}))
    choices = list(response.context["form"].fields["teams"].queryset)
    assert choices == [world.home_team]


def test_a_team_with_a_board_is_never_deleted(world, coach):
    team = world.home_team  # the world gave it a board, designs and a pupil group
    with pytest.raises(ValidationError, match="Archiveer het"):
        services.team_delete(team=team, deleted_by=coach)
    assert Team.unscoped.filter(pk=team.pk).exists()
    assert team.boards.exists()


def test_anything_of_another_app_that_refers_to_a_team_is_history(world, fresh_team):
    """Found from the models, not a list (schools imports no app above it): the world's pupil group
    (instruments) given to the team is enough."""
    assert not selectors.team_has_history(team=fresh_team)
    group = world.instruments[world.home.pk].group
    group.team = fresh_team
    group.save(update_fields=["team"])
    assert selectors.team_has_history(team=fresh_team)
    with pytest.raises(ValidationError):
        services.team_delete(team=fresh_team, deleted_by=None)


def test_a_team_without_history_is_deleted_its_members_leave_and_the_log_keeps_its_name(world, coach, fresh_team):
    teacher = world.users[Role.LERAAR]
    services.team_member_add(team=fresh_team, user=teacher, added_by=coach)
    services.team_delete(team=fresh_team, deleted_by=coach)
    assert not Team.unscoped.filter(pk=fresh_team.pk).exists()
    assert not TeamMembership.unscoped.filter(team_id=fresh_team.pk).exists()
    assert SchoolMembership.unscoped.filter(school=world.home, user=teacher, role=Role.LERAAR).exists()
    entries = log_of(world.home, detail__contains="Onderbouw")
    assert [e.action for e in entries] == [
        PeopleLogAction.TEAM_CREATED,
        PeopleLogAction.TEAM_JOINED,
        PeopleLogAction.TEAM_LEFT,
        PeopleLogAction.TEAM_DELETED,
    ]
    assert entries[-1].detail == "Onderbouw"
    assert all(e.team_id is None and e.actor == coach for e in entries)


# --- Members -----------------------------------------------------------------------------------


def test_a_person_of_the_school_is_put_in_a_team_becomes_a_teacher_and_it_is_logged(world, coach, fresh_team):
    leader = world.users[Role.SCHOOLLEIDER]  # in the school, in no team, no leraar role
    services.team_member_add(team=fresh_team, user=leader, added_by=coach)
    assert TeamMembership.unscoped.filter(team=fresh_team, user=leader, school=world.home).exists()
    assert SchoolMembership.unscoped.filter(school=world.home, user=leader, role=Role.LERAAR).exists()
    entries = log_of(world.home, subject=leader)
    assert [(e.action, e.team, e.actor) for e in entries] == [
        (PeopleLogAction.ROLE_GIVEN, None, coach),
        (PeopleLogAction.TEAM_JOINED, fresh_team, coach),
    ]


def test_a_person_may_be_in_several_teams(world, coach):
    teacher = world.users[Role.LERAAR]
    services.team_member_add(team=world.other_home_team, user=teacher, added_by=coach)
    assert set(TeamMembership.unscoped.filter(user=teacher).values_list("team_id", flat=True)) == {
        world.home_team.pk,
        world.other_home_team.pk,
    }
    # Already a teacher: only the joining is logged.
    assert [e.action for e in log_of(world.home, subject=teacher)] == [PeopleLogAction.TEAM_JOINED]


def test_someone_not_in_the_school_is_not_put_in_its_team(world, coach, fresh_team):
    outsider = world.users[Role.VERANDERCOACH]
    with pytest.raises(ValidationError) as refused:
        services.team_member_add(team=fresh_team, user=outsider, added_by=coach)
    assert "werkt niet in deze school" in messages_of(refused.value)
    with pytest.raises(ValidationError):
        services.team_member_add(team=fresh_team, user=UserFactory(), added_by=coach)
    assert not TeamMembership.unscoped.filter(team=fresh_team).exists()
    assert not log_of(world.home, action=PeopleLogAction.TEAM_JOINED)


def test_nobody_is_put_in_an_archived_team_or_twice_in_one(world, coach, fresh_team):
    teacher = world.users[Role.LERAAR]
    with pytest.raises(ValidationError, match="zit al in team ‘Team A’"):
        services.team_member_add(team=world.home_team, user=teacher, added_by=coach)
    services.team_archive(team=fresh_team, archived_by=coach)
    with pytest.raises(ValidationError, match="gearchiveerd: er kunnen geen leden bij"):
        services.team_member_add(team=fresh_team, user=teacher, added_by=coach)


def test_taking_someone_out_of_a_team_keeps_them_in_the_school_and_is_logged(world, coach):
    teacher = world.users[Role.LERAAR]
    services.team_member_remove(team=world.home_team, user=teacher, removed_by=coach)
    assert not TeamMembership.unscoped.filter(team=world.home_team, user=teacher).exists()
    assert SchoolMembership.unscoped.filter(school=world.home, user=teacher, role=Role.LERAAR).exists()
    [entry] = log_of(world.home, subject=teacher)
    assert (entry.action, entry.team, entry.actor, entry.detail) == (
        PeopleLogAction.TEAM_LEFT,
        world.home_team,
        coach,
        "Team A",
    )
    with pytest.raises(ValidationError, match="zit niet in team"):
        services.team_member_remove(team=world.home_team, user=teacher, removed_by=coach)


def test_moving_is_one_action_leave_one_team_and_join_the_other(world, coach):
    teacher = world.users[Role.LERAAR]
    services.team_member_move(from_team=world.home_team, to_team=world.other_home_team, user=teacher, moved_by=coach)
    assert list(TeamMembership.unscoped.filter(user=teacher).values_list("team_id", flat=True)) == [
        world.other_home_team.pk
    ]
    entries = log_of(world.home, subject=teacher)
    assert [(e.action, e.team, e.detail) for e in entries] == [
        (PeopleLogAction.TEAM_LEFT, world.home_team, "Team A (verplaatst naar Team B)"),
        (PeopleLogAction.TEAM_JOINED, world.other_home_team, "Team B (verplaatst uit Team A)"),
    ]


def test_a_move_is_refused_to_the_same_team_an_archived_one_another_schools_or_for_a_non_member(
    world, coach, fresh_team
):
    teacher = world.users[Role.LERAAR]
    home_team = world.home_team

    def move(to_team, user=teacher, from_team=home_team):
        with pytest.raises(ValidationError) as refused:
            services.team_member_move(from_team=from_team, to_team=to_team, user=user, moved_by=coach)
        return refused.value.message_dict

    assert move(home_team) == {"to_team": ["Kies een ander team dan ‘Team A’."]}
    assert move(world.teams[world.foreign.pk][1]) == {"to_team": ["Kies een team van deze school."]}
    assert "zit niet in team ‘Team A’" in move(fresh_team, user=world.users[Role.SCHOOLLEIDER])["user"][0]
    services.team_member_add(team=fresh_team, user=teacher, added_by=coach)
    assert "zit al in team ‘Onderbouw’" in move(fresh_team)["to_team"][0]
    services.team_archive(team=world.other_home_team, archived_by=coach)
    assert "gearchiveerd" in move(world.other_home_team)["to_team"][0]
    # Nothing moved.
    assert TeamMembership.unscoped.filter(team=home_team, user=teacher).exists()
    assert not log_of(world.home, action=PeopleLogAction.TEAM_LEFT)


# --- Who may -----------------------------------------------------------------------------------

OPERATIONS = [
    "team_rename",
    "team_archive",
    "team_restore",
    "team_delete",
    "team_member_add",
    "team_member_remove",
    "team_member_move",
]


def team_url(name, team, **extra):
    return reverse(f"schools:{name}", kwargs={"school_id": team.school_id, "team_id": team.pk, **extra})


@pytest.mark.parametrize("name", ["team_create", *OPERATIONS])
def test_a_schoolcoach_gets_404_on_another_schools_team_routes(world, client, coach, name):
    foreign_team = world.teams[world.foreign.pk][0]
    client.force_login(coach)
    if name == "team_create":
        url = reverse("schools:team_create", kwargs={"school_id": world.foreign.pk})
    else:
        url = team_url(name, foreign_team)
    data = {"name": "Gekaapt", "user": world.users[Role.LERAAR].pk, "to_team": foreign_team.pk}
    assert client.post(url, data).status_code == 404
    assert client.post(url, data, headers={"HX-Request": "true"}).status_code == 404
    assert client.get(url).status_code == 404
    foreign_team.refresh_from_db()
    assert (foreign_team.name, foreign_team.archived_at) == ("Team A", None)
    assert not PeopleLogEntry.unscoped.filter(school=world.foreign).exists()


def test_a_schoolcoach_gets_404_on_a_team_of_another_school_under_their_own_schools_address(world, client, coach):
    foreign_team = world.teams[world.foreign.pk][0]
    client.force_login(coach)
    url = reverse("schools:team_archive", kwargs={"school_id": world.home.pk, "team_id": foreign_team.pk})
    assert client.post(url).status_code == 404
    assert Team.unscoped.get(pk=foreign_team.pk).archived_at is None


@pytest.mark.parametrize("name", ["team_create", *OPERATIONS])
def test_a_teacher_gets_403_on_the_manage_routes_of_their_own_school(world, client, name):
    client.force_login(world.users[Role.LERAAR])
    if name == "team_create":
        url = reverse("schools:team_create", kwargs={"school_id": world.home.pk})
    else:
        url = team_url(name, world.home_team)
    assert client.post(url, {"name": "X", "user": world.users[Role.LERAAR].pk}).status_code == 403
    assert not PeopleLogEntry.unscoped.filter(school=world.home).exists()


def test_a_teacher_sees_no_forms_to_change_a_team(world, client):
    client.force_login(world.users[Role.LERAAR])
    body = client.get(team_url("team_detail", world.home_team)).content.decode()
    assert "Team beheren" not in body and "Uit team halen" not in body
    body = client.get(reverse("schools:team_list", kwargs={"school_id": world.home.pk})).content.decode()
    assert "Nieuw team" not in body


@pytest.mark.parametrize("name", OPERATIONS)
def test_an_operation_asked_by_get_answers_405(world, client, coach, name):
    client.force_login(coach)
    assert client.get(team_url(name, world.home_team)).status_code == 405


# --- The pages ---------------------------------------------------------------------------------


def test_making_a_team_on_the_list_goes_on_to_its_page(world, client, coach):
    client.force_login(coach)
    url = reverse("schools:team_create", kwargs={"school_id": world.home.pk})
    response = client.post(url, {"name": "Kleuterbouw"})
    team = Team.unscoped.get(school=world.home, name="Kleuterbouw")
    assert response.status_code == 302 and response["Location"] == team_url("team_detail", team)
    response = client.post(url, {"name": "Middenbouw"}, headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == team_url("team_detail", Team.unscoped.get(name="Middenbouw"))


def test_a_refused_name_comes_back_on_the_form_with_what_was_typed(world, client, coach):
    client.force_login(coach)
    url = reverse("schools:team_create", kwargs={"school_id": world.home.pk})
    response = client.post(url, {"name": "team b"})
    body = response.content.decode()
    assert response.status_code == 422
    assert 'value="team b"' in body and "al een team ‘team b’" in body and "data-error-summary" in body
    fragment = client.post(url, {"name": ""}, headers={"HX-Request": "true"})
    assert fragment.status_code == 422
    text = fragment.content.decode()
    assert text.lstrip().startswith('<section id="team-create"') and "Vul een naam voor het team in." in text


def test_the_list_shows_archived_teams_apart(world, client, coach):
    services.team_archive(team=world.other_home_team, archived_by=coach)
    client.force_login(coach)
    body = client.get(reverse("schools:team_list", kwargs={"school_id": world.home.pk})).content.decode()
    active, archived = body.split('id="team-archive-title"')
    assert "Team A" in active and "Team B" not in active
    assert "Team B" in archived


def test_a_member_is_added_and_taken_out_in_place_with_htmx(world, client, coach):
    leader = world.users[Role.SCHOOLLEIDER]
    client.force_login(coach)
    team = world.other_home_team
    response = client.post(team_url("team_member_add", team), {"user": leader.pk}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200 and body.lstrip().startswith('<section id="team-members"')
    assert f"{escape(leader.full_name)} zit nu in team ‘Team B’." in body and 'role="status"' in body
    response = client.post(team_url("team_member_remove", team), {"user": leader.pk}, headers={"HX-Request": "true"})
    assert f"{escape(leader.full_name)} is uit team ‘Team B’ gehaald." in response.content.decode()
    assert not TeamMembership.unscoped.filter(team=team, user=leader).exists()


def test_without_javascript_the_member_forms_post_and_come_back_to_the_page(world, client, coach):
    teacher = world.users[Role.LERAAR]
    client.force_login(coach)
    url = team_url("team_member_move", world.home_team)
    response = client.post(url, {"user": teacher.pk, "to_team": world.other_home_team.pk})
    assert response.status_code == 302
    assert response["Location"] == team_url("team_detail", world.home_team) + "#team-members"
    assert TeamMembership.unscoped.filter(team=world.other_home_team, user=teacher).exists()
    # Someone who is not on the list (not in the school, or no longer a member) is refused on the page.
    response = client.post(team_url("team_member_add", world.home_team), {"user": world.users[Role.BESTUURDER].pk})
    assert response.status_code == 422
    assert "staat niet (meer) in de lijst" in response.content.decode()
    response = client.post(team_url("team_member_remove", world.home_team), {"user": 2**70})
    assert response.status_code == 422


def test_the_page_offers_to_delete_only_a_team_without_history(world, client, coach, fresh_team):
    client.force_login(coach)
    assert "Team verwijderen" not in client.get(team_url("team_detail", world.home_team)).content.decode()
    assert "Team verwijderen" in client.get(team_url("team_detail", fresh_team)).content.decode()


def test_deleting_a_team_with_a_board_is_refused_on_its_page(world, client, coach):
    client.force_login(coach)
    response = client.post(team_url("team_delete", world.home_team), follow=True)
    assert "kan niet worden verwijderd" in response.content.decode()
    assert Team.unscoped.filter(pk=world.home_team.pk).exists()


def test_renaming_archiving_restoring_and_deleting_from_the_page(world, client, coach, fresh_team):
    client.force_login(coach)
    assert client.post(team_url("team_rename", fresh_team), {"name": "Team A"}).status_code == 422
    assert client.post(team_url("team_rename", fresh_team), {"name": "Groep 1-2"}).status_code == 302
    assert client.post(team_url("team_archive", fresh_team)).status_code == 302
    body = client.get(team_url("team_detail", fresh_team)).content.decode()
    assert "Dit team is gearchiveerd op" in body and "Team terugzetten" in body and "Iemand toevoegen" not in body
    assert client.post(team_url("team_restore", fresh_team)).status_code == 302
    response = client.post(team_url("team_delete", fresh_team))
    assert response["Location"] == reverse("schools:team_list", kwargs={"school_id": world.home.pk})
    assert not Team.unscoped.filter(pk=fresh_team.pk).exists()


# --- Query counts ------------------------------------------------------------------------------


def grow(world, *, teams: int, members: int) -> None:
    """More teams and people in the home school; more members in the teams the tests change."""
    home = world.home
    for n in range(teams):
        team = TeamFactory(school=home, name=f"Extra team {n}")
        for _ in range(members):
            TeamMembershipFactory(user=SchoolMembershipFactory(school=home, role=Role.LERAAR).user, team=team)
    for team in (world.home_team, world.other_home_team):
        for _ in range(members):
            TeamMembershipFactory(user=SchoolMembershipFactory(school=home, role=Role.LERAAR).user, team=team)
    for _ in range(members):
        SchoolMembershipFactory(school=home, role=Role.LERAAR)  # in no team: candidates to add


def queries_of(client, method: str, url: str, data=None, **headers) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url, data or {}, **headers)
    return response.status_code, len(queries)


@pytest.mark.parametrize("size", [0, 1])
def test_the_team_pages_of_who_manages_them_keep_their_query_count_at_two_sizes(world, client, coach, size):
    services.team_archive(team=world.other_home_team, archived_by=coach)
    if size:
        grow(world, teams=6, members=8)
    client.force_login(coach)
    list_url = reverse("schools:team_list", kwargs={"school_id": world.home.pk})
    client.get(list_url)  # the first visit stores the current school in the session
    assert queries_of(client, "get", list_url) == (200, 6)
    assert queries_of(client, "get", team_url("team_detail", world.home_team)) == (200, 9)
    assert queries_of(client, "get", team_url("team_detail", world.home_team), HTTP_HX_REQUEST="true") == (200, 7)


@pytest.mark.pins_queries(
    "schools:team_create",
    "schools:team_rename",
    "schools:team_archive",
    "schools:team_restore",
    "schools:team_delete",
)
@pytest.mark.parametrize("size", [0, 1])
def test_the_team_operations_take_a_fixed_number_of_queries(world, client, coach, size):
    if size:
        grow(world, teams=6, members=8)
    client.force_login(coach)
    client.get(reverse("schools:team_list", kwargs={"school_id": world.home.pk}))
    create = reverse("schools:team_create", kwargs={"school_id": world.home.pk})
    assert queries_of(client, "post", create, {"name": "Nieuw"}) == (302, 9)
    team = Team.unscoped.get(school=world.home, name="Nieuw")
    for member in SchoolMembership.unscoped.filter(school=world.home, role=Role.LERAAR)[: 1 + 7 * size]:
        TeamMembershipFactory(user=member.user, team=team)
    assert queries_of(client, "post", create, {"name": "nieuw"}) == (422, 8)
    assert queries_of(client, "post", team_url("team_rename", team), {"name": "Anders"}) == (302, 10)
    assert queries_of(client, "post", team_url("team_archive", team)) == (302, 9)
    assert queries_of(client, "post", team_url("team_restore", team)) == (302, 9)
    assert queries_of(client, "post", team_url("team_delete", team)) == (302, 22)


@pytest.mark.pins_queries("schools:team_member_add", "schools:team_member_remove", "schools:team_member_move")
@pytest.mark.parametrize("size", [0, 1])
def test_the_member_operations_take_a_fixed_number_of_queries(world, client, coach, size):
    if size:
        grow(world, teams=6, members=8)
    leader = world.users[Role.SCHOOLLEIDER]
    client.force_login(coach)
    client.get(reverse("schools:team_list", kwargs={"school_id": world.home.pk}))
    team, other = world.home_team, world.other_home_team
    htmx = {"HTTP_HX_REQUEST": "true"}
    assert queries_of(client, "post", team_url("team_member_add", team), {"user": leader.pk}, **htmx) == (200, 25)
    move = {"user": leader.pk, "to_team": other.pk}
    assert queries_of(client, "post", team_url("team_member_move", team), move, **htmx) == (200, 24)
    assert queries_of(client, "post", team_url("team_member_remove", other), {"user": leader.pk}, **htmx) == (200, 13)
