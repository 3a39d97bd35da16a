"""Writes about people and their places. Each service validates, then writes."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from leerkracht.roles import Role
from schools.models import School, SchoolMembership, Team, TeamMembership, User


def school_membership_add(*, user: User, school: School, role: Role) -> SchoolMembership:
    """Give a person a role in a school (idempotent: an existing role is returned)."""
    if role not in SchoolMembership.SCHOOL_ROLES:
        raise ValidationError(_("%(role)s is geen rol binnen een school.") % {"role": role})
    membership, _created = SchoolMembership.unscoped.get_or_create(user=user, school=school, role=role)
    return membership


@transaction.atomic
def team_membership_add(*, user: User, team: Team) -> TeamMembership:
    """Put a teacher in a team of their school. The membership carries the team's school, so the
    tenant filter never needs the join; a team member is always a teacher of that school."""
    school_membership_add(user=user, school=team.school, role=Role.LERAAR)
    membership, _created = TeamMembership.unscoped.get_or_create(
        user=user, team=team, defaults={"school_id": team.school_id}
    )
    return membership
