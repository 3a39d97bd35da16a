"""Pages of the improvement board. Every small change is an htmx partial swap; without
JavaScript the same forms post and redirect back to the board.

Access: the middleware checks the capability against the school in the URL; the board itself is
fetched through `access_board_by_id` (404 for missing, foreign and out of reach alike); a card
is then looked up on that board only.
"""

from __future__ import annotations

import contextlib

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import reswap, retarget

from instruments.access import access_board_by_id, board_editable, board_kinds_creatable
from instruments.forms.board import (
    BASE_PREFIX,
    ActionForm,
    AttendanceForm,
    BoardCreateForm,
    CycleCloseForm,
    GoalForm,
    MeasurementForm,
    MoodForm,
    MoveForm,
    ObstacleForm,
    ResolveForm,
    RolesForm,
    SessionCloseForm,
    SuccessForm,
)
from instruments.models import ActionStatus, BoardKind, Entity
from instruments.selectors import board as selectors
from instruments.services import board as services
from leerkracht.access import NOT_FOUND_MESSAGE, requires
from leerkracht.clock import week_input_value
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
from schools.access import access_team_by_id, team_editable, teams_editable

TEMPLATE = "instruments/board.html"


def _board(request: AppRequest, school_id: int, board_id: int, *, edit: bool = False):
    capability = Capability.TEAM_EDIT if edit else Capability.TEAM_VIEW
    return access_board_by_id(request.access, school_id=school_id, board_id=board_id, capability=capability)


def _board_url(board, anchor: str = "") -> str:
    url = reverse("instruments:board", kwargs={"school_id": board.school_id, "board_id": board.pk})
    return f"{url}#{anchor}" if anchor else url


def _page_context(request: AppRequest, board, **forms) -> dict:
    page = selectors.board_page(access=request.access, board=board)
    context = {**_board_context(request, board), "page": page, "this_week": _this_week()}
    if context["can_edit"]:
        # Built only if the page renders them: the add forms usually come from the card cache.
        blank = {
            "action_form": lambda: ActionForm(
                board=board, members=page.members, goals=page.goals, cycle=page.cycle, prefix="new"
            ),
            "goal_form": lambda: GoalForm(board=board, themes=page.themes, prefix="new-goal"),
            "obstacle_form": lambda: ObstacleForm(prefix="new-obstacle"),
            "success_form": lambda: SuccessForm(prefix="new-success"),
            "close_form": SessionCloseForm,
        }
        context.update({name: SimpleLazyObject(make) for name, make in blank.items()})
    context.update(forms)
    # A form handed in by a view carries this request's input and errors: render it, never the
    # cached blank one.
    context["bound"] = {name: True for name, form in forms.items() if getattr(form, "is_bound", False)}
    return context


def _board_context(request: AppRequest, board) -> dict:
    """What every board template and partial needs besides its own content."""
    return {
        "board": board,
        "school": board.school,
        "can_edit": board_editable(request.access, board),
        "wording": wording_for(board),
        "history_url": reverse("instruments:history", kwargs={"school_id": board.school_id, "board_id": board.pk}),
        "blank_measurement_form": SimpleLazyObject(_blank_measurement_form),
        "this_week_value": week_input_value(_this_week()),
        # Set by a view answering a card's own form with its errors (that card is not cached).
        "measure_goal_id": None,
        "resolve_id": None,
    }


def _blank_measurement_form() -> MeasurementForm:
    return MeasurementForm(prefix="m", initial={"week": _this_week()})


def _this_week():
    from leerkracht.clock import this_week

    return this_week()


def wording_for(board) -> dict:
    """Pupil-friendly words on a class board; the programme's words elsewhere."""
    if board.kind == BoardKind.CLASS:
        return {
            "successes": _("Dit ging goed!"),
            "goals": _("Onze doelen"),
            "actions": _("Wie doet wat?"),
            "obstacles": _("Hier lopen we tegenaan"),
            "check_in": _("Hoe voel je je vandaag?"),
            "session": _("bordsessie met de klas"),
        }
    return {
        "successes": _("Successen"),
        "goals": _("Doelen en metingen"),
        "actions": _("Acties"),
        "obstacles": _("Knelpunten"),
        "check_in": _("Check-in"),
        "session": _("bordsessie"),
    }


# --- The board ---------------------------------------------------------------------------------


@requires(Capability.TEAM_VIEW)
@require_GET
@vary_on_headers("HX-Request")
def board(request: AppRequest, school_id: int, board_id: int):
    """The board page: this week's session, successes, goals, actions and obstacles."""
    board = _board(request, school_id, board_id)
    return render(request, TEMPLATE, _page_context(request, board))


@requires(Capability.TEAM_VIEW)
@require_http_methods(["GET", "POST"])
def team_board_open(request: AppRequest, school_id: int, team_id: int):
    """The team's board. GET: there if it exists, else a page to start it; POST (who may edit):
    make it from the programme's template, then go there."""
    access = request.access
    team = access_team_by_id(access, school_id=school_id, team_id=team_id, capability=Capability.TEAM_VIEW)
    can_edit = team_editable(access, school_id=school_id, team_id=team.pk)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        board = services.team_board_get_or_create(team=team, user=request.user)
        return redirect_after(request, _board_url(board))
    board = selectors.team_board(team=team)
    if board is not None:
        return redirect(_board_url(board))
    context = {"school": team.school, "team": team, "can_edit": can_edit}
    return render(request, "instruments/team_board_start.html", context)


@requires(Capability.TEAM_VIEW)
@require_http_methods(["GET", "POST"])
def board_list(request: AppRequest, school_id: int):
    """The school's boards this person may see, each with its rhythm (the schoolcoach's view of
    which teams keep their weekly session going): every team, with its last session, attendance
    and mood trend, or "nog geen bord" and a button to start it; then the class and
    organisational boards, and a form for a new one."""
    access = request.access
    teams = school_selectors.team_list(access=access, school_id=school_id)
    boards = selectors.boards_for(access=access, school_id=school_id)
    rhythms = selectors.rhythms_of(boards=boards)
    for listed in boards:
        listed.rhythm = rhythms[listed.pk]
    # An archived team keeps its boards but is offered no new one (team board nor class board).
    editable_teams = teams_editable(access, school_id=school_id, teams=[t for t in teams if t.archived_at is None])
    kinds = board_kinds_creatable(access, school_id=school_id, editable_teams=editable_teams)
    team_rows = _team_rows(teams, boards, editable_teams)
    form = BoardCreateForm(request.POST or None, teams=editable_teams, kinds=kinds)
    status = 200
    if request.method == "POST":
        if not kinds:
            raise PermissionDenied  # a reader of the school (expertcoach, verandercoach) makes no boards
        if form.is_valid():
            team = next((t for t in editable_teams if t.pk == form.cleaned_data["team"]), None)
            try:
                created = services.board_create(
                    school_id=school_id,
                    kind=BoardKind(form.cleaned_data["kind"]),
                    title=form.cleaned_data["title"],
                    user=request.user,
                    team=team,
                )
                return redirect_after(request, _board_url(created))
            except ValidationError as error:
                add_service_errors(form, error)
        status = 422
    context = {
        "school": school_selectors.school_get(access=access, school_id=school_id),
        "boards": [b for b in boards if b.kind != BoardKind.TEAM],
        "team_rows": team_rows,
        "form": form if kinds else None,
    }
    return render(request, "instruments/board_list.html", context, status=status)


def _team_rows(teams, boards, editable_teams) -> list[dict]:
    """Every team this person sees, each with its board and last session, or without one (with
    whether they may start it). An archived team shows its board, marked, but is never offered a
    new one."""
    team_boards = {b.team_id: b for b in boards if b.kind == BoardKind.TEAM}
    last = selectors.last_sessions_of(boards=list(team_boards.values()))
    editable = {t.pk for t in editable_teams}
    rows = []
    for team in teams:
        board = team_boards.get(team.pk)
        if board is None and team.archived_at is not None:
            continue
        rows.append(
            {
                "team": team,
                "board": board,
                "last": last.get(board.pk) if board else None,
                "can_start": board is None and team.pk in editable,
            }
        )
    return rows


def _section(request: AppRequest, board, section: str, *, status: int = 200, **forms) -> HttpResponse:
    """Answer a change with the section it changed (htmx) or the whole board (no JavaScript: a
    redirect when it worked, the page with the form and its errors when it did not)."""
    if wants_fragment(request):
        return render(request, f"{TEMPLATE}#{section}", _page_context(request, board, **forms), status=status)
    if status == 200:
        return redirect(_board_url(board, section))
    return render(request, TEMPLATE, _page_context(request, board, **forms), status=status)


def _create_card(request: AppRequest, board, *, form, create, section: str, form_name: str, values=None):
    """Validate a new card's form, create it through the service and answer with its section (a
    fresh form); or with the form, its errors and what was typed (422)."""
    if form.is_valid():
        try:
            create(board=board, user=request.user, **(values(form) if values else form.cleaned_data))
            return _section(request, board, section)
        except ValidationError as error:
            add_service_errors(form, error)
    return _section(request, board, section, status=422, **{form_name: form})


# --- Goals and measurements --------------------------------------------------------------------


@requires(Capability.TEAM_EDIT)
@require_POST
def goal_create(request: AppRequest, school_id: int, board_id: int):
    board = _board(request, school_id, board_id, edit=True)
    form = GoalForm(request.POST, board=board, themes=selectors.board_themes(board=board), prefix="new-goal")
    return _create_card(
        request,
        board,
        form=form,
        create=services.goal_create,
        section="goals",
        form_name="goal_form",
        values=lambda f: f.values(),
    )


@requires(Capability.TEAM_EDIT)
@require_POST
def measurement_add(request: AppRequest, school_id: int, board_id: int, goal_id: int):
    board = _board(request, school_id, board_id, edit=True)
    goal = found_or_404(selectors.goal_get, board=board, goal_id=goal_id)
    form = MeasurementForm(request.POST, prefix="m")
    if form.is_valid():
        try:
            services.measurement_add(board=board, goal=goal, user=request.user, **form.cleaned_data)
            return _card(request, board, "goal", goal_id=goal.pk)
        except ValidationError as error:
            add_service_errors(form, error)
    if wants_fragment(request):
        return _card(
            request, board, "goal", goal_id=goal.pk, status=422, measurement_form=form, measure_goal_id=goal.pk
        )
    return render(
        request, TEMPLATE, _page_context(request, board, measurement_form=form, measure_goal_id=goal.pk), status=422
    )


@requires(Capability.TEAM_VIEW)
@require_GET
def goal_chart(request: AppRequest, school_id: int, board_id: int, goal_id: int):
    """The goal's progress chart as SVG (its text alternative is on the page next to it)."""
    board = _board(request, school_id, board_id)
    goal = found_or_404(selectors.goal_get, board=board, goal_id=goal_id)
    svg = selectors.goal_chart_svg(goal=goal)
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    patch_cache_control(response, private=True, max_age=300)
    return response


# --- Cards: view, edit (versioned), move ---------------------------------------------------------

CARDS = {
    # kind: (selector, form class, update service, id kwarg, section)
    "goal": (selectors.goal_get, GoalForm, services.goal_update, "goal_id", "goals"),
    "action": (selectors.action_get, ActionForm, services.action_update, "action_id", "actions"),
    "obstacle": (selectors.obstacle_get, ObstacleForm, services.obstacle_update, "obstacle_id", "obstacles"),
    "success": (selectors.success_get, SuccessForm, services.success_update, "success_id", "successes"),
}


def _form_kwargs(board, kind: str) -> dict:
    if kind == "action":
        return {
            "board": board,
            "members": selectors.board_members(board=board),
            "goals": selectors.open_goals(board=board),
        }
    if kind == "goal":
        return {"board": board, "themes": selectors.board_themes(board=board)}
    return {}


def _card(request: AppRequest, board, kind: str, *, status: int = 200, **context) -> HttpResponse:
    """One card (htmx) or the board with that card in view (no JavaScript)."""
    selector, _form, _update, id_kwarg, _section_name = CARDS[kind]
    card = found_or_404(selector, board=board, **{id_kwarg: context.pop(id_kwarg)})
    if not wants_fragment(request):
        return redirect(_board_url(board, f"{kind}-{card.pk}"))
    if kind == "action":
        # An edit may have changed its status, and so its column: answer with all columns.
        return reswap(retarget(_section(request, board, "actions", status=status), "#actions"), "outerHTML")
    ctx = {**_board_context(request, board), kind: card, **context}
    return render(request, f"{TEMPLATE}#{kind}-card", ctx, status=status)


def _edit_context(request: AppRequest, board, kind: str, card, **extra) -> dict:
    return {**_board_context(request, board), "kind": kind, "card": card, **extra}


CARD_PAGE, CARD_FORM = "instruments/card_edit.html", f"{TEMPLATE}#card-form"


def card_edit_view(kind: str):
    selector, form_class, update, id_kwarg, section = CARDS[kind]

    @requires(Capability.TEAM_EDIT)
    @require_http_methods(["GET", "POST"])
    @vary_on_headers("HX-Request")
    def edit(request: AppRequest, school_id: int, board_id: int, **kwargs):
        board = _board(request, school_id, board_id, edit=True)
        card = found_or_404(selector, board=board, **{id_kwarg: kwargs[id_kwarg]})
        # Ids carry the card: several edit forms can be open on one board.
        extra = {**_form_kwargs(board, kind), "auto_id": f"{kind}-{card.pk}-%s"}
        if kind == "action":
            extra["cycle"] = card.cycle  # its weeks are offered for the due week
        status = 200
        if request.method == "GET":
            form = form_class(instance=card, **extra)
            base = form_class(instance=card, prefix=BASE_PREFIX, **extra)
            version = card.version
        else:
            form = form_class(request.POST, instance=card, **extra)
            base = form_class(request.POST, instance=card, prefix=BASE_PREFIX, **extra)
            version = _int(request.POST.get("version"))
            base.is_valid()
            status = 422
            if form.is_valid() and version is not None:
                try:
                    update(
                        board=board,
                        user=request.user,
                        version=version,
                        base=base.values(),
                        values=form.values(),
                        **{id_kwarg: card.pk},
                    )
                    return _card(request, board, kind, **{id_kwarg: card.pk})
                except EditConflict as conflict:
                    # The next save starts from what is saved now: its values become the base.
                    card = found_or_404(selector, board=board, **{id_kwarg: card.pk})
                    base = form_class(instance=card, prefix=BASE_PREFIX, **extra)
                    context = _edit_context(request, board, kind, card, form=form, base_form=base)
                    return edit_conflict_response(
                        request, conflict, form=form, page=CARD_PAGE, fragment=CARD_FORM, context=context
                    )
                except ValidationError as error:
                    add_service_errors(form, error)
        context = _edit_context(request, board, kind, card, form=form, base_form=base, version=version)
        return render(request, CARD_FORM if wants_fragment(request) else CARD_PAGE, context, status=status)

    edit.__name__ = f"{kind}_edit"
    edit.__doc__ = f"Edit a {kind} (GET: the form in place of the card; POST: save, or say what conflicts)."
    return edit


goal_edit = card_edit_view("goal")
action_edit = card_edit_view("action")
obstacle_edit = card_edit_view("obstacle")
success_edit = card_edit_view("success")


def card_view(kind: str):
    selector, _form, _update, id_kwarg, _section_name = CARDS[kind]

    @requires(Capability.TEAM_VIEW)
    @require_GET
    def view(request: AppRequest, school_id: int, board_id: int, **kwargs):
        board = _board(request, school_id, board_id)
        return _card(request, board, kind, **{id_kwarg: kwargs[id_kwarg]})

    view.__name__ = f"{kind}_card"
    view.__doc__ = f"One {kind} card (htmx: after 'cancel' on its edit form)."
    return view


goal_card = card_view("goal")
action_card = card_view("action")
obstacle_card = card_view("obstacle")
success_card = card_view("success")


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@requires(Capability.TEAM_EDIT)
@require_POST
def action_create(request: AppRequest, school_id: int, board_id: int):
    board = _board(request, school_id, board_id, edit=True)
    members, goals = selectors.board_members(board=board), selectors.open_goals(board=board)
    # The cycle is fetched only when the form comes back with its errors.
    cycle = SimpleLazyObject(lambda: selectors.open_cycle(board=board))
    form = ActionForm(request.POST, board=board, members=members, goals=goals, cycle=cycle, prefix="new")
    return _create_card(
        request,
        board,
        form=form,
        create=services.action_create,
        section="actions",
        form_name="action_form",
        values=lambda f: {**f.values(), "status": f.values().get("status") or ActionStatus.TODO},
    )


@requires(Capability.TEAM_EDIT)
@require_POST
def action_move(request: AppRequest, school_id: int, board_id: int, action_id: int):
    """Move an action to to do / doing / done. htmx: the button's form removes the card and the
    answer adds it to the end of its new column (a couple of kilobytes, not the whole section;
    app.js recounts the columns)."""
    board = _board(request, school_id, board_id, edit=True)
    form = MoveForm(request.POST)
    if not form.is_valid():
        found_or_404(selectors.action_get, board=board, action_id=action_id)  # a missing action is 404 first
        response = _section(request, board, "actions", status=422)
        return reswap(retarget(response, "#actions"), "outerHTML") if wants_fragment(request) else response
    try:
        action = services.action_move(board=board, action_id=action_id, user=request.user, **form.cleaned_data)
    except ObjectDoesNotExist:
        raise Http404(NOT_FOUND_MESSAGE) from None
    if not wants_fragment(request):
        return redirect(_board_url(board, f"action-{action.pk}"))
    context = {**_board_context(request, board), "action": action}
    return render(request, f"{TEMPLATE}#action-moved", context)


@requires(Capability.TEAM_EDIT)
@require_POST
def obstacle_create(request: AppRequest, school_id: int, board_id: int):
    board = _board(request, school_id, board_id, edit=True)
    form = ObstacleForm(request.POST, prefix="new-obstacle")
    return _create_card(
        request, board, form=form, create=services.obstacle_create, section="obstacles", form_name="obstacle_form"
    )


@requires(Capability.TEAM_EDIT)
@require_POST
def obstacle_resolve(request: AppRequest, school_id: int, board_id: int, obstacle_id: int):
    board = _board(request, school_id, board_id, edit=True)
    obstacle = found_or_404(selectors.obstacle_get, board=board, obstacle_id=obstacle_id)
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            services.obstacle_resolve(board=board, obstacle_id=obstacle.pk, user=request.user, **form.cleaned_data)
            return _section(request, board, "obstacles")
        except EditConflict as conflict:
            # Only another resolution clashes with this one: the knelpunt has left the parked list
            # (and its form with it), so what was typed survives in the box.
            return edit_conflict_response(
                request,
                conflict,
                form=None,
                page=TEMPLATE,
                fragment=f"{TEMPLATE}#obstacles",
                context=_page_context(request, board, resolve_id=obstacle.pk),
                title=_("Iemand anders heeft dit knelpunt intussen opgelost"),
                note=_("Het knelpunt staat nu bij ‘Onlangs opgelost’, met hun oplossing; jouw tekst staat hierboven."),
            )
        except ValidationError as error:
            add_service_errors(form, error)
    return _section(request, board, "obstacles", status=422, resolve_form=form, resolve_id=obstacle.pk)


@requires(Capability.TEAM_EDIT)
@require_POST
def obstacle_to_action(request: AppRequest, school_id: int, board_id: int, obstacle_id: int):
    """Turn a knelpunt into an action (the action keeps its text; owners and week come after)."""
    board = _board(request, school_id, board_id, edit=True)
    obstacle = found_or_404(selectors.obstacle_get, board=board, obstacle_id=obstacle_id)
    with contextlib.suppress(ValidationError):  # already resolved by a colleague: the fresh board shows it
        services.obstacle_to_action(board=board, obstacle_id=obstacle.pk, user=request.user)
    if wants_fragment(request):
        # Both sections change: the knelpunt leaves, the action arrives.
        return render(request, f"{TEMPLATE}#obstacles-and-actions", _page_context(request, board))
    return redirect(_board_url(board, "actions"))


@requires(Capability.TEAM_EDIT)
@require_POST
def success_create(request: AppRequest, school_id: int, board_id: int):
    board = _board(request, school_id, board_id, edit=True)
    form = SuccessForm(request.POST, prefix="new-success")
    return _create_card(
        request, board, form=form, create=services.success_create, section="successes", form_name="success_form"
    )


# --- The weekly session ---------------------------------------------------------------------------


@requires(Capability.TEAM_EDIT)
@require_POST
def session_start(request: AppRequest, school_id: int, board_id: int):
    board = _board(request, school_id, board_id, edit=True)
    try:
        services.session_start(board=board, user=request.user)
    except ValidationError as error:
        return _section(request, board, "session", status=422, session_error=" ".join(error.messages))
    return _section(request, board, "session")


def _session_change(request: AppRequest, school_id: int, board_id: int, session_id: int, change) -> HttpResponse:
    board = _board(request, school_id, board_id, edit=True)
    session = found_or_404(selectors.session_get, board=board, session_id=session_id)
    try:
        change(board, session)
    except ValidationError as error:
        return _section(request, board, "session", status=422, session_error=" ".join(error.messages))
    return _section(request, board, "session")


@requires(Capability.TEAM_EDIT)
@require_POST
def session_mood(request: AppRequest, school_id: int, board_id: int, session_id: int):
    form = MoodForm(request.POST)

    def change(board, session):
        if not form.is_valid():
            raise ValidationError(_("Kies een van de stemmingen."))
        services.mood_check_in(board=board, session_id=session.pk, user=request.user, mood=form.cleaned_data["mood"])

    return _session_change(request, school_id, board_id, session_id, change)


@requires(Capability.TEAM_EDIT)
@require_POST
def session_attendance(request: AppRequest, school_id: int, board_id: int, session_id: int):
    form = AttendanceForm(request.POST)

    def change(board, session):
        if not form.is_valid():
            raise ValidationError(_("Kies een teamlid."))
        services.attendance_set(
            board=board,
            session_id=session.pk,
            user=request.user,
            member_id=form.cleaned_data["member"],
            present=form.cleaned_data["present"],
        )

    return _session_change(request, school_id, board_id, session_id, change)


@requires(Capability.TEAM_EDIT)
@require_POST
def session_attendance_all(request: AppRequest, school_id: int, board_id: int, session_id: int):
    """ "Iedereen aanwezig": tick every member present in one go."""

    def change(board, session):
        services.attendance_set_all(board=board, session_id=session.pk, user=request.user)

    return _session_change(request, school_id, board_id, session_id, change)


@requires(Capability.TEAM_EDIT)
@require_POST
def session_roles(request: AppRequest, school_id: int, board_id: int, session_id: int):
    def change(board, session):
        form = RolesForm(request.POST, members=selectors.board_members(board=board))
        if not form.is_valid():
            raise ValidationError(_("Kies voor elke rol iemand uit het team."))
        services.session_roles_set(board=board, session_id=session.pk, user=request.user, roles=form.cleaned_data)

    return _session_change(request, school_id, board_id, session_id, change)


@requires(Capability.TEAM_EDIT)
@require_POST
def session_close(request: AppRequest, school_id: int, board_id: int, session_id: int):
    board = _board(request, school_id, board_id, edit=True)
    session = found_or_404(selectors.session_get, board=board, session_id=session_id)
    form = SessionCloseForm(request.POST)
    if form.is_valid():
        try:
            services.session_close(board=board, session_id=session.pk, user=request.user, **form.cleaned_data)
            url = reverse(
                "instruments:session_detail",
                kwargs={"school_id": board.school_id, "board_id": board.pk, "session_id": session.pk},
            )
            return redirect_after(request, url)
        except ValidationError as error:
            add_service_errors(form, error)
    return _section(request, board, "session", status=422, close_form=form)


@requires(Capability.TEAM_VIEW)
@require_GET
def session_list(request: AppRequest, school_id: int, board_id: int):
    """Past weeks: every session held, newest first, and the rhythm."""
    board = _board(request, school_id, board_id)
    context = {
        "board": board,
        "school": board.school,
        "sessions": selectors.session_list(board=board, page=_int(request.GET.get("pagina")) or 1),
        "rhythm": selectors.board_rhythm(board=board),
        "wording": wording_for(board),
    }
    return render(request, "instruments/session_list.html", context)


@requires(Capability.TEAM_VIEW)
@require_GET
def session_detail(request: AppRequest, school_id: int, board_id: int, session_id: int):
    """A session's record: as it was when it closed (its snapshot), or live while it runs."""
    board = _board(request, school_id, board_id)
    session = found_or_404(selectors.session_get, board=board, session_id=session_id)
    context = {
        "board": board,
        "school": board.school,
        "session": session,
        "record": selectors.session_record(session=session),
        "actions_made": selectors.session_actions_made(session=session),
        "wording": wording_for(board),
    }
    return render(request, "instruments/session_detail.html", context)


# --- Cycles ---------------------------------------------------------------------------------------


@requires(Capability.TEAM_EDIT)
@require_http_methods(["GET", "POST"])
def cycle_close(request: AppRequest, school_id: int, board_id: int):
    """The short retrospective that closes a cycle and opens the next."""
    board = _board(request, school_id, board_id, edit=True)
    page = selectors.board_page(access=request.access, board=board)
    open_actions = page.actions[ActionStatus.TODO] + page.actions[ActionStatus.DOING]
    form = CycleCloseForm(request.POST or None, open_actions=open_actions)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.cycle_close(
                    board=board,
                    user=request.user,
                    went_well=data["went_well"],
                    to_change=data["to_change"],
                    goals_reached=data["goals_reached"],
                    next_weeks=data["next_weeks"],
                    carry_over_action_ids=data["carry_over"],
                )
                return redirect_after(request, _board_url(board))
            except ValidationError as error:
                add_service_errors(form, error)
        status = 422
    context = {"board": board, "school": board.school, "page": page, "form": form, "wording": wording_for(board)}
    return render(request, "instruments/cycle_close.html", context, status=status)


# --- Presentation, print, history -----------------------------------------------------------------


@requires(Capability.TEAM_VIEW)
@require_GET
def presentation(request: AppRequest, school_id: int, board_id: int):
    """The board for the classroom screen: large type, high contrast, no editing chrome. It keeps
    itself up to date by asking for its content every few seconds (see presentation_content)."""
    board = _board(request, school_id, board_id)
    context = _page_context(request, board)
    context["can_edit"] = False
    context["etag"] = _presentation_etag(board)
    return render(request, "instruments/presentation.html", context)


def _presentation_etag(board) -> str:
    return f'"board-{board.pk}-{board.revision}"'


@requires(Capability.TEAM_VIEW)
@require_GET
def presentation_content(request: AppRequest, school_id: int, board_id: int):
    """The presentation's content. Polled with If-None-Match: while nothing changed on the board
    the answer is an empty 304 after one query for the board (its revision)."""
    board = _board(request, school_id, board_id)
    etag = _presentation_etag(board)
    # A proxy that compresses the answer may weaken the tag (W/"…"); it still names this revision.
    if etag in [tag.strip().removeprefix("W/") for tag in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponseNotModified()
    else:
        context = _page_context(request, board)
        context["can_edit"] = False
        response = render(request, "instruments/presentation.html#presentation-content", context)
    response["ETag"] = etag
    patch_cache_control(response, private=True, no_cache=True)
    return response


@requires(Capability.TEAM_VIEW)
@require_GET
def board_print(request: AppRequest, school_id: int, board_id: int):
    """The board on one A4 landscape sheet."""
    board = _board(request, school_id, board_id)
    context = _page_context(request, board)
    context["can_edit"] = False
    return render(request, "instruments/print.html", context)


@requires(Capability.TEAM_VIEW)
@require_GET
def board_history(request: AppRequest, school_id: int, board_id: int):
    """Every recorded change on the board (or of one card), newest first. Read only."""
    board = _board(request, school_id, board_id)
    entity = request.GET.get("soort") or None
    if entity not in Entity.values:
        entity = None
    entity_id = _int(request.GET.get("id")) if entity else None
    context = {
        "board": board,
        "school": board.school,
        "events": selectors.board_history(
            board=board, entity=entity, entity_id=entity_id, page=_int(request.GET.get("pagina")) or 1
        ),
        "entity": entity,
        "entity_id": entity_id,
        "entities": Entity.choices,
        "wording": wording_for(board),
    }
    return render(request, "instruments/history.html", context)
