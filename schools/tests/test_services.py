import pytest
from django.core.exceptions import ValidationError

from leerkracht.roles import Role
from schools.models import SchoolMembership, TeamMembership
from schools.services import school_membership_add, team_membership_add
from schools.tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_team_membership_carries_the_teams_school_and_makes_a_teacher():
    team = TeamFactory()
    user = UserFactory()
    membership = team_membership_add(user=user, team=team)
    assert membership.school_id == team.school_id
    assert SchoolMembership.unscoped.filter(user=user, school=team.school, role=Role.LERAAR).exists()


def test_adding_twice_changes_nothing():
    team = TeamFactory()
    user = UserFactory()
    team_membership_add(user=user, team=team)
    team_membership_add(user=user, team=team)
    assert TeamMembership.unscoped.filter(user=user).count() == 1
    assert SchoolMembership.unscoped.filter(user=user).count() == 1


def test_a_region_role_is_not_a_school_role():
    team = TeamFactory()
    with pytest.raises(ValidationError):
        school_membership_add(user=UserFactory(), school=team.school, role=Role.EXPERTCOACH)
