"""Pages about who: home per role, overviews (national, region, bestuur, school), teams, people.

Access is decided before these run (leerkracht.middleware); views parse, select and render.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from leerkracht.access import Access, personal, requires
from leerkracht.http import AppRequest, wants_fragment
from leerkracht.roles import Capability, Level, Role
from schools import selectors
from schools.access import (
    people_log_visible,
    people_manageable,
    school_people_visible,
    sees_numbers_only,
)
from schools.forms import SchoolFilterForm

SESSION_SCHOOL_KEY = "current_school_id"


def home_url(access: Access, preferred_school_id: int | None = None) -> str:
    """Where a user's work is: admin → national overview; leader or schoolcoach → their school;
    teacher → their week ("Mijn week"); expertcoach → their schools; verandercoach or bestuurder → the bestuur."""
    if access.is_admin:
        return reverse("schools:national_overview")
    school_ids = sorted(access.school_roles, key=lambda sid: (sid != preferred_school_id, sid))
    for school_id in school_ids:
        if access.school_roles[school_id] & {Role.SCHOOLLEIDER, Role.SCHOOLCOACH}:
            return selectors.school_entry_url(access, school_id)
    for school_id in school_ids:
        if access.teams_by_school.get(school_id) or Role.LERAAR in access.school_roles[school_id]:
            # A teacher starts on their week, which an app above this one serves: the wiring
            # names its URL (settings), so schools names no app above it.
            return reverse(settings.TEACHER_LANDING_URL_NAME, kwargs={"school_id": school_id})
    if any(Role.EXPERTCOACH in roles for roles in access.school_roles.values()) or access.region_roles:
        return reverse("schools:my_schools")
    if access.school_group_roles:
        school_group_id = min(access.school_group_roles)
        return reverse("schools:school_group_overview", kwargs={"school_group_id": school_group_id})
    return reverse("schools:my_schools")


@personal
@require_GET
def home(request: AppRequest):
    return redirect(home_url(request.access, request.session.get(SESSION_SCHOOL_KEY)))


@personal
@require_GET
def my_schools(request: AppRequest):
    access = request.access
    context = {"schools": selectors.schools_for(access=access), **selectors.overview_nodes_for(access=access)}
    return render(request, "schools/my_schools.html", context)


@requires(Capability.NATIONAL_VIEW)
@require_GET
def national_overview(request: AppRequest):
    return render(request, "schools/national_overview.html", selectors.national_overview(access=request.access))


@requires(Capability.REGION_VIEW)
@require_GET
@vary_on_headers("HX-Request")
def region_overview(request: AppRequest, region_id: int):
    """A region in numbers and its schools; sorting the list with htmx swaps only the list."""
    sort = request.GET.get("sorteer", "")[:20]
    context = selectors.region_overview(access=request.access, region_id=region_id, sort=sort)
    context["sorts"] = [("naam", _("naam")), ("fase", _("fase")), ("sector", _("sector")), ("bestuur", _("bestuur"))]
    template = "schools/region_overview.html"
    return render(request, f"{template}#region-schools" if wants_fragment(request) else template, context)


SCHOOL_LIST = "schools/school_list.html"


@personal
@require_GET
@vary_on_headers("HX-Request")
def school_list(request: AppRequest):
    """The schools this user may see (an admin: every school), filtered by phase, sector and
    region in a plain GET form, 50 a page; htmx swaps only the results. A phase or sector that
    does not exist answers 400 with the form saying so."""
    access = request.access
    form = SchoolFilterForm(request.GET)
    valid = form.is_valid()
    context = {
        "form": form,
        "filters": form.filters() if valid else None,
        "page": None,
        "query_string": urlencode({k: v for k, v in request.GET.items() if k != "pagina" and v}),
    }
    if valid:
        context["page"] = selectors.school_page(
            access=access, filters=context["filters"], page=request.GET.get("pagina", 1)
        )
    if wants_fragment(request) and valid:
        return render(request, f"{SCHOOL_LIST}#school-results", {**context, "fragment": True})
    context["regions"] = selectors.region_choices(access=access)
    return render(request, SCHOOL_LIST, context, status=200 if valid else 400)


@requires(Capability.SCHOOL_GROUP_VIEW)
@require_GET
def school_group_overview(request: AppRequest, school_group_id: int):
    access = request.access
    context = selectors.school_group_overview(access=access, school_group_id=school_group_id)
    # A bestuurder sees numbers only; say so once instead of leaving them to guess why.
    context["numbers_only"] = sees_numbers_only(access, school_ids=[s.pk for s in context["schools"]])
    return render(request, "schools/school_group_overview.html", context)


def _remember_school(request: AppRequest, school_id: int) -> None:
    if request.session.get(SESSION_SCHOOL_KEY) != school_id:
        request.session[SESSION_SCHOOL_KEY] = school_id


@requires(Capability.SCHOOL_VIEW_AGGREGATES)
@require_GET
def school_overview(request: AppRequest, school_id: int):
    access = request.access
    _remember_school(request, school_id)
    context = {
        "school": selectors.school_get(access=access, school_id=school_id),
        "summary": selectors.school_summary(access=access, school_id=school_id),
        "teams": selectors.team_list(access=access, school_id=school_id),
        "can_view_teams": not sees_numbers_only(access, school_ids=[school_id]),
        "can_view_people": school_people_visible(access, school_id=school_id),
        "roles": sorted(access.roles_at(Level.SCHOOL, school_id)),
    }
    return render(request, "schools/school_overview.html", context)


# The teams' pages (team_list, team_detail) and their writes: schools/views/teams.py.


@requires(Capability.SCHOOL_VIEW_PEOPLE)
@require_GET
def people(request: AppRequest, school_id: int):
    """Everyone in the school with their roles and teams; for who runs the school's people, the
    way to invite, import, and follow invitations and the log."""
    access = request.access
    context = {
        "school": selectors.school_get(access=access, school_id=school_id),
        "people": selectors.school_people(access=access, school_id=school_id),
        "can_manage": people_manageable(access, school_id=school_id),
        "can_read_log": people_log_visible(access, school_id=school_id),
    }
    return render(request, "schools/people.html", context)
