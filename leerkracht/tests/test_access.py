"""The central access rule: every role's visible set, exactly; capabilities; 404 versus 403."""

import pytest
from django.http import Http404

from leerkracht.roles import MATRIX, Capability, Level, Reach, Role
from leerkracht.tests.world import EXPECTED_VISIBLE
from schools.access import access_team_by_id, compute_access
from schools.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", list(EXPECTED_VISIBLE))
def test_each_role_sees_exactly_its_schools(world, role):
    access = compute_access(world.users[role])
    assert access.visible_school_ids() == world.ids(*EXPECTED_VISIBLE[role])


def test_admin_sees_every_school(world):
    access = compute_access(world.users[Role.ADMIN])
    assert access.visible_school_ids() is None  # ALL
    assert all(access.sees(Level.SCHOOL, school.pk) for school in world.schools)


def test_user_without_any_role_sees_nothing(world):
    access = compute_access(UserFactory())
    assert access.visible_school_ids() == frozenset()
    assert not any(access.can(capability, node_id=world.home.pk) for capability in Capability)


def test_access_is_computed_in_one_query(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        compute_access(world.users[Role.EXPERTCOACH])


def test_a_teacher_at_two_schools_sees_both_and_the_teams_of_each(world):
    from schools.tests.factories import SchoolMembershipFactory, TeamMembershipFactory

    teacher = world.users[Role.LERAAR]
    second = world.schools[1]
    SchoolMembershipFactory(user=teacher, school=second, role=Role.LERAAR)
    TeamMembershipFactory(user=teacher, team=world.teams[second.pk][1])
    access = compute_access(teacher)
    assert access.visible_school_ids() == world.ids(0, 1)
    assert access.teams_by_school == {
        world.home.pk: (world.home_team.pk,),
        second.pk: (world.teams[second.pk][1].pk,),
    }


def test_region_and_bestuur_roles_sit_on_their_nodes(world):
    expertcoach = compute_access(world.users[Role.EXPERTCOACH])
    assert expertcoach.can(Capability.REGION_VIEW, node_id=world.regions[0].pk)
    assert not expertcoach.sees(Level.REGION, world.regions[1].pk)
    bestuurder = compute_access(world.users[Role.BESTUURDER])
    assert bestuurder.can(Capability.SCHOOL_GROUP_VIEW, node_id=world.school_groups[0].pk)
    assert not bestuurder.sees(Level.SCHOOL_GROUP, world.school_groups[1].pk)


def test_bestuurder_sees_aggregates_only(world):
    access = compute_access(world.users[Role.BESTUURDER])
    home = world.home.pk
    assert access.can(Capability.SCHOOL_VIEW_AGGREGATES, node_id=home)
    assert not access.can(Capability.TEAM_VIEW, node_id=home)
    assert not access.can(Capability.SCHOOL_VIEW_PEOPLE, node_id=home)


def test_teacher_reaches_only_own_teams(world):
    access = compute_access(world.users[Role.LERAAR])
    home = world.home.pk
    assert access.can(Capability.TEAM_EDIT, node_id=home, team_id=world.home_team.pk)
    assert not access.can(Capability.TEAM_EDIT, node_id=home, team_id=world.other_home_team.pk)
    assert not access.can(Capability.SCHOOL_VIEW_AGGREGATES, node_id=home)


def test_access_team_by_id_answers_404_for_foreign_missing_and_other_team_alike(world):
    teacher = compute_access(world.users[Role.LERAAR])
    home = world.home.pk
    assert access_team_by_id(teacher, school_id=home, team_id=world.home_team.pk, capability=Capability.TEAM_VIEW)
    foreign_team = world.teams[world.foreign.pk][0]
    messages = set()
    for school_id, team_id in [
        (home, world.other_home_team.pk),  # a colleague team: not the teacher's
        (home, foreign_team.pk),  # another school's team through the own school's URL
        (home, 10**9),  # missing
    ]:
        with pytest.raises(Http404) as raised:
            access_team_by_id(teacher, school_id=school_id, team_id=team_id, capability=Capability.TEAM_VIEW)
        messages.add(str(raised.value))
    assert len(messages) == 1, "missing and foreign must be indistinguishable"

    schoolcoach = compute_access(world.users[Role.SCHOOLCOACH])
    assert access_team_by_id(
        schoolcoach, school_id=home, team_id=world.other_home_team.pk, capability=Capability.TEAM_EDIT
    )
    with pytest.raises(Http404):
        access_team_by_id(schoolcoach, school_id=home, team_id=foreign_team.pk, capability=Capability.TEAM_VIEW)


def test_matrix_denies_by_default_and_covers_every_capability():
    assert set(MATRIX) == set(Capability)
    for capability, grants in MATRIX.items():
        assert all(isinstance(role, Role) and isinstance(reach, Reach) for role, reach in grants.items())
        if capability.level is not Level.TEAM:
            assert Reach.OWN_TEAMS not in grants.values(), f"{capability}: own-teams reach only applies to teams"
    assert Role.LERAAR not in MATRIX[Capability.SCHOOL_VIEW_PEOPLE]
