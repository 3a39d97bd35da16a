"""The page where the school leader sets the school's direction: its ambition and its themes of
this school year and the next. Every change is an htmx swap of its section (the ambition, the
themes); without JavaScript the same forms post and redirect back to the page.

Access: the middleware checks SCHOOL_SET_DIRECTION (the leader, the platform's admin) against the
school in the URL; a theme is then looked up within that school only. A theme that is not there
(deleted meanwhile, or another school's) answers 404 with the page saying so, and what was typed
in its edit form waits in the form that adds a theme.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from instruments.forms.direction import AmbitionForm, ThemeForm
from instruments.models import Theme
from instruments.selectors import direction as selectors
from instruments.services import direction as services
from leerkracht.access import requires
from leerkracht.conflicts import EditConflict
from leerkracht.http import AppRequest, add_service_errors, edit_conflict_response, gone_response, wants_fragment
from leerkracht.roles import Capability
from schools import selectors as school_selectors

PAGE = "instruments/school_direction.html"
THEME_PREFIX = "theme"  # the add form's fields: the page also holds a theme's edit form
MISSING_VERSION = gettext_lazy("Dit formulier is onvolledig verstuurd. Laad de pagina opnieuw en probeer het nog eens.")


def _page_url(school_id: int, anchor: str = "") -> str:
    url = reverse("instruments:school_direction", kwargs={"school_id": school_id})
    return f"{url}#{anchor}" if anchor else url


def _theme_form(years: list[int], theme: Theme | None = None, *args, **kwargs) -> ThemeForm:
    if theme is not None and theme.school_year not in years:
        years = sorted({*years, theme.school_year})  # a theme kept from an earlier year keeps its own
    return ThemeForm(*args, years=years, **kwargs)


def _edit_form(theme: Theme, data=None) -> ThemeForm:
    """A theme's edit form; its ids carry the theme's, apart from the add form's."""
    initial = {
        "name": theme.name,
        "school_year": theme.school_year,
        "starts_on": theme.starts_on,
        "ends_on": theme.ends_on,
        "version": theme.version,
    }
    years = selectors.direction_years()
    return _theme_form(years, theme, data, initial=initial, auto_id=f"theme-{theme.pk}-%s")


def _context(request: AppRequest, school, **extra) -> dict:
    direction = selectors.school_direction(school=school)

    def ambition_form() -> AmbitionForm:
        ambition = direction.ambition
        return AmbitionForm(
            initial={"text": ambition.text, "version": ambition.version} if ambition else {"version": 0}
        )

    context = {
        "school": school,
        "direction": direction,
        # Built only where the page or the partial shows it: the themes do without the ambition.
        "ambition_form": SimpleLazyObject(ambition_form),
        "theme_form": _theme_form(selectors.direction_years(), prefix=THEME_PREFIX),
        "editing_id": None,
        "edit_form": None,
        "deleting_id": None,
        "gone": False,
        "notice": None,
        "conflict_on": None,  # which form an edit conflict's box belongs in: "ambition" or a theme's id
    }
    context.update(extra)
    return context


def _answer(request: AppRequest, school, section: str, *, status: int = 200, notice: str = "", **extra):
    """A section after a change (htmx) or the page (no JavaScript: a redirect with the notice when
    it worked, the page with the form and its messages when it did not)."""
    if status == 200 and not wants_fragment(request):
        if notice:
            messages.success(request, notice)
        return redirect(_page_url(school.pk, section))
    context = _context(request, school, notice=(section, notice) if notice else None, **extra)
    return render(request, f"{PAGE}#{section}" if wants_fragment(request) else PAGE, context, status=status)


def _school(request: AppRequest, school_id: int):
    return school_selectors.school_get(access=request.access, school_id=school_id)


@requires(Capability.SCHOOL_SET_DIRECTION)
@require_GET
def school_direction(request: AppRequest, school_id: int):
    """The school's ambition and its themes of this school year and the next, each to change."""
    return render(request, PAGE, _context(request, _school(request, school_id)))


@requires(Capability.SCHOOL_SET_DIRECTION)
@require_POST
@vary_on_headers("HX-Request")
def ambition_save(request: AppRequest, school_id: int):
    """Save the ambition; refused with both texts (409) when someone saved another one since the
    form was drawn."""
    school = _school(request, school_id)
    form = AmbitionForm(request.POST)
    if form.is_valid():
        try:
            if form.cleaned_data["version"] is None:
                raise ValidationError(MISSING_VERSION)
            services.ambition_set(
                school_id=school.pk,
                user=request.user,
                text=form.cleaned_data["text"],
                version=form.cleaned_data["version"],
            )
            return _answer(request, school, "ambition", notice=_("De ambitie is opgeslagen."))
        except EditConflict as conflict:
            return edit_conflict_response(
                request,
                conflict,
                form=form,
                page=PAGE,
                fragment=f"{PAGE}#ambition",
                context=_context(request, school, ambition_form=form, conflict_on="ambition"),
                title=_("Iemand anders heeft de ambitie intussen opgeslagen"),
            )
        except ValidationError as error:
            add_service_errors(form, error)
    return _answer(request, school, "ambition", status=422, ambition_form=form)


@requires(Capability.SCHOOL_SET_DIRECTION)
@require_POST
@vary_on_headers("HX-Request")
def theme_add(request: AppRequest, school_id: int):
    """Add a theme to this school year or the next; refused on the form when it does not fit."""
    school = _school(request, school_id)
    form = _theme_form(selectors.direction_years(), None, request.POST, prefix=THEME_PREFIX)
    if form.is_valid():
        try:
            theme = services.theme_add(school_id=school.pk, user=request.user, **form.values())
            notice = _("Het thema ‘%(name)s’ is toegevoegd.") % {"name": theme.name}
            return _answer(request, school, "themes", notice=notice)
        except ValidationError as error:
            add_service_errors(form, error)
    return _answer(request, school, "themes", status=422, theme_form=form)


def _gone(request: AppRequest, school, *, typed: dict | None = None) -> HttpResponse:
    """The theme is not there: the page (or its themes) says so; what was typed waits in the form
    that adds a theme."""
    extra = {"gone": True}
    if typed:
        extra["theme_form"] = _theme_form(selectors.direction_years(), None, initial=typed, prefix=THEME_PREFIX)
    return gone_response(
        request, page=PAGE, fragment=f"{PAGE}#themes", context=_context(request, school, **extra), target="#themes"
    )


def _typed(request: AppRequest) -> dict:
    return {name: request.POST.get(name, "") for name in ("name", "school_year", "starts_on", "ends_on")}


@requires(Capability.SCHOOL_SET_DIRECTION)
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def theme_edit(request: AppRequest, school_id: int, theme_id: int):
    """A theme's edit form (GET: in its place with htmx, the page with it open without) and its
    save (POST); refused with both versions (409) when someone changed it since the form was
    drawn."""
    school = _school(request, school_id)
    try:
        theme = selectors.theme_get(school=school, theme_id=theme_id)
    except Theme.DoesNotExist:
        return _gone(request, school, typed=_typed(request) if request.method == "POST" else None)
    if request.method == "GET":
        form = _edit_form(theme)
        if wants_fragment(request):
            return render(request, f"{PAGE}#theme-edit", {"school": school, "theme": theme, "edit_form": form})
        return render(request, PAGE, _context(request, school, editing_id=theme.pk, edit_form=form))
    form = _edit_form(theme, request.POST)
    if form.is_valid():
        try:
            if form.cleaned_data["version"] is None:
                raise ValidationError(MISSING_VERSION)
            saved = services.theme_update(
                theme=theme, user=request.user, version=form.cleaned_data["version"], **form.values()
            )
            notice = _("Het thema ‘%(name)s’ is opgeslagen.") % {"name": saved.name}
            return _answer(request, school, "themes", notice=notice)
        except Theme.DoesNotExist:
            return _gone(request, school, typed=_typed(request))
        except EditConflict as conflict:
            return edit_conflict_response(
                request,
                conflict,
                form=form,
                page=PAGE,
                fragment=f"{PAGE}#themes",
                context=_context(request, school, editing_id=theme.pk, edit_form=form, conflict_on=theme.pk),
                title=_("Iemand anders heeft dit thema intussen veranderd"),
            )
        except ValidationError as error:
            add_service_errors(form, error)
    return _answer(request, school, "themes", status=422, editing_id=theme.pk, edit_form=form)


@requires(Capability.SCHOOL_SET_DIRECTION)
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def theme_delete(request: AppRequest, school_id: int, theme_id: int):
    """Delete a theme. GET asks first (in the theme's place with htmx, the page with the question
    open without); POST deletes."""
    school = _school(request, school_id)
    try:
        theme = selectors.theme_get(school=school, theme_id=theme_id)
        if request.method == "POST":
            services.theme_delete(theme=theme)
            notice = _("Het thema ‘%(name)s’ is verwijderd.") % {"name": theme.name}
            return _answer(request, school, "themes", notice=notice)
    except Theme.DoesNotExist:
        return _gone(request, school)
    if wants_fragment(request):
        return render(request, f"{PAGE}#theme-delete", {"school": school, "theme": theme})
    return render(request, PAGE, _context(request, school, deleting_id=theme.pk))
