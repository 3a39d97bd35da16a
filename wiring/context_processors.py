"""Navigation shared by every page (wiring: it knows the apps whose menus it puts together): the
school in the URL and the schools the user can switch to (schools), and the instruments of that
school the user may open (instruments)."""

from django.utils.functional import SimpleLazyObject

from instruments.navigation import my_week_url, school_tools_for
from schools.selectors import navigation_for
from schools.views import SESSION_SCHOOL_KEY


def navigation(request):
    access = getattr(request, "access", None)
    if access is None:
        return {}
    match = getattr(request, "resolver_match", None)
    school_id = match.kwargs.get("school_id") if match else None
    context = {"nav": SimpleLazyObject(lambda: navigation_for(access=access, school_id=school_id))}
    # "Mijn week" in the menu: the school of the page, else the one last opened. Lazy, as the
    # access itself: a partial that draws no menu asks nothing of it.
    context["my_week_url"] = SimpleLazyObject(lambda: _my_week_url(request, access, school_id))
    if school_id is not None and access.is_authenticated:
        context["school_tools"] = school_tools_for(access, int(school_id), match.view_name or "")
    return context


def _my_week_url(request, access, school_id) -> str:
    if not access.is_authenticated:
        return ""
    session = getattr(request, "session", None)
    preferred = session.get(SESSION_SCHOOL_KEY) if session is not None else None
    return my_week_url(access, school_id=school_id, preferred_school_id=preferred)
