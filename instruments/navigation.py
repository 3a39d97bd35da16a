"""The instruments' part of the menu every school page shows: which of the school's instruments
this user may open, and which of the school's pages its pages link to (wiring/context_processors.py
puts it on every page)."""

from dataclasses import dataclass

from django.urls import reverse

from instruments.access import feedback_rounds_open, school_direction_settable
from leerkracht.roles import Capability


@dataclass(frozen=True)
class SchoolTools:
    """Which of the school's instruments the menu offers (from the access already computed: no
    query), which one the current page belongs to, and which of the school's pages a page may
    link to: a link is shown only to someone the access rule lets through it."""

    school_id: int
    boards: bool
    designs: bool
    visits: bool
    feedback: bool
    current: str
    plan_visits: bool  # planning a lesson visit (lesson_visit_schedule)
    people: bool  # pages about the school's people: who answered the barometer, per team
    direction: bool  # setting the school's ambition and themes (school_direction)

    @property
    def any(self) -> bool:
        return self.boards or self.designs or self.visits or self.feedback


# The page's route name → the instrument it belongs to, for aria-current in the menu.
SECTIONS = (
    ("instruments:my_week", "week"),  # the person's own week, not one instrument
    ("instruments:school_direction", ""),  # the school's, not one instrument's
    ("instruments:lesson_design", "designs"),
    ("instruments:lesson_visit", "visits"),
    ("instruments:feedback", "feedback"),
    ("instruments:pupil_input", "boards"),
    ("instruments:school_rhythm", ""),  # all four instruments at once: no one menu item is current
    ("instruments:", "boards"),
)


def school_tools_for(access, school_id: int, view_name: str) -> SchoolTools:
    view = access.can(Capability.TEAM_VIEW, node_id=school_id)
    current = next((section for prefix, section in SECTIONS if view_name.startswith(prefix)), "")
    return SchoolTools(
        school_id=school_id,
        boards=view,
        designs=view,
        visits=view,
        feedback=feedback_rounds_open(access, school_id=school_id),
        current=current,
        # A teacher plans visits they take part in; coaches from outside and admins plan none.
        plan_visits=access.can(Capability.TEAM_EDIT, node_id=school_id),
        # The bestuurder reads the school's figures, never its people (DESIGN.md §5).
        people=access.can(Capability.SCHOOL_VIEW_PEOPLE, node_id=school_id),
        direction=school_direction_settable(access, school_id=school_id),
    )


def my_week_school_ids(access) -> list[int]:
    """The schools where this user has a week of their own ("Mijn week"): where they may read
    their teams (TEAM_VIEW), from the access already computed (no query)."""
    return sorted(school_id for school_id in access.school_roles if access.can(Capability.TEAM_VIEW, node_id=school_id))


def my_week_url(access, *, school_id: int | None = None, preferred_school_id: int | None = None) -> str:
    """The address of this user's week: in the school of the page (`school_id`) where they have
    one, else in the preferred school (the one last opened), else in their first school; "" for
    someone without a week anywhere (an admin, a bestuurder)."""
    school_ids = my_week_school_ids(access)
    for candidate in (school_id, preferred_school_id, *school_ids):
        if candidate is not None and int(candidate) in school_ids:
            return reverse("instruments:my_week", kwargs={"school_id": int(candidate)})
    return ""
