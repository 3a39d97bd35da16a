"""The school holidays of the three holiday regions, kept by the foundation's admins
(NATIONAL_VIEW): the list per school year with the form to add one, a holiday's own form to
change it, and delete. The calendars of every school in the region mark these days."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from leerkracht import clock
from leerkracht.access import requires
from leerkracht.http import AppRequest, add_service_errors, found_or_404, redirect_after
from leerkracht.roles import Capability
from schools import selectors
from schools.forms import SchoolHolidayForm
from schools.models import HolidayRegion
from schools.services import holidays as services

LIST_PAGE = "schools/holiday_list.html"
EDIT_PAGE = "schools/holiday_form.html"
# The names people look for, offered while typing (any other name is fine too).
USUAL_NAMES = ["Herfstvakantie", "Kerstvakantie", "Voorjaarsvakantie", "Meivakantie", "Zomervakantie"]


def _year(value: str | None) -> int:
    years = selectors.school_holiday_years()
    try:
        year = int(value or "")
    except ValueError:
        return clock.school_year()
    return year if years[0] <= year <= years[-1] else clock.school_year()


def _list_url(year: int) -> str:
    return f"{reverse('schools:holiday_list')}?jaar={year}"


def _holiday(holiday_id: int):
    return found_or_404(selectors.school_holiday_get, holiday_id=holiday_id)


@requires(Capability.NATIONAL_VIEW)
@require_http_methods(["GET", "POST"])
def holiday_list(request: AppRequest):
    """The holidays of one school year per region, and the form to add one for several regions."""
    year = _year(request.GET.get("jaar"))
    form = SchoolHolidayForm(request.POST or None, initial={"regions": list(HolidayRegion.values)})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                made = services.school_holiday_add(
                    name=data["name"], regions=data["regions"], starts_on=data["starts_on"], ends_on=data["ends_on"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("%(name)s is toegevoegd.") % {"name": made[0].name})
                return redirect_after(request, _list_url(clock.school_year(made[0].starts_on)))
        status = 422
    holidays = selectors.school_holiday_list(school_year=year)
    context = {
        "year": year,
        "year_label": clock.school_year_label(year),
        "years": [(y, clock.school_year_label(y)) for y in selectors.school_holiday_years()],
        "by_region": [
            (label, [h for h in holidays if h.holiday_region == value]) for value, label in HolidayRegion.choices
        ],
        "form": form,
        "usual_names": USUAL_NAMES,
    }
    return render(request, LIST_PAGE, context, status=status)


@requires(Capability.NATIONAL_VIEW)
@require_http_methods(["GET", "POST"])
def holiday_edit(request: AppRequest, holiday_id: int):
    """Change one region's holiday: its name and dates."""
    holiday = _holiday(holiday_id)
    initial = {"name": holiday.name, "starts_on": holiday.starts_on, "ends_on": holiday.ends_on}
    form = SchoolHolidayForm(request.POST or None, initial=initial, editing=True)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                holiday = services.school_holiday_update(
                    holiday_id=holiday.pk, name=data["name"], starts_on=data["starts_on"], ends_on=data["ends_on"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("%(name)s is aangepast.") % {"name": holiday.name})
                return redirect_after(request, _list_url(clock.school_year(holiday.starts_on)))
        status = 422
    context = {"holiday": holiday, "form": form, "usual_names": USUAL_NAMES}
    return render(request, EDIT_PAGE, context, status=status)


@requires(Capability.NATIONAL_VIEW)
@require_POST
def holiday_delete(request: AppRequest, holiday_id: int):
    """Remove one region's holiday; the calendars no longer mark its days."""
    holiday = _holiday(holiday_id)
    services.school_holiday_delete(holiday_id=holiday.pk)
    messages.success(
        request,
        _("%(name)s (%(region)s) is verwijderd.")
        % {"name": holiday.name, "region": holiday.get_holiday_region_display()},
    )
    return redirect_after(request, _list_url(clock.school_year(holiday.starts_on)))
