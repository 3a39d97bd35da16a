"""What the instruments recorded, as the school page shows it: the rhythm per team.

The school page belongs to `schools`, which does not import the instruments (the floors are
leerkracht ← schools ← instruments ← barometer). So its "Ritme van de instrumenten" section is
filled from here: htmx loads this view's fragment into the section, and the section's link opens
the same view as a page of its own where there is no JavaScript.
"""

from __future__ import annotations

from django.shortcuts import render
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from instruments.selectors import metrics
from leerkracht.access import requires
from leerkracht.http import AppRequest, wants_fragment
from leerkracht.roles import Capability
from schools import selectors as school_selectors

RHYTHM = "instruments/school_rhythm.html"


@requires(Capability.SCHOOL_VIEW_AGGREGATES)
@require_GET
@vary_on_headers("HX-Request")
def school_rhythm(request: AppRequest, school_id: int):
    """Per team (for roles that see the teams) and for the whole school: board sessions, lesson
    visits, lesson designs and feedback rounds of the last weeks against the programme's
    rhythm. Everyone who sees the school page sees this; the bestuurder the school's total only."""
    access = request.access
    context = {
        # Only the page shows the school (title, breadcrumb): the fragment skips the query.
        "school": SimpleLazyObject(lambda: school_selectors.school_get(access=access, school_id=school_id)),
        "school_id": school_id,
        "rhythm": metrics.school_rhythm(access=access, school_id=school_id),
        "fragment": wants_fragment(request),
    }
    template = f"{RHYTHM}#school-rhythm" if context["fragment"] else RHYTHM
    return render(request, template, context)
