"""The national response-rate overview: every school's barometer moment with how many teachers
answered, filtered by wave, sector, region, status and school name, live while a moment is open.
Counts of who answered only, never what (they come from the invitations).

Access: Capability.NATIONAL_VIEW on the platform level (admins); anyone else gets the
middleware's 404, as on the national overview. Coaches see each of their schools' rates on the
school's own barometer page.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from barometer.models import WaveSchoolStatus
from barometer.selectors import overview as selectors
from leerkracht.access import requires
from leerkracht.http import MAX_ID, AppRequest, wants_fragment
from leerkracht.roles import Capability
from schools.models import Sector

PAGE = "barometer/response_overview.html"

# The status in the address bar is Dutch, like the rest of the URL.
STATUSES = {
    "open": (WaveSchoolStatus.OPEN, _("Open")),
    "gesloten": (WaveSchoolStatus.CLOSED, _("Gesloten")),
    "gepland": (WaveSchoolStatus.PLANNED, _("Gepland")),
}


class OverviewForm(forms.Form):
    """The overview's filters, read from the query string (never invalid: an unknown value just
    filters nothing)."""

    meetmoment = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    sector = forms.ChoiceField(required=False, choices=[("", "")] + list(Sector.choices))
    regio = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    status = forms.ChoiceField(
        required=False, choices=[("", "")] + [(slug, label) for slug, (_v, label) in STATUSES.items()]
    )
    q = forms.CharField(required=False, max_length=100)
    pagina = forms.IntegerField(required=False, min_value=1)

    def cleaned(self) -> dict:
        self.is_valid()
        return {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}


@requires(Capability.NATIONAL_VIEW)
@require_GET
@vary_on_headers("HX-Request")
def response_overview(request: AppRequest):
    """Every school's moment, open ones first and the lowest rate on top; htmx swaps only the
    results as filters change, and the results refresh themselves while a moment is open."""
    values = OverviewForm(request.GET).cleaned()
    status_slug = values.get("status") or ""
    filters = selectors.OverviewFilters(
        wave=values.get("meetmoment"),
        sector=values.get("sector") or "",
        region=values.get("regio"),
        status=STATUSES[status_slug][0] if status_slug else "",
        q=(values.get("q") or "").strip(),
    )
    overview = selectors.response_overview(access=request.access, filters=filters, page=values.get("pagina") or 1)
    # Only what the form understood goes back into links: the address bar cannot inject others.
    kept = {name: value for name, value in request.GET.items() if name in values and name != "pagina" and value}
    query_string = urlencode(kept)
    live_params = {**kept, **({"pagina": overview.page.number} if overview.page.number > 1 else {})}
    context = {
        "overview": overview,
        "page": overview.page,
        "filters": filters,
        "query_string": query_string,
        "live_url": reverse("barometer:response_overview") + (f"?{urlencode(live_params)}" if live_params else ""),
    }
    if wants_fragment(request):
        return render(request, f"{PAGE}#response-results", context)
    context.update(
        choices=selectors.response_overview_choices(access=request.access),
        statuses=[(slug, label) for slug, (_v, label) in STATUSES.items()],
        values={"meetmoment": filters.wave, "sector": filters.sector, "regio": filters.region, "status": status_slug},
    )
    return render(request, PAGE, context)
