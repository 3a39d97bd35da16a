"""The access mechanism: what a user may see and do is decided with this module.

`Access` is computed once per request from the user's memberships (one query, by the schools app:
`access_for`) and hung on `request.access`. Views declare the capability they need with
`@requires`; the tenancy middleware checks it against the node in the URL before the view runs.
Objects inside a school are fetched only through each app's `access_<entity>_by_id`
(`schools/access.py`, `instruments/access.py`), which answers 404 for missing and foreign alike.

The core imports no app (leerkracht/tests/test_layers.py). The two questions only the schools app
can answer — a user's `Access` from their memberships, and whether a region, bestuur or school
exists — are named by settings (`ACCESS_FROM_MEMBERSHIPS`, `ACCESS_NODE_EXISTS`) and resolved
here on first use.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy

from leerkracht.roles import MATRIX, Capability, Level, Reach, Role
from leerkracht.tenancy import ALL

NOT_FOUND_MESSAGE = gettext_lazy("Niet gevonden.")  # one message for missing and foreign: nothing revealed


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


def _setting(name: str) -> Callable:
    # Resolved on each call (a dictionary lookup in sys.modules): a test's override_settings holds.
    return import_string(getattr(settings, name))


def access_for(user) -> Access:
    """This user's `Access` (ANONYMOUS for nobody), computed from their memberships by the function
    `settings.ACCESS_FROM_MEMBERSHIPS` names (`schools.access.compute_access`)."""
    return _setting("ACCESS_FROM_MEMBERSHIPS")(user)


def node_exists(level: Level, node_id: int | None) -> bool:
    """Whether the region, bestuur or school `node_id` exists (the platform always does), answered
    by the function `settings.ACCESS_NODE_EXISTS` names (`schools.access.node_exists`)."""
    return level is Level.PLATFORM or _setting("ACCESS_NODE_EXISTS")(level, node_id)


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
