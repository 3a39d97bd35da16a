"""A person's page in their school: giving and taking roles (never above one's own, the school
always keeps a leader), and writing someone out of the school (their places end, their work
stays, the school remembers them as a former colleague)."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from leerkracht.roles import Role
from schools.access import compute_access, roles_grantable
from schools.models import (
    FormerStaff,
    InvitationStatus,
    PeopleLogAction,
    PeopleLogEntry,
    SchoolMembership,
    StaffInvitation,
    TeamMembership,
)
from schools.services import people as people_services
from schools.tests.factories import SchoolMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def roles_of(world, user, school=None) -> set[str]:
    school = school or world.home
    return set(SchoolMembership.unscoped.filter(school=school, user=user).values_list("role", flat=True))


def person_url(world, user, name="schools:person", school=None) -> str:
    return reverse(name, kwargs={"school_id": (school or world.home).pk, "user_id": user.pk})


def grantable(user, school) -> list[Role]:
    return roles_grantable(compute_access(user), school_id=school.pk)


def set_roles(world, user, roles, *, by=Role.SCHOOLLEIDER, new_leader=None):
    actor = world.users[by]
    return people_services.staff_roles_set(
        school=world.home,
        user=user,
        roles=roles,
        grantable=grantable(actor, world.home),
        changed_by=actor,
        new_leader=new_leader,
    )


def remove(world, user, *, by=Role.SCHOOLLEIDER, new_leader=None):
    actor = world.users[by]
    return people_services.staff_remove(
        school=world.home, user=user, grantable=grantable(actor, world.home), removed_by=actor, new_leader=new_leader
    )


# --- Roles ---------------------------------------------------------------------------------------


def test_a_leader_makes_a_teacher_schoolcoach_and_the_log_says_so(world):
    teacher = world.users[Role.LERAAR]
    given, taken = set_roles(world, teacher, [Role.LERAAR, Role.SCHOOLCOACH])
    assert (given, taken) == ([Role.SCHOOLCOACH], [])
    assert roles_of(world, teacher) == {"leraar", "schoolcoach"}
    entry = PeopleLogEntry.objects.get(action=PeopleLogAction.ROLE_GIVEN, subject=teacher)
    assert entry.actor == world.users[Role.SCHOOLLEIDER] and entry.detail == "Schoolcoach"
    given, taken = set_roles(world, teacher, [Role.LERAAR])
    assert (given, taken) == ([], [Role.SCHOOLCOACH])
    assert PeopleLogEntry.objects.filter(action=PeopleLogAction.ROLE_TAKEN, subject=teacher).count() == 1


def test_a_schoolcoach_cannot_make_a_school_leader_nor_take_a_leaders_role(world):
    teacher = world.users[Role.LERAAR]
    with pytest.raises(ValidationError, match="Schoolleider"):
        set_roles(world, teacher, [Role.LERAAR, Role.SCHOOLLEIDER], by=Role.SCHOOLCOACH)
    leader = world.users[Role.SCHOOLLEIDER]
    SchoolMembershipFactory(school=world.home, role=Role.SCHOOLLEIDER)  # not the last one
    with pytest.raises(ValidationError, match="Schoolleider"):
        set_roles(world, leader, [Role.SCHOOLCOACH], by=Role.SCHOOLCOACH)
    assert roles_of(world, teacher) == {"leraar"} and roles_of(world, leader) == {"schoolleider"}


def test_a_schoolcoach_posting_a_leader_role_by_hand_gets_the_refusal_on_the_form(world, client):
    teacher = world.users[Role.LERAAR]
    client.force_login(world.users[Role.SCHOOLCOACH])
    response = client.post(person_url(world, teacher), {"roles": ["leraar", "schoolleider"]})
    assert response.status_code == 422
    assert "je kunt hem niet geven" in response.content.decode()
    assert roles_of(world, teacher) == {"leraar"}


def test_the_last_leader_keeps_the_role_until_another_is_named(world, client):
    leader = world.users[Role.SCHOOLLEIDER]
    coach = world.users[Role.SCHOOLCOACH]
    with pytest.raises(ValidationError) as refused:
        set_roles(world, leader, [Role.SCHOOLCOACH], by=Role.ADMIN)
    assert "enige schoolleider" in str(refused.value)
    assert roles_of(world, leader) == {"schoolleider"}
    # Through the page: the refusal keeps what was ticked.
    client.force_login(world.users[Role.ADMIN])
    response = client.post(person_url(world, leader), {"roles": ["schoolcoach"]})
    assert response.status_code == 422
    body = response.content.decode()
    assert "enige schoolleider" in body
    assert re.search(r'value="schoolcoach"[^>]*checked', body) and not re.search(r'value="leraar"[^>]*checked', body)
    # Naming the coach makes the coach leader in the same step.
    response = client.post(person_url(world, leader), {"roles": ["schoolcoach"], "new_leader": coach.pk})
    assert response.status_code == 302
    assert roles_of(world, leader) == {"schoolcoach"}
    assert "schoolleider" in roles_of(world, coach)
    assert PeopleLogEntry.objects.filter(action=PeopleLogAction.ROLE_GIVEN, subject=coach).exists()


def test_a_new_leader_must_be_someone_of_the_school(world, client):
    leader = world.users[Role.SCHOOLLEIDER]
    stranger = SchoolMembershipFactory(school=world.schools[1], role=Role.LERAAR).user
    client.force_login(world.users[Role.ADMIN])
    response = client.post(person_url(world, leader), {"roles": ["leraar"], "new_leader": stranger.pk})
    assert response.status_code == 422
    assert "iemand van deze school" in response.content.decode()
    assert roles_of(world, leader) == {"schoolleider"}
    assert not SchoolMembership.unscoped.filter(user=stranger, school=world.home).exists()


def test_nobody_is_left_without_a_role_and_a_team_member_stays_a_teacher(world):
    teacher = world.users[Role.LERAAR]
    with pytest.raises(ValidationError, match="minstens één rol"):
        set_roles(world, teacher, [])
    with pytest.raises(ValidationError, match="eerst uit de teams"):
        set_roles(world, teacher, [Role.SCHOOLCOACH])
    assert roles_of(world, teacher) == {"leraar"}


def test_a_leaders_page_shows_the_roles_a_coach_cannot_touch_without_offering_them(world, client):
    leader = world.users[Role.SCHOOLLEIDER]
    client.force_login(world.users[Role.SCHOOLCOACH])
    body = client.get(person_url(world, leader)).content.decode()
    assert 'value="schoolleider"' not in body
    assert "die rol kun jij niet geven of afnemen" in body


# --- Who reaches these pages -----------------------------------------------------------------------


def test_a_teacher_is_refused_the_person_pages_of_their_own_school(world, client):
    client.force_login(world.users[Role.LERAAR])
    coach = world.users[Role.SCHOOLCOACH]
    assert client.get(person_url(world, coach)).status_code == 403
    assert client.post(person_url(world, coach, "schools:person_remove")).status_code == 403
    assert roles_of(world, coach)


def test_another_schools_person_is_not_found_through_the_own_schools_url(world, client):
    foreign = SchoolMembershipFactory(school=world.schools[1], role=Role.LERAAR).user
    client.force_login(world.users[Role.SCHOOLCOACH])
    assert client.get(person_url(world, foreign)).status_code == 404
    assert client.post(person_url(world, foreign, "schools:person_remove")).status_code == 404
    # And the other school's own URL is closed to this coach altogether.
    assert client.get(person_url(world, foreign, school=world.schools[1])).status_code == 404
    assert roles_of(world, foreign, world.schools[1]) == {"leraar"}


# --- Leaving -------------------------------------------------------------------------------------------


def test_a_removed_teacher_loses_roles_and_teams_here_and_is_remembered_as_former_staff(world, client):
    teacher = world.users[Role.LERAAR]
    elsewhere = world.schools[1]
    SchoolMembershipFactory(school=elsewhere, user=teacher, role=Role.LERAAR)
    client.force_login(world.users[Role.SCHOOLLEIDER])
    confirm = client.get(person_url(world, teacher, "schools:person_remove"))
    assert confirm.status_code == 200 and world.home_team.name in confirm.content.decode()
    response = client.post(person_url(world, teacher, "schools:person_remove"))
    assert response.status_code == 302
    assert roles_of(world, teacher) == set()
    assert not TeamMembership.unscoped.filter(user=teacher, school=world.home).exists()
    assert roles_of(world, teacher, elsewhere) == {"leraar"}  # the other school is untouched
    former = FormerStaff.objects.get(user=teacher)
    assert former.school == world.home and former.removed_by == world.users[Role.SCHOOLLEIDER]
    entry = PeopleLogEntry.objects.get(action=PeopleLogAction.REMOVED, subject=teacher)
    assert world.home_team.name in entry.detail
    # Their page is gone with them, and they are no longer on the people page.
    assert client.get(person_url(world, teacher)).status_code == 404
    people = client.get(reverse("schools:people", kwargs={"school_id": world.home.pk})).content.decode()
    assert teacher.email not in people
    # Their work stays: the board's actions they own are still theirs.
    action = world.boards[world.home.pk].action
    assert action.owners.filter(pk=teacher.pk).exists()


def test_removing_withdraws_an_open_invitation_and_its_link(world, run):
    placement = run(
        people_services.staff_invite,
        school=world.home,
        email="nieuw@school.test",
        first_name="Noor",
        last_name="de Wit",
        roles=[Role.LERAAR],
        teams=[],
        invited_by=world.users[Role.SCHOOLLEIDER],
    )
    invitation = placement.invitation
    token = people_services.invitation_token(StaffInvitation.unscoped.get(pk=invitation.pk))
    remove(world, placement.user)
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.WITHDRAWN
    assert people_services.invitation_by_token(token) is None


def test_nobody_removes_themselves_nor_someone_above_their_own_role(world):
    with pytest.raises(ValidationError, match="jezelf"):
        remove(world, world.users[Role.SCHOOLCOACH], by=Role.SCHOOLCOACH)
    with pytest.raises(ValidationError, match="niet afnemen"):
        remove(world, world.users[Role.SCHOOLLEIDER], by=Role.SCHOOLCOACH)
    assert roles_of(world, world.users[Role.SCHOOLLEIDER]) == {"schoolleider"}
    assert not FormerStaff.objects.exists()


def test_the_last_leader_leaves_only_with_a_new_one_named(world, client):
    leader = world.users[Role.SCHOOLLEIDER]
    coach = world.users[Role.SCHOOLCOACH]
    client.force_login(world.users[Role.EXPERTCOACH])
    url = person_url(world, leader, "schools:person_remove")
    response = client.post(url)
    assert response.status_code == 422 and "enige schoolleider" in response.content.decode()
    assert roles_of(world, leader) == {"schoolleider"}
    assert client.post(url, {"new_leader": coach.pk}).status_code == 302
    assert roles_of(world, leader) == set()
    assert "schoolleider" in roles_of(world, coach)


def test_a_leader_among_two_leaves_without_naming_anyone(world):
    other = SchoolMembershipFactory(school=world.home, role=Role.SCHOOLLEIDER).user
    remove(world, world.users[Role.SCHOOLLEIDER], by=Role.ADMIN)
    assert set(
        SchoolMembership.unscoped.filter(school=world.home, role=Role.SCHOOLLEIDER).values_list("user", flat=True)
    ) == {other.pk}


def test_two_leaders_each_taking_the_others_role_leave_one_leader(world):
    """The second change finds one leader left (on PostgreSQL the leader rows are locked, so two
    at the same moment are served one after the other; this is the order they then run in)."""
    first = world.users[Role.SCHOOLLEIDER]
    second = SchoolMembershipFactory(school=world.home, role=Role.SCHOOLLEIDER).user
    people_services.staff_roles_set(
        school=world.home, user=second, roles=[Role.LERAAR], grantable=grantable(first, world.home), changed_by=first
    )
    with pytest.raises(ValidationError, match="enige schoolleider"):
        people_services.staff_roles_set(
            school=world.home, user=first, roles=[Role.LERAAR], grantable=grantable(first, world.home), changed_by=first
        )
    assert roles_of(world, first) == {"schoolleider"}


def test_a_former_colleague_invited_again_is_no_longer_former_staff(world, run):
    teacher = world.users[Role.LERAAR]
    remove(world, teacher)
    assert FormerStaff.objects.filter(user=teacher).exists()
    run(
        people_services.staff_invite,
        school=world.home,
        email=teacher.email,
        first_name=teacher.first_name,
        last_name=teacher.last_name,
        roles=[Role.LERAAR],
        teams=[world.home_team],
        invited_by=world.users[Role.SCHOOLLEIDER],
    )
    assert not FormerStaff.objects.filter(user=teacher).exists()
    assert roles_of(world, teacher) == {"leraar"}


def test_the_people_page_links_each_person_for_who_manages_them_only(world, client):
    url = reverse("schools:people", kwargs={"school_id": world.home.pk})
    teacher = world.users[Role.LERAAR]
    client.force_login(world.users[Role.SCHOOLCOACH])
    assert person_url(world, teacher) in client.get(url).content.decode()
    bystander = UserFactory()
    SchoolMembershipFactory(school=world.home, user=bystander, role=Role.LERAAR)
    client.force_login(world.users[Role.EXPERTCOACH])
    assert person_url(world, bystander) in client.get(url).content.decode()


@pytest.mark.parametrize("size", [1, 12])
def test_a_persons_page_takes_a_fixed_number_of_queries(world, client, django_assert_num_queries, size):
    """The same count for a teacher in one team or in twelve, and for the only leader's page with
    one or twelve colleagues to choose the next leader from."""
    from schools.services import team_membership_add
    from schools.tests.factories import TeamFactory

    teacher = world.users[Role.LERAAR]
    for n in range(size - 1):
        team_membership_add(user=teacher, team=TeamFactory(school=world.home, name=f"Extra {n}"))
        SchoolMembershipFactory(school=world.home, role=Role.LERAAR)
    client.force_login(world.users[Role.ADMIN])
    client.get(person_url(world, teacher))
    with django_assert_num_queries(9):
        assert client.get(person_url(world, teacher)).status_code == 200
    leader = world.users[Role.SCHOOLLEIDER]
    with django_assert_num_queries(11):
        body = client.get(person_url(world, leader, "schools:person_remove")).content.decode()
    assert body.count("<option") >= size + 2


def test_a_removed_teacher_loses_the_school_on_their_next_request(world, client):
    teacher = world.users[Role.LERAAR]
    client.force_login(teacher)
    board_url = reverse(
        "instruments:team_board_open", kwargs={"school_id": world.home.pk, "team_id": world.home_team.pk}
    )
    assert client.get(board_url).status_code in (200, 302)
    remove(world, teacher)
    assert client.get(board_url).status_code == 404
    assert client.get(reverse("schools:school_overview", kwargs={"school_id": world.home.pk})).status_code == 404
