"""The teacher's pages of feedback (stem van de leerling): their rounds, a class's own
criteria, opening a round, its live results and projected view, the QR code, closing; and the
record of a pupil group's input on a goal of the team board.

Access: the middleware checks TEAM_EDIT against the school in the URL; a round is then fetched
through `access_feedback_round_by_id` (only the teacher who opened it; 404 for anyone else), a
group or criterion is looked up within that school only, and a board through `access_board_by_id`.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from instruments import qr
from instruments.access import access_board_by_id, access_feedback_round_by_id
from instruments.forms.feedback import CriterionForm, GroupOpenForm, PupilInputForm, RoundForm
from instruments.selectors import feedback as selectors
from instruments.selectors.groups import pupil_groups
from instruments.services import feedback as services
from instruments.services.groups import pupil_group_get_or_create
from leerkracht.access import requires
from leerkracht.conflicts import EditConflict
from leerkracht.http import (
    AppRequest,
    add_service_errors,
    edit_conflict_response,
    found_or_404,
    redirect_after,
    wants_fragment,
)
from leerkracht.roles import Capability
from schools import selectors as school_selectors

LIST = "instruments/feedback_list.html"
CRITERIA = "instruments/feedback_criteria.html"
CREATE = "instruments/feedback_create.html"
ROUND = "instruments/feedback_round.html"
PROJECTION = "instruments/feedback_projection.html"
PUPIL_INPUT = "instruments/feedback_pupil_input.html"


def _round(request: AppRequest, school_id: int, round_id: int):
    return access_feedback_round_by_id(request.access, school_id=school_id, round_id=round_id)


def short_url(request: AppRequest, feedback_round) -> str:
    """The address pupils type or scan: /s/<code> on this host."""
    return request.build_absolute_uri(reverse("instruments:pupil_short", kwargs={"code": feedback_round.code}))


# --- The teacher's rounds -------------------------------------------------------------------------


def _list_context(request: AppRequest, school_id: int, group_form=None) -> dict:
    access = request.access
    return {
        "school": school_selectors.school_get(access=access, school_id=school_id),
        "rounds": selectors.rounds_of_teacher(access=access, school_id=school_id),
        "groups": selectors.groups_of_teacher(access=access, school_id=school_id),
        "group_names": pupil_groups(school_id=school_id),
        "group_form": group_form or GroupOpenForm(),
    }


@requires(Capability.TEAM_EDIT)
@require_GET
def round_list(request: AppRequest, school_id: int):
    """The teacher's feedback rounds in this school, open ones first, and their classes."""
    return render(request, LIST, _list_context(request, school_id))


@requires(Capability.TEAM_EDIT)
@require_POST
def group_open(request: AppRequest, school_id: int):
    """Go to a class's criteria by its name (made on first use, as everywhere groups are typed)."""
    form = GroupOpenForm(request.POST)
    if form.is_valid():
        try:
            group = pupil_group_get_or_create(school_id=school_id, name=form.cleaned_data["group"])
            return redirect_after(request, _criteria_url(group))
        except ValidationError as error:
            add_service_errors(form, error)
    return render(request, LIST, _list_context(request, school_id, group_form=form), status=422)


# --- A class's own criteria -------------------------------------------------------------------


def _criteria_url(group, anchor: str = "") -> str:
    url = reverse("instruments:feedback_criteria", kwargs={"school_id": group.school_id, "group_id": group.pk})
    return f"{url}#{anchor}" if anchor else url


def _criteria_context(request: AppRequest, group, **extra) -> dict:
    context = {
        "school": group.school,
        "group": group,
        "criteria": selectors.group_criteria(group=group),
        "form": CriterionForm(),
        "editing_id": None,
        "edit_form": None,
        "row_error": None,
        "row_error_id": None,
    }
    context.update(extra)
    return context


def _criteria_answer(request: AppRequest, group, *, status: int = 200, **extra) -> HttpResponse:
    """The criteria section (htmx) or the page (no JavaScript: a redirect when it worked)."""
    if wants_fragment(request):
        return render(request, f"{CRITERIA}#criteria", _criteria_context(request, group, **extra), status=status)
    if status == 200 and request.method == "POST":
        return redirect(_criteria_url(group, "criteria"))
    return render(request, CRITERIA, _criteria_context(request, group, **extra), status=status)


def _group(request: AppRequest, school_id: int, group_id: int):
    group = found_or_404(selectors.group_get, access=request.access, school_id=school_id, group_id=group_id)
    return group


@requires(Capability.TEAM_EDIT)
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def criteria(request: AppRequest, school_id: int, group_id: int):
    """The class's own statements: add (POST), and the list to edit, reorder and archive."""
    group = _group(request, school_id, group_id)
    if request.method == "GET":
        return _criteria_answer(request, group)
    form = CriterionForm(request.POST)
    if form.is_valid():
        try:
            services.feedback_criterion_add(group=group, text=form.cleaned_data["text"])
            return _criteria_answer(request, group)
        except ValidationError as error:
            add_service_errors(form, error)
    return _criteria_answer(request, group, status=422, form=form)


def _criterion(request: AppRequest, school_id: int, group_id: int, criterion_id: int):
    group = _group(request, school_id, group_id)
    return group, found_or_404(selectors.criterion_get, group=group, criterion_id=criterion_id)


@requires(Capability.TEAM_EDIT)
@require_GET
@vary_on_headers("HX-Request")
def criterion(request: AppRequest, school_id: int, group_id: int, criterion_id: int):
    """One statement's edit form: in its place with htmx, the page with it open without."""
    group, item = _criterion(request, school_id, group_id, criterion_id)
    form = CriterionForm(initial={"text": item.text, "version": item.version}, auto_id=f"criterion-{item.pk}-%s")
    if wants_fragment(request):
        context = _criteria_context(request, group, criterion=item, edit_form=form, editing_id=item.pk)
        return render(request, f"{CRITERIA}#criterion-edit", context)
    return render(request, CRITERIA, _criteria_context(request, group, edit_form=form, editing_id=item.pk))


@requires(Capability.TEAM_EDIT)
@require_POST
@vary_on_headers("HX-Request")
def criterion_save(request: AppRequest, school_id: int, group_id: int, criterion_id: int):
    """New words for a statement; refused with both versions (409) when a colleague changed its
    words since this form was drawn."""
    group, item = _criterion(request, school_id, group_id, criterion_id)
    form = CriterionForm(request.POST, auto_id=f"criterion-{item.pk}-%s")
    if form.is_valid():
        try:
            services.feedback_criterion_update(
                criterion=item,
                user=request.user,
                text=form.cleaned_data["text"],
                version=form.cleaned_data["version"],
            )
            return _criteria_answer(request, group)
        except ValidationError as error:
            add_service_errors(form, error)
        except EditConflict as conflict:
            return edit_conflict_response(
                request,
                conflict,
                form=form,
                page=CRITERIA,
                fragment=f"{CRITERIA}#criteria",
                context=_criteria_context(request, group, edit_form=form, editing_id=item.pk),
                title=_("Iemand anders heeft deze uitspraak intussen veranderd"),
            )
    return _criteria_answer(request, group, status=422, edit_form=form, editing_id=item.pk)


def _criterion_change(request: AppRequest, school_id: int, group_id: int, criterion_id: int, change) -> HttpResponse:
    """Apply `change(item)` to one statement and answer the criteria; a refusal is shown on its row."""
    group, item = _criterion(request, school_id, group_id, criterion_id)
    try:
        change(item)
    except ValidationError as error:
        return _criteria_answer(request, group, status=422, row_error=" ".join(error.messages), row_error_id=item.pk)
    return _criteria_answer(request, group)


@requires(Capability.TEAM_EDIT)
@require_POST
@vary_on_headers("HX-Request")
def criterion_up(request: AppRequest, school_id: int, group_id: int, criterion_id: int):
    """Move a statement one place up among the active ones."""
    return _criterion_change(
        request,
        school_id,
        group_id,
        criterion_id,
        lambda item: services.feedback_criterion_move(criterion=item, offset=-1),
    )


@requires(Capability.TEAM_EDIT)
@require_POST
@vary_on_headers("HX-Request")
def criterion_down(request: AppRequest, school_id: int, group_id: int, criterion_id: int):
    """Move a statement one place down among the active ones."""
    return _criterion_change(
        request,
        school_id,
        group_id,
        criterion_id,
        lambda item: services.feedback_criterion_move(criterion=item, offset=1),
    )


@requires(Capability.TEAM_EDIT)
@require_POST
@vary_on_headers("HX-Request")
def criterion_archive(request: AppRequest, school_id: int, group_id: int, criterion_id: int):
    """Archive a statement: out of the list for new rounds, kept for the rounds it was in."""
    return _criterion_change(
        request,
        school_id,
        group_id,
        criterion_id,
        lambda item: services.feedback_criterion_archive(criterion=item, archived=True),
    )


@requires(Capability.TEAM_EDIT)
@require_POST
@vary_on_headers("HX-Request")
def criterion_restore(request: AppRequest, school_id: int, group_id: int, criterion_id: int):
    """Bring an archived statement back, at the end; refused on its row when ten are active."""
    return _criterion_change(
        request,
        school_id,
        group_id,
        criterion_id,
        lambda item: services.feedback_criterion_archive(criterion=item, archived=False),
    )


# --- Opening a round ------------------------------------------------------------------------------


def _create_context(request: AppRequest, school_id: int, form, **extra) -> dict:
    return {
        "school": school_selectors.school_get(access=request.access, school_id=school_id),
        "form": form,
        "group_names": pupil_groups(school_id=school_id),
        "criteria_group": None,
        **extra,
    }


@requires(Capability.TEAM_EDIT)
@require_http_methods(["GET", "POST"])
def round_create(request: AppRequest, school_id: int):
    """Open a round for a class: its own criteria, a closing time and up to three questions."""
    designs = list(selectors.lesson_designs_for(access=request.access, school_id=school_id))
    form = RoundForm(request.POST or None, designs=designs, initial={"group": request.GET.get("groep", "")[:60]})
    if request.method == "GET":
        return render(request, CREATE, _create_context(request, school_id, form))
    criteria_group = None
    if form.is_valid():
        data = form.cleaned_data
        design = next((d for d in designs if d.pk == data["lesson_design"]), None)
        try:
            group = pupil_group_get_or_create(school_id=school_id, name=data["group"])
            created = services.feedback_round_open(
                school_id=school_id,
                teacher=request.user,
                group=group,
                title=data["title"],
                closes_at=data["closes_at"],
                max_tops=data["max_tops"],
                lesson_design=design,
                questions=form.questions(),
            )
            return redirect_after(request, _round_url(created))
        except services.NotEnoughCriteria as error:
            criteria_group = error.group
            add_service_errors(form, error)
        except ValidationError as error:
            add_service_errors(form, error)
    return render(request, CREATE, _create_context(request, school_id, form, criteria_group=criteria_group), status=422)


# --- A round: live results, projection, QR, closing -------------------------------------------------


def _round_url(feedback_round) -> str:
    return reverse(
        "instruments:feedback_round", kwargs={"school_id": feedback_round.school_id, "round_id": feedback_round.pk}
    )


def _seen(counts, *, is_open: bool) -> str:
    """What the poller shows: answers counted, open or closed, and answers on their way if any."""
    seen = f"{counts.moved}-{int(is_open)}"
    return f"{seen}-{counts.pending}" if counts.pending else seen


def _results_context(request: AppRequest, feedback_round, counts=None) -> dict:
    is_open = services.round_is_open(feedback_round)
    if counts is None:
        counts = services.feedback_counts_settled(feedback_round=feedback_round, is_open=is_open)
    results = selectors.round_results(feedback_round=feedback_round, counts=counts)
    return {
        "school": feedback_round.school,
        "round": feedback_round,
        "is_open": is_open,
        "results": results,
        "seen": _seen(counts, is_open=is_open),
        "short_url": short_url(request, feedback_round),
    }


@requires(Capability.TEAM_EDIT)
@require_GET
def round_detail(request: AppRequest, school_id: int, round_id: int):
    """The round's live page: code, QR and short address while open, results as they come in."""
    feedback_round = _round(request, school_id, round_id)
    return render(request, ROUND, _results_context(request, feedback_round))


@requires(Capability.TEAM_EDIT)
@require_GET
@vary_on_headers("HX-Request")
def round_results(request: AppRequest, school_id: int, round_id: int):
    """The results partial, polled every 2 s. `gezien` is what the poller shows (answers counted,
    open or closed, answers on their way): while that is still true the answer is an empty 204
    and htmx swaps nothing, so a screen reader is told only about a real change."""
    feedback_round = _round(request, school_id, round_id)
    if not wants_fragment(request):
        return redirect(_round_url(feedback_round))
    is_open = services.round_is_open(feedback_round)
    counts = services.feedback_counts_settled(feedback_round=feedback_round, is_open=is_open)
    if request.GET.get("gezien") == _seen(counts, is_open=is_open):
        response = HttpResponse(status=204)
    else:
        template = PROJECTION if request.GET.get("weergave") == "projectie" else ROUND
        # The count in the page's live region is updated out of band (see feedback_results.html).
        context = {**_results_context(request, feedback_round, counts=counts), "oob": True}
        response = render(request, f"{template}#results", context)
    patch_cache_control(response, private=True, no_store=True)
    return response


@requires(Capability.TEAM_EDIT)
@require_GET
def round_projection(request: AppRequest, school_id: int, round_id: int):
    """The round for the classroom screen: large type, no controls; while open the code, QR and
    short address; the results with the same thresholds as the teacher's page."""
    feedback_round = _round(request, school_id, round_id)
    return render(request, PROJECTION, _results_context(request, feedback_round))


@requires(Capability.TEAM_EDIT)
@require_GET
def round_qr(request: AppRequest, school_id: int, round_id: int):
    """The QR code of the round's short address, as SVG drawn on the server."""
    feedback_round = _round(request, school_id, round_id)
    svg = qr.qr_svg(
        short_url(request, feedback_round), title=_("QR-code voor %(code)s") % {"code": feedback_round.code}
    )
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    patch_cache_control(response, private=True, max_age=3600)
    return response


@requires(Capability.TEAM_EDIT)
@require_POST
def round_close(request: AppRequest, school_id: int, round_id: int):
    """Close the round now ("Sluiten"): pupils who open it after this see that it closed, and the
    answers still on their way join the results."""
    feedback_round = _round(request, school_id, round_id)
    services.feedback_round_close(feedback_round=feedback_round)
    return redirect_after(request, _round_url(feedback_round))


# --- A pupil group's input on a goal of the team board ---------------------------------------------


@requires(Capability.TEAM_EDIT)
@require_http_methods(["GET", "POST"])
def pupil_input(request: AppRequest, school_id: int, board_id: int, goal_id: int):
    """What pupil groups said about a goal (newest first) and the form to record a new talk; it
    shows on the goal's card at the team's next board session."""
    board = access_board_by_id(request.access, school_id=school_id, board_id=board_id, capability=Capability.TEAM_EDIT)
    goal = found_or_404(selectors.goal_on_board, board=board, goal_id=goal_id)
    form = PupilInputForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.pupil_input_record(
                    board=board,
                    goal=goal,
                    user=request.user,
                    group_name=data["group"],
                    week=data["week"],
                    pupils=data["pupils"],
                    what_helps=data["what_helps"],
                    suggestions=data["suggestions"],
                )
                url = reverse(
                    "instruments:pupil_input", kwargs={"school_id": school_id, "board_id": board.pk, "goal_id": goal.pk}
                )
                return redirect_after(request, f"{url}#inputs")
            except ValidationError as error:
                add_service_errors(form, error)
        status = 422
    context = {
        "school": board.school,
        "board": board,
        "goal": goal,
        "inputs": selectors.pupil_inputs_of_goal(goal=goal),
        "form": form,
        "group_names": pupil_groups(school_id=school_id),
    }
    return render(request, PUPIL_INPUT, context, status=status)
