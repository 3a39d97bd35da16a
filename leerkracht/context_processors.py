"""Navigation shared by every page: the school in the URL, the schools the user can switch to,
and the instruments of that school the user may open."""

from dataclasses import dataclass

from django.utils.functional import SimpleLazyObject

from leerkracht.roles import Capability


@dataclass(frozen=True)
class SchoolTools:
    """Which of the school's instruments the menu offers (from the access already computed: no
    query), and which one the current page belongs to."""

    school_id: int
    boards: bool
    designs: bool
    visits: bool
    voice: bool
    current: str

    @property
    def any(self) -> bool:
        return self.boards or self.designs or self.visits or self.voice


# The page's route name → the instrument it belongs to, for aria-current in the menu.
SECTIONS = (
    ("instruments:lesson_design", "designs"),
    ("instruments:lesson_visit", "visits"),
    ("instruments:feedback", "voice"),
    ("instruments:pupil_input", "boards"),
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
        # Feedback rounds are a teacher's own: opened by people who work in a team.
        voice=access.can(Capability.TEAM_EDIT, node_id=school_id),
        current=current,
    )


def navigation(request):
    from schools.selectors import navigation_for

    access = getattr(request, "access", None)
    if access is None:
        return {}
    match = getattr(request, "resolver_match", None)
    school_id = match.kwargs.get("school_id") if match else None
    context = {"nav": SimpleLazyObject(lambda: navigation_for(access=access, school_id=school_id))}
    if school_id is not None and access.is_authenticated:
        context["school_tools"] = school_tools_for(access, int(school_id), match.view_name or "")
    return context
