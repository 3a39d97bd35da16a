"""The roles people hold and the capabilities each grants: written once, here.

`docs/access.md` is rendered from `MATRIX` by `manage.py render_access_matrix`; a test fails when
the two disagree, so the document cannot drift from the rule that is enforced.
"""

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Where a role sits on the hierarchy: platform > region > bestuur > school > team."""

    ADMIN = "admin", _("Admin (Stichting leerKRACHT)")
    EXPERTCOACH = "expertcoach", _("Expertcoach")
    VERANDERCOACH = "verandercoach", _("Verandercoach")
    BESTUURDER = "bestuurder", _("Bestuurder")
    SCHOOLLEIDER = "schoolleider", _("Schoolleider")
    SCHOOLCOACH = "schoolcoach", _("Schoolcoach")
    LERAAR = "leraar", _("Leraar")


class Level(StrEnum):
    """The node of the hierarchy a capability is checked against."""

    PLATFORM = "platform"
    REGION = "region"
    SCHOOL_GROUP = "school_group"
    SCHOOL = "school"
    TEAM = "team"


class Reach(StrEnum):
    """How far a role's capability reaches from where the role is held."""

    NODE = "node"  # the node the role is held on and everything below it
    OWN_TEAMS = "own_teams"  # only the teams the person is a member of


class Capability(StrEnum):
    NATIONAL_VIEW = "national.view"
    REGION_VIEW = "region.view"
    SCHOOL_GROUP_VIEW = "school_group.view"
    SCHOOL_VIEW_AGGREGATES = "school.view_aggregates"
    SCHOOL_VIEW_PEOPLE = "school.view_people"
    TEAM_VIEW = "team.view"
    TEAM_EDIT = "team.edit"
    SCHOOL_MANAGE_PEOPLE = "school.manage_people"
    SCHOOL_VIEW_PEOPLE_LOG = "school.view_people_log"
    SCHOOL_SET_DIRECTION = "school.set_direction"
    LESSON_VISIT_SCHEDULE_ANY = "lesson_visit.schedule_any"
    ADMIN_SITE = "platform.admin_site"

    @property
    def level(self) -> Level:
        return CAPABILITY_LEVEL[self]

    @property
    def description(self) -> str:
        return CAPABILITY_DESCRIPTION[self]


CAPABILITY_LEVEL: dict[Capability, Level] = {
    Capability.NATIONAL_VIEW: Level.PLATFORM,
    Capability.REGION_VIEW: Level.REGION,
    Capability.SCHOOL_GROUP_VIEW: Level.SCHOOL_GROUP,
    Capability.SCHOOL_VIEW_AGGREGATES: Level.SCHOOL,
    Capability.SCHOOL_VIEW_PEOPLE: Level.SCHOOL,
    Capability.TEAM_VIEW: Level.TEAM,
    Capability.TEAM_EDIT: Level.TEAM,
    Capability.SCHOOL_MANAGE_PEOPLE: Level.SCHOOL,
    Capability.SCHOOL_VIEW_PEOPLE_LOG: Level.SCHOOL,
    Capability.SCHOOL_SET_DIRECTION: Level.SCHOOL,
    Capability.LESSON_VISIT_SCHEDULE_ANY: Level.SCHOOL,
    Capability.ADMIN_SITE: Level.PLATFORM,
}

CAPABILITY_DESCRIPTION: dict[Capability, str] = {
    Capability.NATIONAL_VIEW: _("Landelijk overzicht van alle regio's, sectoren en fasen"),
    Capability.REGION_VIEW: _("Overzicht van de scholen in een regio"),
    Capability.SCHOOL_GROUP_VIEW: _("Overzicht van de scholen van een bestuur (cijfers, geen inhoud)"),
    Capability.SCHOOL_VIEW_AGGREGATES: _("Schooloverzicht: teams en cijfers van de school"),
    Capability.SCHOOL_VIEW_PEOPLE: _("Wie er in de school werkt en met welke rol"),
    Capability.TEAM_VIEW: _("Een team en zijn verbeterbord bekijken"),
    Capability.TEAM_EDIT: _("Het verbeterbord van een team bewerken"),
    Capability.SCHOOL_MANAGE_PEOPLE: _(
        "Mensen van de school uitnodigen, importeren en uitschrijven; teams en rollen beheren"
    ),
    Capability.SCHOOL_VIEW_PEOPLE_LOG: _("Het logboek lezen van wie wie uitnodigde, importeerde of uitschreef"),
    Capability.SCHOOL_SET_DIRECTION: _("De ambitie en de thema's van de school vastleggen"),
    Capability.LESSON_VISIT_SCHEDULE_ANY: _("Lesbezoeken plannen voor iedereen in de school (niet de inhoud lezen)"),
    Capability.ADMIN_SITE: _("Het beheer (Django admin) gebruiken"),
}

_ALL_SCHOOL_READERS = {
    Role.ADMIN: Reach.NODE,
    Role.EXPERTCOACH: Reach.NODE,
    Role.VERANDERCOACH: Reach.NODE,
    Role.SCHOOLLEIDER: Reach.NODE,
    Role.SCHOOLCOACH: Reach.NODE,
}

# Rows: capabilities; columns: roles. A role absent from a row does not have the capability
# (deny by default). DESIGN.md §5 is the source: a teacher sees their own teams; schoolcoach and
# leader the whole school; verandercoach and bestuurder their bestuur's schools (the bestuurder
# aggregates only); the expertcoach the schools they guide and their region; the admin all.
MATRIX: dict[Capability, dict[Role, Reach]] = {
    Capability.NATIONAL_VIEW: {Role.ADMIN: Reach.NODE},
    Capability.REGION_VIEW: {Role.ADMIN: Reach.NODE, Role.EXPERTCOACH: Reach.NODE},
    Capability.SCHOOL_GROUP_VIEW: {
        Role.ADMIN: Reach.NODE,
        Role.VERANDERCOACH: Reach.NODE,
        Role.BESTUURDER: Reach.NODE,
    },
    Capability.SCHOOL_VIEW_AGGREGATES: {**_ALL_SCHOOL_READERS, Role.BESTUURDER: Reach.NODE},
    Capability.SCHOOL_VIEW_PEOPLE: dict(_ALL_SCHOOL_READERS),
    Capability.TEAM_VIEW: {**_ALL_SCHOOL_READERS, Role.LERAAR: Reach.OWN_TEAMS},
    Capability.TEAM_EDIT: {
        Role.SCHOOLLEIDER: Reach.NODE,
        Role.SCHOOLCOACH: Reach.NODE,
        Role.LERAAR: Reach.OWN_TEAMS,
    },
    # A teacher schedules their own visits (TEAM_EDIT in their school); the schoolcoach keeps the
    # school's rhythm going and schedules for anyone. What a visit brought is read by nobody but
    # its visitor and visited teacher, whatever the role (see access_lesson_visit_by_id).
    # A school runs its own people (leader and schoolcoaches); the foundation's admin for any school,
    # the expertcoach for the schools they guide (the startdag), the verandercoach for their
    # bestuur's schools. The bestuurder reads figures only. Which roles each may give: schools.access.
    Capability.SCHOOL_MANAGE_PEOPLE: {
        Role.ADMIN: Reach.NODE,
        Role.EXPERTCOACH: Reach.NODE,
        Role.VERANDERCOACH: Reach.NODE,
        Role.SCHOOLLEIDER: Reach.NODE,
        Role.SCHOOLCOACH: Reach.NODE,
    },
    Capability.SCHOOL_VIEW_PEOPLE_LOG: {Role.ADMIN: Reach.NODE, Role.SCHOOLLEIDER: Reach.NODE},
    Capability.SCHOOL_SET_DIRECTION: {Role.ADMIN: Reach.NODE, Role.SCHOOLLEIDER: Reach.NODE},
    Capability.LESSON_VISIT_SCHEDULE_ANY: {Role.SCHOOLCOACH: Reach.NODE},
    Capability.ADMIN_SITE: {Role.ADMIN: Reach.NODE},
}


def render_matrix_markdown() -> str:
    """The matrix as the Markdown table in docs/access.md."""
    roles = list(Role)
    lines = [
        "# Rollen en rechten",
        "",
        "Gegenereerd uit `leerkracht/roles.py` met `manage.py render_access_matrix`; niet met de",
        "hand bewerken. Een test faalt als dit bestand en de code uiteenlopen.",
        "",
        "✓ = op de plek waar de rol geldt en alles daaronder; *eigen teams* = alleen de teams",
        "waarvan de persoon lid is; — = niet.",
        "",
        "| Recht | Niveau | " + " | ".join(str(r.label) for r in roles) + " |",
        "|---|---|" + "---|" * len(roles),
    ]
    for capability in Capability:
        cells = []
        for role in roles:
            reach = MATRIX[capability].get(role)
            cells.append("—" if reach is None else ("✓" if reach is Reach.NODE else "eigen teams"))
        lines.append(
            f"| {capability.description} (`{capability.value}`) | {capability.level.value} | "
            + " | ".join(cells)
            + " |"
        )
    return "\n".join(lines) + "\n"
