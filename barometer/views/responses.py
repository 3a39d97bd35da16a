"""How many teachers answered: the school's wave moments with their response rate per team,
live. Counts of who answered only, never what (they come from the invitations)."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from barometer.selectors.waves import school_moments
from leerkracht.access import requires
from leerkracht.http import AppRequest, wants_fragment
from leerkracht.roles import Capability
from schools import selectors as school_selectors

PAGE = "barometer/school_responses.html"


@requires(Capability.SCHOOL_VIEW_PEOPLE)
@require_GET
@vary_on_headers("HX-Request")
def school_responses(request: AppRequest, school_id: int):
    """The school's moments, open first; while one is open the rates refresh themselves."""
    moments = school_moments(school_id=school_id)
    context = {"moments": moments, "live": any(m.wave_school.status == "open" for m in moments)}
    if wants_fragment(request):
        return render(request, f"{PAGE}#responses", context)
    context["school"] = school_selectors.school_get(access=request.access, school_id=school_id)
    return render(request, PAGE, context)
