"""The barometer's result pages: a school's results (its leaders and coaches) with the impact
staircase, and the national results (admins) with filters, a breakdown, the trend, correlation
and an export. Every figure is suppressed in `barometer.selectors.results`; a chart is drawn from
the same suppressed figures and served as its own SVG (`<img>`), with its alt text and a table of
every figure on the page.
"""

from __future__ import annotations

import hashlib

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from barometer import chart_documents, report_charts
from barometer.selectors import reports, snapshots
from barometer.selectors.results import Level, min_open_answers, min_respondents
from leerkracht.access import requires
from leerkracht.http import AppRequest, wants_fragment
from leerkracht.roles import Capability
from schools import selectors as school_selectors
from schools.models import Sector

SCHOOL_PAGE = "barometer/school_results.html"
NATIONAL_PAGE = "barometer/national_results.html"


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


# -------------------------------------------------------------------------------- school
def _chart_links(charts_found: dict[str, chart_documents.Chart], base: str, query: str) -> list[dict]:
    """Each chart with the address of its SVG. The address carries a digest of the SVG, so a
    browser never keeps an old chart under a new figure."""
    links = []
    for key, chart in charts_found.items():
        digest = hashlib.sha256(chart.svg).hexdigest()[:12]
        separator = "&" if query else ""
        rows = [list(zip(chart.header, row, strict=True)) for row in chart.rows]
        links.append({"key": key, "chart": chart, "rows": rows, "src": f"{base}{key}.svg?{query}{separator}v={digest}"})
    return links


@requires(Capability.SCHOOL_VIEW_AGGREGATES)
@require_GET
@vary_on_headers("HX-Request")
def school_results(request: AppRequest, school_id: int):
    """The school's results of one closed moment (the newest unless another is chosen)."""
    report = reports.school_report(school_id=school_id, wave_id=_int(request.GET.get("meetmoment")))
    query = f"meetmoment={report.wave.pk}" if report.wave else ""
    base = request.path + "grafiek/"
    context = {
        "report": report,
        "charts": _chart_links(report_charts.school_charts(report), base, query),
        "min_open_answers": min_open_answers(),
    }
    if wants_fragment(request):
        return render(request, f"{SCHOOL_PAGE}#results", context)
    context["school"] = school_selectors.school_get(access=request.access, school_id=school_id)
    return render(request, SCHOOL_PAGE, context)


@requires(Capability.SCHOOL_VIEW_AGGREGATES)
@require_GET
def school_results_chart(request: AppRequest, school_id: int, chart: str):
    report = reports.school_report(school_id=school_id, wave_id=_int(request.GET.get("meetmoment")))
    found = report_charts.school_charts(report)
    if chart not in found:
        raise Http404
    return chart_documents.svg_response(found[chart])


# -------------------------------------------------------------------------------- national
BREAKDOWNS = {
    "sector": (Level.SECTOR, gettext_lazy("Sector")),
    "regio": (Level.REGION, gettext_lazy("Regio")),
    "bestuur": (Level.SCHOOL_GROUP, gettext_lazy("Bestuur")),
}


class NationalFilters(forms.Form):
    """The national page's filters, from the query string; an unknown value filters nothing."""

    meetmoment = forms.IntegerField(required=False, min_value=1)
    sector = forms.ChoiceField(required=False, choices=[("", "")] + list(Sector.choices))
    regio = forms.IntegerField(required=False, min_value=1)
    per = forms.ChoiceField(required=False, choices=[(key, label) for key, (_l, label) in BREAKDOWNS.items()])
    vraag = forms.SlugField(required=False)
    x = forms.SlugField(required=False)
    y = forms.SlugField(required=False)

    def cleaned(self) -> dict:
        self.is_valid()
        return {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}


def _national(request: AppRequest) -> dict:
    """The selection in the address and its snapshot (computed once per version of the answers)."""
    values = NationalFilters(request.GET).cleaned()
    selection = snapshots.Selection(
        wave_id=values.get("meetmoment"),
        sector=values.get("sector") or None,
        region_id=values.get("regio"),
        breakdown=BREAKDOWNS[values.get("per") or "sector"][0],
        code=values.get("vraag") or None,
        code_x=values.get("x") or None,
        code_y=values.get("y") or None,
    )
    snapshot = snapshots.national_snapshot(selection)
    return {"report": snapshot.report, "snapshot": snapshot, "filters": values}


@requires(Capability.NATIONAL_VIEW)
@require_GET
@vary_on_headers("HX-Request")
def national_results(request: AppRequest):
    """Results of a wave for the country or a sector/region, with a breakdown of one item, its
    trend, and the correlation of two items across schools; htmx swaps the results as filters change."""
    context = _national(request)
    query = request.GET.urlencode()
    context["charts"] = _chart_links(context["snapshot"].charts, request.path + "grafiek/", query)
    context["regions"] = school_selectors.regions()
    context["sectors"] = Sector.choices
    context["breakdowns"] = [(key, label) for key, (_level, label) in BREAKDOWNS.items()]
    context["query"] = query
    context["min_respondents"] = min_respondents()
    if wants_fragment(request):
        return render(request, f"{NATIONAL_PAGE}#results", context)
    return render(request, NATIONAL_PAGE, context)


@requires(Capability.NATIONAL_VIEW)
@require_GET
def national_results_chart(request: AppRequest, chart: str):
    """One chart of the selection, as drawn into its snapshot (served without loading matplotlib)."""
    found = _national(request)["snapshot"].charts
    if chart not in found:
        raise Http404
    return chart_documents.svg_response(found[chart])


@requires(Capability.NATIONAL_VIEW)
@require_GET
def national_results_export(request: AppRequest):
    """The selection's figures as CSV (`snapshots.national_csv`), as written into its snapshot."""
    snapshot = _national(request)["snapshot"]
    response = HttpResponse(snapshot.csv, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{snapshot.csv_name}"'
    response["Cache-Control"] = "private, no-store"
    return response
