"""Navigation shared by every page: the school in the URL and the schools the user can switch to."""

from django.utils.functional import SimpleLazyObject


def navigation(request):
    from schools.selectors import navigation_for

    access = getattr(request, "access", None)
    if access is None:
        return {}
    match = getattr(request, "resolver_match", None)
    school_id = match.kwargs.get("school_id") if match else None
    return {"nav": SimpleLazyObject(lambda: navigation_for(access=access, school_id=school_id))}
