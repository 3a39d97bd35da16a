"""`{% person user %}` and `{% person_email user %}`: a person as the school of the page names
them. To the school they left a person is "oud-collega" (and so is anyone whose data was
erased), on every page that names people; see schools.selectors.display_name."""

from __future__ import annotations

from django import template

from schools.selectors import display_email, display_name, former_staff_ids_of_request

register = template.Library()


def _former_ids(context) -> frozenset[int]:
    """The people who left the school in the page's URL: asked once per request, and only by a
    page that names someone. A page without a school (an e-mail, a personal page) knows no
    leavers; the erased are still "oud-collega" there (User.full_name)."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    school_id = match.kwargs.get("school_id") if match else None
    if school_id is None:
        return frozenset()
    return former_staff_ids_of_request(request, school_id=int(school_id))


@register.simple_tag(takes_context=True)
def person(context, user) -> str:
    """The name of `user` as this school may read it (`{% person x as name %}` for blocktranslate)."""
    if user is None or user == "":
        return ""
    if isinstance(user, str):
        return user  # a name kept as text (a record made before people were referred to by id)
    return display_name(user, _former_ids(context))


@register.simple_tag(takes_context=True)
def person_email(context, user, address: str = "") -> str:
    """The address of `user` (or the `address` given for them, as on an invitation) as this
    school may read it: none for a person who left it."""
    if user is None or user == "":
        return ""
    shown = display_email(user, _former_ids(context))
    return (address or shown) if shown else ""


@register.simple_tag(takes_context=True)
def people(context, users) -> str:
    """Several people by name ("Anna de Vries, oud-collega"), each by the school's rule; "—" for
    nobody."""
    former = _former_ids(context) if users else frozenset()
    names = (user if isinstance(user, str) else display_name(user, former) for user in users or ())
    return ", ".join(sorted(names)) or "—"
