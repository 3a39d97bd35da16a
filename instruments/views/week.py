""" "Mijn week": what a teacher (or anyone who works in a school) has to do this week, in one page,
and the two quick actions it offers in place: an action to done, a visit held.

Access is decided before these run (leerkracht.middleware); the page reads only the person's
own things (instruments/selectors/week.py) and the sections apps above register
(instruments/week.py).
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from instruments import week as registry
from instruments.models import ActionStatus
from instruments.navigation import my_week_school_ids, my_week_url
from instruments.selectors import week as selectors
from instruments.services import board as board_services
from instruments.services import lesson_visit as visit_services
from leerkracht import clock
from leerkracht.access import NOT_FOUND_MESSAGE, personal, requires
from leerkracht.conflicts import EditConflict
from leerkracht.http import AppRequest, edit_conflict_response, found_or_404, wants_fragment
from leerkracht.roles import Capability
from schools import selectors as school_selectors
from schools.views import SESSION_SCHOOL_KEY

TEMPLATE = "instruments/my_week.html"


class ActionDoneForm(forms.Form):
    """Moving one of my actions to done: the version and the status I saw."""

    version = forms.IntegerField(min_value=1)
    seen_status = forms.ChoiceField(choices=ActionStatus.choices)


def _page_context(request: AppRequest, school_id: int) -> dict:
    access = request.access
    week = clock.this_week()
    actions = selectors.my_actions(access=access, school_id=school_id)
    return {
        "school": school_selectors.school_get(access=access, school_id=school_id),
        "week": week,
        "week_label": clock.week_days_label(week),
        "week_school_ids": my_week_school_ids(access),
        "actions": actions,
        "overdue_count": sum(action.overdue for action in actions),
        "team_weeks": selectors.my_team_weeks(access=access, school_id=school_id),
        "visits": selectors.my_visits(access=access, school_id=school_id),
        "designs": selectors.my_designs(access=access, school_id=school_id),
        "rounds": selectors.my_open_rounds(access=access, school_id=school_id),
        "extra_sections": [
            {"template": section.template, "name": section.name, **section.load(access=access, school_id=school_id)}
            for section in registry.sections()
        ],
        "plans_visits": access.can(Capability.TEAM_EDIT, node_id=school_id),
    }


@requires(Capability.TEAM_VIEW)
@require_GET
def my_week(request: AppRequest, school_id: int):
    """The week of the signed-in person in this school."""
    if request.session.get(SESSION_SCHOOL_KEY) != school_id:
        request.session[SESSION_SCHOOL_KEY] = school_id
    return render(request, TEMPLATE, _page_context(request, school_id))


@personal
@require_GET
def my_week_home(request: AppRequest):
    """ "Mijn week" without a school: the week in the school last opened, else the first school
    this person works in; their schools page for someone who works in none."""
    url = my_week_url(request.access, preferred_school_id=request.session.get(SESSION_SCHOOL_KEY))
    return redirect(url or reverse("schools:my_schools"))


def _section(request: AppRequest, school_id: int, name: str, *, status: int = 200, **extra):
    """The page, or with htmx the section `name` (its {% partialdef %}), as it is now."""
    context = {**_page_context(request, school_id), **extra}
    if wants_fragment(request):
        return render(request, f"{TEMPLATE}#{name}", context, status=status)
    return render(request, TEMPLATE, context, status=status)


@requires(Capability.TEAM_EDIT)
@require_POST
def my_week_action_done(request: AppRequest, school_id: int, action_id: int):
    """Move one of my own actions to done (the board's `action_move`): it leaves the list. A
    colleague who moved it meanwhile to another status: 409 with both, as on the board."""
    action = found_or_404(selectors.my_action_get, access=request.access, school_id=school_id, action_id=action_id)
    form = ActionDoneForm(request.POST)
    if not form.is_valid():
        return _section(
            request,
            school_id,
            "my-actions",
            status=422,
            action_error=_("Dat lukte niet: laad de pagina opnieuw en probeer het nog eens."),
        )
    try:
        board_services.action_move(
            board=action.board,
            action_id=action.pk,
            user=request.user,
            status=ActionStatus.DONE,
            version=form.cleaned_data["version"],
            seen_status=form.cleaned_data["seen_status"],
        )
    except ObjectDoesNotExist:
        raise Http404(NOT_FOUND_MESSAGE) from None
    except EditConflict as conflict:
        return edit_conflict_response(
            request,
            conflict,
            form=None,
            page=TEMPLATE,
            fragment=f"{TEMPLATE}#my-actions",
            context=_page_context(request, school_id),
            title=_("Iemand anders heeft deze actie intussen verplaatst"),
            note=_("De actie staat hieronder zoals ze nu is. Is ze toch klaar? Zet haar dan opnieuw op klaar."),
        )
    if wants_fragment(request):
        return _section(request, school_id, "my-actions")
    return redirect(reverse("instruments:my_week", kwargs={"school_id": school_id}) + "#my-actions")


@requires(Capability.TEAM_EDIT)
@require_POST
def my_week_visit_held(request: AppRequest, school_id: int, visit_id: int):
    """Say that one of my lesson visits took place (`lesson_visit_mark_held`): it moves on to the
    debriefs to write. 422 with the reason where it cannot (not begun yet, cancelled)."""
    visit = found_or_404(selectors.my_visit_get, access=request.access, school_id=school_id, visit_id=visit_id)
    try:
        visit_services.lesson_visit_mark_held(access=request.access, visit=visit, user=request.user)
    except ValidationError as refused:
        return _section(request, school_id, "my-visits", status=422, visit_error=" ".join(refused.messages))
    if wants_fragment(request):
        return _section(request, school_id, "my-visits")
    return redirect(reverse("instruments:my_week", kwargs={"school_id": school_id}) + "#my-visits")
