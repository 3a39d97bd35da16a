"""One rule decides what a user may see and do: this module.

`Access` is computed once per request from the user's memberships (one query) and hung on
`request.access`. Views declare the capability they need with `@requires`; the tenancy middleware
checks it against the node in the URL before the view runs. Objects inside a school are fetched
only through `access_<entity>_by_id`, which answers 404 for missing and foreign alike.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import BigIntegerField, CharField, F, Value
from django.db.models.functions import Cast
from django.http import Http404

from leerkracht.roles import MATRIX, Capability, Level, Reach, Role
from leerkracht.tenancy import ALL

NOT_FOUND_MESSAGE = "Niet gevonden."  # one message for missing and foreign: nothing revealed


@dataclass(frozen=True)
class Access:
    """What one user may see: roles per node of the hierarchy, and the teams they belong to."""

    user_id: int | None
    is_admin: bool = False
    school_roles: Mapping[int, frozenset[Role]] = field(default_factory=dict)
    school_group_roles: Mapping[int, frozenset[Role]] = field(default_factory=dict)
    region_roles: Mapping[int, frozenset[Role]] = field(default_factory=dict)
    team_ids: frozenset[int] = frozenset()
    teams_by_school: Mapping[int, tuple[int, ...]] = field(default_factory=dict)

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    def visible_school_ids(self) -> frozenset[int] | None:
        """The schools this user may see at all; `None` (ALL) for admins."""
        return ALL if self.is_admin else frozenset(self.school_roles)

    def filter_visible(self, queryset):
        """`queryset` of a tenant model narrowed to the schools this user may see: every row for
        an admin, none for a user without a role. Readers that list schools use this rather than
        `visible_school_ids()`, whose ALL (None) for admins each caller had to branch on; a branch
        written for one page ("admins use the national overview") left the API empty for them."""
        visible = self.visible_school_ids()
        if visible is ALL:
            return queryset
        return queryset.filter(**{queryset.model.tenant_field: visible})

    def sees(self, level: Level, node_id: int | None) -> bool:
        """Whether the node exists for this user at all (else: 404)."""
        if self.is_admin:
            return True
        if level is Level.PLATFORM:
            return False
        return node_id in self._roles_map(level)

    def roles_at(self, level: Level, node_id: int | None) -> frozenset[Role]:
        if self.is_admin:
            return frozenset({Role.ADMIN})
        if level is Level.PLATFORM:
            return frozenset()
        return self._roles_map(level).get(node_id, frozenset())

    def can(self, capability: Capability, *, node_id: int | None = None, team_id: int | None = None) -> bool:
        """Whether a role held on `node_id` (a school for school and team capabilities) grants
        `capability`; for team capabilities an own-teams reach also needs `team_id` among the
        user's teams."""
        level = capability.level
        lookup_level = Level.SCHOOL if level is Level.TEAM else level
        for role in self.roles_at(lookup_level, node_id):
            reach = MATRIX[capability].get(role)
            if reach is Reach.NODE:
                return True
            if reach is Reach.OWN_TEAMS and (team_id is None or team_id in self.team_ids):
                return True
        return False

    def team_reach(self, capability: Capability, school_id: int) -> Reach | None:
        """The widest reach of a team capability in a school: NODE (every team), OWN_TEAMS, or
        None. Selectors use it to scope team lists."""
        reaches = {MATRIX[capability].get(role) for role in self.roles_at(Level.SCHOOL, school_id)}
        if Reach.NODE in reaches:
            return Reach.NODE
        if Reach.OWN_TEAMS in reaches:
            return Reach.OWN_TEAMS
        return None

    def _roles_map(self, level: Level) -> Mapping[int, frozenset[Role]]:
        if level in (Level.SCHOOL, Level.TEAM):
            return self.school_roles
        if level is Level.SCHOOL_GROUP:
            return self.school_group_roles
        return self.region_roles


ANONYMOUS = Access(user_id=None)


def compute_access(user) -> Access:
    """Build a user's `Access` from all their memberships in one query."""
    from schools.models import (
        RegionMembership,
        School,
        SchoolGroupMembership,
        SchoolMembership,
        TeamMembership,
    )

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

    # The access core is the one place allowed to read memberships unscoped: it is what the
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


# --- Declaring what a view needs -------------------------------------------------------------

# URL keyword → level of the node it names. A route's node is the most specific one it carries.
NODE_KWARGS: dict[str, Level] = {
    "school_id": Level.SCHOOL,
    "school_group_id": Level.SCHOOL_GROUP,
    "region_id": Level.REGION,
}


def requires(capability: Capability) -> Callable:
    """Declare the capability a view needs. The tenancy middleware enforces it; a view without
    a declaration is refused (deny by default)."""

    def decorate(view):
        view.required_capability = capability
        return view

    return decorate


def public(view):
    """Declare a view that needs no login (login page, health check, pupil pages)."""
    view.is_public = True
    return view


def personal(view):
    """Declare a view that needs a login but no node: it only shows the user their own things."""
    view.is_personal = True
    return view


def view_declaration(view_func) -> tuple[str, Capability | None]:
    """Read a view's declaration, looking through Django and DRF class-based wrappers."""
    for candidate in (view_func, getattr(view_func, "view_class", None), getattr(view_func, "cls", None)):
        if candidate is None:
            continue
        if getattr(candidate, "is_public", False):
            return "public", None
        if getattr(candidate, "is_personal", False):
            return "personal", None
        capability = getattr(candidate, "required_capability", None)
        if capability is not None:
            return "capability", capability
    return "undeclared", None


# --- Fetching objects inside a school ---------------------------------------------------------


def access_team_by_id(access: Access, *, school_id: int, team_id: int, capability: Capability):
    """The team `team_id` of school `school_id` if this user may use `capability` on it; 404 for
    a missing team, another school's team, or a team outside a teacher's own teams."""
    from schools.models import Team

    reach = access.team_reach(capability, school_id)
    if reach is None or (reach is Reach.OWN_TEAMS and team_id not in access.team_ids):
        raise Http404(NOT_FOUND_MESSAGE)
    try:
        return Team.objects.select_related("school").get(pk=team_id, school_id=school_id)
    except Team.DoesNotExist:
        raise Http404(NOT_FOUND_MESSAGE) from None


def access_board_by_id(access: Access, *, school_id: int, board_id: int, capability: Capability):
    """The improvement board `board_id` of school `school_id` if this user may use `capability`
    (TEAM_VIEW to read, TEAM_EDIT to edit) on its team; an organisational board belongs to no
    team, so only roles that reach the whole school get it. 404 for missing, foreign and out of
    reach alike."""
    from instruments.models import ImprovementBoard

    reach = access.team_reach(capability, school_id)
    if reach is None:
        raise Http404(NOT_FOUND_MESSAGE)
    try:
        board = ImprovementBoard.objects.select_related("school", "team", "owner").get(pk=board_id, school_id=school_id)
    except ImprovementBoard.DoesNotExist:
        raise Http404(NOT_FOUND_MESSAGE) from None
    if reach is Reach.OWN_TEAMS and board.team_id not in access.team_ids:
        raise Http404(NOT_FOUND_MESSAGE)
    return board


def access_lesson_design_by_id(access: Access, *, school_id: int, design_id: int, edit: bool = False):
    """The lesson design `design_id` of school `school_id` if this user may read it (TEAM_VIEW)
    or, with `edit`, change it (TEAM_EDIT). A teacher reads the designs of their own teams, those
    shared with one of their teams and those they co-authored; they edit those of their own teams
    and those they co-authored. Roles over the whole school reach every design. 404 for missing,
    foreign and unreadable alike; 403 for a readable design this user may not edit."""
    from instruments.models import LessonDesign, LessonDesignAuthor, LessonDesignShare

    reach = access.team_reach(Capability.TEAM_VIEW, school_id)
    if reach is None:
        raise Http404(NOT_FOUND_MESSAGE)
    try:
        design = LessonDesign.objects.select_related("school", "team", "group").get(pk=design_id, school_id=school_id)
    except LessonDesign.DoesNotExist:
        raise Http404(NOT_FOUND_MESSAGE) from None
    own_team = design.team_id in access.team_ids

    def is_author() -> bool:
        return LessonDesignAuthor.objects.filter(design=design, user_id=access.user_id).exists()

    if reach is Reach.OWN_TEAMS and not own_team:
        shared = LessonDesignShare.objects.filter(design=design, team_id__in=access.team_ids).exists()
        if not shared and not is_author():
            raise Http404(NOT_FOUND_MESSAGE)
    if edit:
        edit_reach = access.team_reach(Capability.TEAM_EDIT, school_id)
        if not (edit_reach is Reach.NODE or (edit_reach is Reach.OWN_TEAMS and (own_team or is_author()))):
            raise PermissionDenied
    return design


def access_lesson_visit_by_id(access: Access, *, school_id: int, visit_id: int):
    """The lesson visit `visit_id` of school `school_id` for its visitor, its visited teacher and
    the roles that see the school's people (schoolcoach, leader, coaches, admin); 404 for anyone
    else, and for missing and foreign visits. This admits the *visit*; its notes and debrief are
    for the visitor and the visited teacher only: `lesson_visit_content_visible`."""
    from instruments.models import LessonVisit

    try:
        visit = LessonVisit.objects.select_related("school", "visitor", "visited", "group", "lesson_design").get(
            pk=visit_id, school_id=school_id
        )
    except LessonVisit.DoesNotExist:
        raise Http404(NOT_FOUND_MESSAGE) from None
    if lesson_visit_visible(access, visit):
        return visit
    raise Http404(NOT_FOUND_MESSAGE)


def lesson_visit_visible(access: Access, visit) -> bool:
    """Whether this user may see `visit` (that it happens, who and when): its visitor, its visited
    teacher and the roles that see its school's people. The rule of `access_lesson_visit_by_id`,
    for a visit already in hand (a double booking's clash)."""
    return lesson_visit_content_visible(access, visit) or access.can(
        Capability.SCHOOL_VIEW_PEOPLE, node_id=visit.school_id
    )


def lesson_visit_content_visible(access: Access, visit) -> bool:
    """Whether this user may read what a visit brought (observations, debrief): its visitor and
    its visited teacher, nobody else, whatever their role (DESIGN.md §5: development, not
    appraisal)."""
    return access.user_id is not None and access.user_id in (visit.visitor_id, visit.visited_id)


def access_feedback_round_by_id(access: Access, *, school_id: int, round_id: int):
    """The pupil feedback round `round_id` of school `school_id` for the teacher who opened it;
    404 for everyone else, and for missing and foreign rounds. What a class says about a lesson
    is for its teacher to discuss with the class; others see only that rounds were held."""
    from instruments.models import FeedbackRound

    try:
        feedback_round = FeedbackRound.objects.select_related("school", "group").get(pk=round_id, school_id=school_id)
    except FeedbackRound.DoesNotExist:
        raise Http404(NOT_FOUND_MESSAGE) from None
    if access.user_id is None or feedback_round.teacher_id != access.user_id:
        raise Http404(NOT_FOUND_MESSAGE)
    return feedback_round
