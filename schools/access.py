"""Access to the schools app's entities, on the core's mechanism (`leerkracht.access`): how a
user's `Access` is computed from their memberships, whether a node of the hierarchy exists, and
the team fetched by id. The core reaches the first two through settings (ACCESS_FROM_MEMBERSHIPS,
ACCESS_NODE_EXISTS), since it imports no app."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import BigIntegerField, CharField, F, Value
from django.db.models.functions import Cast
from django.http import Http404

from leerkracht.access import ANONYMOUS, NOT_FOUND_MESSAGE, Access
from leerkracht.roles import Capability, Level, Reach, Role
from schools.models import (
    PeopleImport,
    Region,
    RegionMembership,
    School,
    SchoolGroup,
    SchoolGroupMembership,
    SchoolMembership,
    StaffInvitation,
    Team,
    TeamMembership,
    User,
)


def compute_access(user) -> Access:
    """Build a user's `Access` from all their memberships in one query."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    if user.is_admin:
        return Access(user_id=user.pk, is_admin=True)

    def rows(queryset, kind: str, node: str, role, parent: str | None = None):
        return (
            queryset.order_by()
            .annotate(
                a_kind=Value(kind, output_field=CharField()),
                a_node=F(node),
                a_role=role if not isinstance(role, str) else Value(role, output_field=CharField()),
                # PostgreSQL types a bare NULL as text in a UNION: cast it to match school_id.
                a_parent=F(parent) if parent else Cast(Value(None), output_field=BigIntegerField()),
            )
            .values_list("a_kind", "a_node", "a_role", "a_parent")
        )

    # Computing access is the one place allowed to read memberships unscoped: it is what the
    # scope is computed from.
    direct = rows(SchoolMembership.unscoped.filter(user=user), "school", "school_id", F("role"))
    guided = rows(School.unscoped.filter(expertcoach=user), "school", "id", Role.EXPERTCOACH.value)
    via_group = rows(
        School.unscoped.filter(school_group__memberships__user=user),
        "school",
        "id",
        F("school_group__memberships__role"),
    )
    groups = rows(SchoolGroupMembership.objects.filter(user=user), "school_group", "school_group_id", F("role"))
    regions = rows(RegionMembership.objects.filter(user=user), "region", "region_id", F("role"))
    teams = rows(TeamMembership.unscoped.filter(user=user), "team", "team_id", Role.LERAAR.value, "school_id")

    by_kind: dict[str, defaultdict[int, set[Role]]] = {
        kind: defaultdict(set) for kind in ("school", "school_group", "region")
    }
    teams_by_school: defaultdict[int, list[int]] = defaultdict(list)
    for kind, node_id, role, parent_id in direct.union(guided, via_group, groups, regions, teams, all=True):
        if kind == "team":
            teams_by_school[parent_id].append(node_id)
        else:
            by_kind[kind][node_id].add(Role(role))

    def freeze(mapping):
        return {node_id: frozenset(roles) for node_id, roles in mapping.items()}

    return Access(
        user_id=user.pk,
        school_roles=freeze(by_kind["school"]),
        school_group_roles=freeze(by_kind["school_group"]),
        region_roles=freeze(by_kind["region"]),
        team_ids=frozenset(team_id for ids in teams_by_school.values() for team_id in ids),
        teams_by_school={school_id: tuple(sorted(ids)) for school_id, ids in teams_by_school.items()},
    )


def node_exists(level: Level, node_id: int | None) -> bool:
    """Whether the school, bestuur or region `node_id` exists (for the middleware: an admin "sees"
    every id, so a missing one must be caught before the view)."""
    model = {Level.SCHOOL: School.unscoped, Level.SCHOOL_GROUP: SchoolGroup.objects, Level.REGION: Region.objects}
    return model[level].filter(pk=node_id).exists()


def access_team_by_id(access: Access, *, school_id: int, team_id: int, capability: Capability):
    """The team `team_id` of school `school_id` if this user may use `capability` on it; 404 for
    a missing team, another school's team, or a team outside a teacher's own teams."""
    reach = access.team_reach(capability, school_id)
    if reach is None or (reach is Reach.OWN_TEAMS and team_id not in access.team_ids):
        raise Http404(NOT_FOUND_MESSAGE)
    try:
        return Team.objects.select_related("school").get(pk=team_id, school_id=school_id)
    except Team.DoesNotExist:
        raise Http404(NOT_FOUND_MESSAGE) from None


def team_editable(access: Access, *, school_id: int, team_id: int) -> bool:
    """Whether this user may change the team's work (its board, its designs): roles that edit the
    whole school, a teacher their own teams."""
    return access.can(Capability.TEAM_EDIT, node_id=school_id, team_id=team_id)


def teams_editable(access: Access, *, school_id: int, teams: Iterable[Team]) -> list[Team]:
    """Those of `teams` (of school `school_id`) whose work this user may change."""
    return [team for team in teams if team_editable(access, school_id=school_id, team_id=team.pk)]


def school_people_visible(access: Access, *, school_id: int) -> bool:
    """Whether this user sees the school's people by name (its people page, a visit calendar per
    person); the bestuurder and a teacher do not."""
    return access.can(Capability.SCHOOL_VIEW_PEOPLE, node_id=school_id)


def sees_numbers_only(access: Access, *, school_ids: Iterable[int]) -> bool:
    """Whether this user reads only the figures of these schools, never a team's content (the
    bestuurder, DESIGN.md §5): no team of any of them is open to them."""
    return not any(access.can(Capability.TEAM_VIEW, node_id=school_id) for school_id in school_ids)


# The school roles from low to high: nobody gives a role above their own (a schoolcoach does not
# make a school leader). Roles held above the school (admin, expertcoach, verandercoach) give all.
SCHOOL_ROLE_RANK = {Role.LERAAR: 1, Role.SCHOOLCOACH: 2, Role.SCHOOLLEIDER: 3}


def people_manageable(access: Access, *, school_id: int) -> bool:
    """Whether this user invites, imports and removes the school's people and runs its teams."""
    return access.can(Capability.SCHOOL_MANAGE_PEOPLE, node_id=school_id)


def people_log_visible(access: Access, *, school_id: int) -> bool:
    """Whether this user reads the school's people log (the school leader, an admin)."""
    return access.can(Capability.SCHOOL_VIEW_PEOPLE_LOG, node_id=school_id)


def roles_grantable(access: Access, *, school_id: int) -> list[Role]:
    """The school roles this user may give and take in the school, lowest first: none without
    the capability, all three from above the school, else up to their own highest role."""
    if not people_manageable(access, school_id=school_id):
        return []
    held = access.roles_at(Level.SCHOOL, school_id)
    if held - set(SCHOOL_ROLE_RANK):
        top = max(SCHOOL_ROLE_RANK.values())
    else:
        top = max(SCHOOL_ROLE_RANK[role] for role in held)
    return [role for role in SchoolMembership.SCHOOL_ROLES if SCHOOL_ROLE_RANK[role] <= top]


def access_school_person_by_id(access: Access, *, school_id: int, user_id: int) -> User:
    """A person with a role in school `school_id`, for who manages its people; 404 for anyone
    else (a person of another school, someone who left, a missing id)."""
    if not people_manageable(access, school_id=school_id):
        raise Http404(NOT_FOUND_MESSAGE)
    person = User.objects.filter(pk=user_id, school_memberships__school_id=school_id).distinct().first()
    if person is None:
        raise Http404(NOT_FOUND_MESSAGE)
    return person


def access_staff_invitation_by_id(access: Access, *, school_id: int, invitation_id: int) -> StaffInvitation:
    """An invitation of school `school_id` for who manages its people; 404 for missing and
    foreign alike."""
    if not people_manageable(access, school_id=school_id):
        raise Http404(NOT_FOUND_MESSAGE)
    try:
        return StaffInvitation.objects.select_related("school", "user").get(pk=invitation_id, school_id=school_id)
    except StaffInvitation.DoesNotExist:
        raise Http404(NOT_FOUND_MESSAGE) from None


def access_people_import_by_id(
    access: Access, *, school_id: int, import_id: int, with_rows: bool = True
) -> PeopleImport:
    """A people import of school `school_id` for who manages its people; 404 for missing and
    foreign alike. `with_rows=False` leaves the file's rows unread (the progress, polled each
    second, needs only their count)."""
    if not people_manageable(access, school_id=school_id):
        raise Http404(NOT_FOUND_MESSAGE)
    imports = PeopleImport.objects.select_related("school")
    if not with_rows:
        imports = imports.defer("rows")
    try:
        return imports.get(pk=import_id, school_id=school_id)
    except PeopleImport.DoesNotExist:
        raise Http404(NOT_FOUND_MESSAGE) from None


def access_team_to_manage(access: Access, *, school_id: int, team_id: int) -> Team:
    """A team of school `school_id` for who runs the school's teams (SCHOOL_MANAGE_PEOPLE),
    archived or not; 404 for missing and foreign alike (a weaker role in the school was already
    answered 403 by the view's declaration)."""
    if not people_manageable(access, school_id=school_id):
        raise Http404(NOT_FOUND_MESSAGE)
    try:
        return Team.objects.select_related("school").get(pk=team_id, school_id=school_id)
    except Team.DoesNotExist:
        raise Http404(NOT_FOUND_MESSAGE) from None
