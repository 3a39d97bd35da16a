"""Pages of the lesson design (gezamenlijk lesontwerp): the school's library, one design, making
and editing one, and the small changes on it (status, evaluation, copy, share) as htmx swaps
that also work as plain forms (POST, then redirect).

Access: the middleware checks the route's capability against the school in the URL (TEAM_VIEW
to read, TEAM_EDIT to write); the design itself comes only through `access_lesson_design_by_id`
(404 for missing, foreign and unreadable alike; 403 for readable but not editable).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from instruments.access import access_lesson_design_by_id, lesson_design_editable, lesson_designs_creatable
from instruments.forms.lesson_design import EvaluationForm, LessonDesignForm, LibraryForm, StatusForm, TeamForm
from instruments.models import DesignStatus
from instruments.selectors import groups as group_selectors
from instruments.selectors import lesson_design as selectors
from instruments.services import lesson_design as services
from leerkracht.access import requires
from leerkracht.conflicts import EditConflict
from leerkracht.http import AppRequest, add_service_errors, edit_conflict_response, redirect_after, wants_fragment
from leerkracht.roles import Capability
from schools import selectors as school_selectors

LIBRARY = "instruments/lesson_design_library.html"
DETAIL = "instruments/lesson_design_detail.html"
FORM = "instruments/lesson_design_form.html"

MISSING_VERSION = gettext_lazy(
    "Dit formulier is onvolledig verstuurd. Open het lesontwerp opnieuw en probeer het nog eens."
)


def _detail_url(design, anchor: str = "") -> str:
    url = reverse("instruments:lesson_design_detail", kwargs={"school_id": design.school_id, "design_id": design.pk})
    return f"{url}#{anchor}" if anchor else url


# --- The library -----------------------------------------------------------------------------------


@requires(Capability.TEAM_VIEW)
@require_GET
@vary_on_headers("HX-Request")
def lesson_design_library(request: AppRequest, school_id: int):
    """The school's lesson designs this person may read: search and filters as a GET form; htmx
    swaps only the results as they type or choose."""
    access = request.access
    values = LibraryForm(request.GET).cleaned()
    filters = selectors.LibraryFilters(
        q=(values.get("q") or "").strip(),
        subject=values.get("vak") or "",
        group=values.get("groep"),
        goal=values.get("doel"),
        technique=values.get("techniek") or "",
        author=values.get("auteur"),
        status=values.get("status") or "",
        team=values.get("team"),
    )
    page = selectors.lesson_design_library(
        access=access, school_id=school_id, filters=filters, page=values.get("pagina") or 1
    )
    kept = {k: v for k, v in request.GET.items() if k != "pagina" and v}
    context = {
        "school_id": school_id,
        "page": page,
        "filters": filters,
        "query_string": urlencode(kept),
    }
    if wants_fragment(request):
        return render(request, f"{LIBRARY}#design-results", context)
    context.update(
        school=school_selectors.school_get(access=access, school_id=school_id),
        choices=selectors.library_choices(access=access, school_id=school_id),
        can_create=lesson_designs_creatable(access, school_id=school_id),
    )
    return render(request, LIBRARY, context)


# --- Making and editing -----------------------------------------------------------------------------


def _form_context(*, school, form, design=None, **extra) -> dict:
    return {
        "school": school,
        "school_id": school.pk,
        "form": form,
        "design": design,
        "groups": group_selectors.pupil_groups(school_id=school.pk),
        **extra,
    }


def _form_page(request: AppRequest, *, school, form, design=None, status: int = 200, **extra) -> HttpResponse:
    context = _form_context(school=school, form=form, design=design, **extra)
    template = f"{FORM}#design-form" if wants_fragment(request) else FORM
    return render(request, template, context, status=status)


def _goal_of(goals, goal_id):
    return next((g for g in goals if g.pk == goal_id), None) if goal_id else None


@requires(Capability.TEAM_EDIT)
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def lesson_design_create(request: AppRequest, school_id: int):
    """Start a lesson design: GET the form, POST to make it (then its page), or 422 with what was
    typed and a message per field."""
    access = request.access
    school = school_selectors.school_get(access=access, school_id=school_id)
    teams = selectors.design_teams(access=access, school_id=school_id)
    goals = selectors.open_team_goals(team_ids=[t.pk for t in teams])
    form = LessonDesignForm(
        request.POST if request.method == "POST" else None,
        teams=teams,
        goals=goals,
        colleagues=selectors.school_colleagues(access=access, school_id=school_id),
        always_author=request.user,
    )
    if request.method == "GET":
        return _form_page(request, school=school, form=form, teams=teams)
    if not teams:
        raise PermissionDenied  # a teacher of the school without a team has no team to design for
    if form.is_valid():
        values = form.values()
        try:
            design = services.lesson_design_create(
                team=form.chosen_team(teams),
                user=request.user,
                **{**values, "goal": _goal_of(goals, values["goal"])},
            )
            return redirect_after(request, _detail_url(design))
        except ValidationError as error:
            add_service_errors(form, error)
    return _form_page(request, school=school, form=form, teams=teams, status=422)


def _initial(design, *, author_ids, techniques) -> dict:
    return {
        "title": design.title,
        "subject": design.subject,
        "group": design.group.name,
        "planned_on": design.planned_on,
        "lesson_goal": design.lesson_goal,
        "success_criteria": design.success_criteria,
        "checks": design.checks,
        "activities": design.activities,
        "goal": design.goal_id,
        "techniques": ", ".join(techniques),
        "authors": author_ids,
        "version": design.version,
    }


@requires(Capability.TEAM_EDIT)
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def lesson_design_edit(request: AppRequest, school_id: int, design_id: int):
    """Edit a design. The form carries the version it started from: if a colleague saved in the
    meantime, nothing is written and the answer (409) shows their values next to the typed ones,
    which stay in the form."""
    access = request.access
    design = access_lesson_design_by_id(access, school_id=school_id, design_id=design_id, edit=True)
    goals = selectors.open_team_goals(team_ids=[design.team_id])
    if design.goal_id and design.goal_id not in {g.pk for g in goals}:
        goals.append(design.goal)  # the goal it was made for, from a cycle closed since
    authors = selectors.lesson_design_authors(design=design)
    colleagues = selectors.school_colleagues(access=access, school_id=school_id)
    # An author who has since left the school stays on the list (and ticked) rather than being
    # dropped unseen by the next save.
    colleagues += [a for a in authors if a.pk not in {c.pk for c in colleagues}]
    creator = next((c for c in colleagues if c.pk == design.created_by_id), None)
    kwargs = {"goals": goals, "colleagues": colleagues, "always_author": creator, "editing": True}
    if request.method == "GET":
        initial = _initial(
            design,
            author_ids=[a.pk for a in authors],
            techniques=selectors.lesson_design_technique_codes(design=design),
        )
        form = LessonDesignForm(initial=initial, **kwargs)
        return _form_page(request, school=design.school, form=form, design=design)
    form = LessonDesignForm(request.POST, **kwargs)
    if form.is_valid():
        values = form.values()
        version = form.cleaned_data.get("version")
        try:
            if version is None:
                raise ValidationError(MISSING_VERSION)
            services.lesson_design_update(
                design_id=design.pk,
                school_id=school_id,
                user=request.user,
                version=version,
                **{**values, "goal": _goal_of(goals, values["goal"])},
            )
            return redirect_after(request, _detail_url(design))
        except EditConflict as conflict:
            context = _form_context(school=design.school, form=form, design=design)
            return edit_conflict_response(
                request,
                conflict,
                form=form,
                page=FORM,
                fragment=f"{FORM}#design-form",
                context=context,
                title=_("Iemand anders heeft dit lesontwerp intussen opgeslagen"),
            )
        except ValidationError as error:
            add_service_errors(form, error)
    return _form_page(request, school=design.school, form=form, design=design, status=422)


# --- One design -----------------------------------------------------------------------------------------


def _detail_context(request: AppRequest, design, **extra) -> dict:
    """What the design's page shows. Built lazily: a partial (the status, the shares) only pays
    for what it renders."""
    access = request.access
    can_edit = lesson_design_editable(request.access, design)

    detail = SimpleLazyObject(lambda: selectors.lesson_design_detail(access=access, design=design))

    def share_teams():
        if not can_edit:
            return []
        shared = {share.team_id for share in detail.shares} | {design.team_id}
        return [t for t in selectors.school_teams(access=access, school_id=design.school_id) if t.pk not in shared]

    context = {
        "school": design.school,
        "school_id": design.school_id,
        "design": design,
        "detail": detail,
        "can_edit": can_edit,
        "copy_teams": SimpleLazyObject(lambda: selectors.design_teams(access=access, school_id=design.school_id)),
        "share_teams": SimpleLazyObject(share_teams),
        "statuses": DesignStatus.choices,
        "min_authors": design.MIN_AUTHORS,
    }
    if can_edit and "evaluation_form" not in extra:
        context["evaluation_form"] = EvaluationForm(
            initial={
                "goal_reached": design.goal_reached,
                "evaluation": design.evaluation,
                "next_step": design.next_step,
            }
        )
    context.update(extra)
    return context


def _answer(request: AppRequest, design, section: str, *, status: int = 200, **extra) -> HttpResponse:
    """A change answered with the section it changed (htmx), or for a plain form the design's
    page: a redirect when it worked, the page with the message when it did not."""
    if wants_fragment(request):
        return render(request, f"{DETAIL}#{section}", _detail_context(request, design, **extra), status=status)
    if status == 200:
        return redirect(_detail_url(design, section))
    return render(request, DETAIL, _detail_context(request, design, **extra), status=status)


@requires(Capability.TEAM_VIEW)
@require_GET
def lesson_design_detail(request: AppRequest, school_id: int, design_id: int):
    """Everything of one design: the lesson, its authors, who it is shared with, its status and
    evaluation; for who may, the buttons to move it on, copy and share it."""
    design = access_lesson_design_by_id(request.access, school_id=school_id, design_id=design_id)
    return render(request, DETAIL, _detail_context(request, design))


@requires(Capability.TEAM_EDIT)
@require_POST
def lesson_design_status(request: AppRequest, school_id: int, design_id: int):
    """Move the design one step (draft → ready → given; ready back to draft)."""
    design = access_lesson_design_by_id(request.access, school_id=school_id, design_id=design_id, edit=True)
    form = StatusForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Kies een status: concept, klaar, gegeven of geëvalueerd."))
        services.lesson_design_status_set(design=design, user=request.user, status=form.cleaned_data["status"])
    except ValidationError as error:
        return _answer(request, design, "design-status", status=422, status_error=" ".join(error.messages))
    return _answer(request, design, "design-status")


@requires(Capability.TEAM_EDIT)
@require_POST
def lesson_design_evaluate(request: AppRequest, school_id: int, design_id: int):
    """Record the evaluation of a given lesson; it becomes evaluated."""
    design = access_lesson_design_by_id(request.access, school_id=school_id, design_id=design_id, edit=True)
    form = EvaluationForm(request.POST)
    if form.is_valid():
        try:
            services.lesson_design_evaluate(design=design, user=request.user, **form.cleaned_data)
            return _answer(request, design, "design-status")
        except ValidationError as error:
            add_service_errors(form, error)
    return _answer(request, design, "design-status", status=422, evaluation_form=form, evaluation_open=True)


@requires(Capability.TEAM_EDIT)
@require_POST
def lesson_design_copy(request: AppRequest, school_id: int, design_id: int):
    """Copy a design this person may read into a new draft of their team; then edit the copy."""
    access = request.access
    design = access_lesson_design_by_id(access, school_id=school_id, design_id=design_id)
    teams = selectors.design_teams(access=access, school_id=school_id)
    if not teams:
        raise PermissionDenied  # no team of their own to copy it to
    data = request.POST.copy()
    if len(teams) == 1 and not data.get("team"):
        data["team"] = str(teams[0].pk)
    form = TeamForm(data, teams=teams)
    if not form.is_valid():
        return _answer(request, design, "design-reuse", status=422, copy_form=form)
    copy = services.lesson_design_copy(design=design, user=request.user, team=form.chosen())
    return redirect_after(
        request,
        reverse("instruments:lesson_design_edit", kwargs={"school_id": school_id, "design_id": copy.pk}),
    )


def _share_change(request: AppRequest, school_id: int, design_id: int, change) -> HttpResponse:
    access = request.access
    design = access_lesson_design_by_id(access, school_id=school_id, design_id=design_id, edit=True)
    teams = selectors.school_teams(access=access, school_id=school_id)
    form = TeamForm(request.POST, teams=teams)
    if form.is_valid():
        try:
            change(design=design, user=request.user, team=form.chosen())
            return _answer(request, design, "design-shares")
        except ValidationError as error:
            add_service_errors(form, error)
    return _answer(request, design, "design-shares", status=422, share_form=form)


@requires(Capability.TEAM_EDIT)
@require_POST
def lesson_design_share(request: AppRequest, school_id: int, design_id: int):
    """Share the design with another team of the school (read and copy)."""
    return _share_change(request, school_id, design_id, services.lesson_design_share)


@requires(Capability.TEAM_EDIT)
@require_POST
def lesson_design_unshare(request: AppRequest, school_id: int, design_id: int):
    """Stop sharing the design with a team."""
    return _share_change(request, school_id, design_id, services.lesson_design_unshare)
