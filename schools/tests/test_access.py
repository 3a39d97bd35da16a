"""The schools' own access questions, per role of the shared world: whose team work a person may
change, and who sees a school's people by name. The pages ask these; they decide nothing themselves."""

import pytest

from leerkracht.roles import Role
from schools.access import compute_access, school_people_visible, team_editable, teams_editable

pytestmark = pytest.mark.django_db

# role: (edits their own team, edits the other team of the school, sees the people by name)
EXPECTED = {
    Role.LERAAR: (True, False, False),
    Role.SCHOOLCOACH: (True, True, True),
    Role.SCHOOLLEIDER: (True, True, True),
    Role.EXPERTCOACH: (False, False, True),
    Role.VERANDERCOACH: (False, False, True),
    Role.BESTUURDER: (False, False, False),
    Role.ADMIN: (False, False, True),  # the platform admin reads; the school does its own work
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_who_edits_which_team_and_sees_the_people(world, role):
    access = compute_access(world.users[role])
    home, own, other = world.home.pk, world.home_team, world.other_home_team
    own_edit, other_edit, people = EXPECTED[role]
    assert team_editable(access, school_id=home, team_id=own.pk) is own_edit
    assert team_editable(access, school_id=home, team_id=other.pk) is other_edit
    assert teams_editable(access, school_id=home, teams=[own, other]) == [
        team for team, edits in ((own, own_edit), (other, other_edit)) if edits
    ]
    assert school_people_visible(access, school_id=home) is people


@pytest.mark.parametrize("role", list(EXPECTED))
def test_nobody_from_the_home_school_edits_or_sees_a_foreign_schools_people(world, role):
    if role is Role.ADMIN:
        pytest.skip("an admin reaches every school")
    access = compute_access(world.users[role])
    foreign = world.foreign
    foreign_team = world.teams[foreign.pk][0]
    assert not team_editable(access, school_id=foreign.pk, team_id=foreign_team.pk)
    assert not school_people_visible(access, school_id=foreign.pk)
