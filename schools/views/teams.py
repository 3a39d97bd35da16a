"""A school's teams: the list and a team's page for everyone who may see them, and for who runs
the school's people (SCHOOL_MANAGE_PEOPLE) the writes: make a team, rename, archive, restore,
delete one without history, and put people in a team, take them out, or move them to another.

Access: the middleware checks the view's capability against the school in the URL (another
school: 404; a weaker role inside the school, a teacher: 403); a team is then looked up within
that school only (`access_team_by_id`, `access_team_to_manage`). The members' changes are htmx
swaps of the members' section; without JavaScript the same forms post and come back to the page.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from leerkracht.access import requires
from leerkracht.http import AppRequest, add_service_errors, redirect_after, wants_fragment
from leerkracht.roles import Capability
from schools import selectors
from schools.access import access_team_by_id, access_team_to_manage, people_manageable, team_editable
from schools.forms import TeamMemberMoveForm, TeamNameForm, TeamPersonForm
from schools.models import Team
from schools.services import teams as services
from schools.views import _remember_school
from schools.views.staff import post_only

LIST_PAGE = "schools/team_list.html"
DETAIL_PAGE = "schools/team_detail.html"
MEMBERS = "team-members"  # the members' section: its element id and its partial's name


def _detail_url(team: Team, anchor: str = "") -> str:
    url = reverse("schools:team_detail", kwargs={"school_id": team.school_id, "team_id": team.pk})
    return f"{url}#{anchor}" if anchor else url


def _list_url(school_id: int) -> str:
    return reverse("schools:team_list", kwargs={"school_id": school_id})


# --- The list ------------------------------------------------------------------------------------


def _list_context(request: AppRequest, school_id: int, *, query: str = "", **extra) -> dict:
    access = request.access
    teams = selectors.team_list(access=access, school_id=school_id, query=query)
    can_manage = people_manageable(access, school_id=school_id)
    context = {
        "school": selectors.school_get(access=access, school_id=school_id),
        "teams": [team for team in teams if team.archived_at is None],
        "archived_teams": [team for team in teams if team.archived_at is not None],
        "found": len(teams),
        "query": query,
        "can_manage": can_manage,
        "create_form": TeamNameForm(auto_id="create-%s") if can_manage else None,
    }
    context.update(extra)
    return context


@requires(Capability.TEAM_VIEW)
@require_GET
@vary_on_headers("HX-Request")
def team_list(request: AppRequest, school_id: int):
    """The school's teams (a teacher: their own), searchable, the archived ones apart; for who
    runs the school's teams, the form to make one. htmx swaps only the results."""
    _remember_school(request, school_id)
    context = _list_context(request, school_id, query=request.GET.get("q", "")[:100])
    template = f"{LIST_PAGE}#team-results" if wants_fragment(request) else LIST_PAGE
    return render(request, template, context)


@requires(Capability.SCHOOL_MANAGE_PEOPLE)
@require_http_methods(["GET", "POST"])
def team_create(request: AppRequest, school_id: int):
    """Make a team; on to its page to put people in it. A refusal (no name, a name already used)
    comes back on the list's form with what was typed."""
    if request.method != "POST":
        return post_only()
    school = selectors.school_get(access=request.access, school_id=school_id)
    form = TeamNameForm(request.POST, auto_id="create-%s")
    if form.is_valid():
        try:
            team = services.team_create(school=school, name=form.cleaned_data["name"], created_by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Team ‘%(team)s’ is gemaakt. Zet er nu mensen in.") % {"team": team.name})
            return redirect_after(request, _detail_url(team))
    context = _list_context(request, school_id, create_form=form)
    template = f"{LIST_PAGE}#team-create" if wants_fragment(request) else LIST_PAGE
    return render(request, template, context, status=422)


# --- A team's page -------------------------------------------------------------------------------


def _detail_context(request: AppRequest, team: Team, **extra) -> dict:
    """What a team's page shows; for who runs the school's teams also the forms that change it.
    Forms passed in `extra` (bound, with their messages) replace the empty ones."""
    access = request.access
    school_id = team.school_id
    members = selectors.team_members(access=access, team=team)
    can_manage = people_manageable(access, school_id=school_id)
    context = {
        "school": team.school,
        "team": team,
        "members": members,
        "can_edit": team_editable(access, school_id=school_id, team_id=team.pk),
        "can_manage": can_manage,
        "notice": None,
    }
    if can_manage:
        # Asked only where the page shows it (a template calls a callable): not by the partial.
        context["deletable"] = lambda: not selectors.team_has_history(team=team)
        context["rename_form"] = TeamNameForm(initial={"name": team.name}, auto_id="rename-%s")
        context.update(_member_forms(request, team, [membership.user for membership in members]))
    context.update(extra)
    return context


def _member_forms(request: AppRequest, team: Team, member_users: list) -> dict:
    """The empty forms of the members' section: whom to add (nobody to an archived team), whom
    to move where."""
    access = request.access
    forms = {"add_form": None, "move_form": None}
    if team.archived_at is None:
        candidates = selectors.team_member_candidates(access=access, team=team)
        forms["add_form"] = TeamPersonForm(people=candidates, auto_id="add-%s")
    if member_users:
        targets = [t for t in selectors.school_teams(access=access, school_id=team.school_id) if t.pk != team.pk]
        forms["move_form"] = TeamMemberMoveForm(people=member_users, teams=targets, auto_id="move-%s")
    return forms


@requires(Capability.TEAM_VIEW)
@require_GET
@vary_on_headers("HX-Request")
def team_detail(request: AppRequest, school_id: int, team_id: int):
    """A team: its board, its members; for who runs the school's teams, the ways to change it."""
    team = access_team_by_id(request.access, school_id=school_id, team_id=team_id, capability=Capability.TEAM_VIEW)
    _remember_school(request, school_id)
    context = _detail_context(request, team)
    template = f"{DETAIL_PAGE}#{MEMBERS}" if wants_fragment(request) else DETAIL_PAGE
    return render(request, template, context)


def _answer(request: AppRequest, team: Team, *, notice: str = "", status: int = 200, section: str = MEMBERS, **extra):
    """After a change: htmx gets the members' section again (with the notice, or the form and its
    messages); a plain form post a redirect back with the notice, or the page with the form."""
    if status == 200 and not wants_fragment(request):
        if notice:
            messages.success(request, notice)
        return redirect(_detail_url(team, section))
    context = _detail_context(request, team, notice=notice or None, **extra)
    template = f"{DETAIL_PAGE}#{MEMBERS}" if wants_fragment(request) and section == MEMBERS else DETAIL_PAGE
    return render(request, template, context, status=status)


def _refused(request: AppRequest, team: Team, error: ValidationError):
    """A refused archive, restore or delete: the page again, saying why (these are plain posts)."""
    for message in error.messages:
        messages.error(request, message)
    return redirect_after(request, _detail_url(team))


@requires(Capability.SCHOOL_MANAGE_PEOPLE)
@require_http_methods(["GET", "POST"])
def team_rename(request: AppRequest, school_id: int, team_id: int):
    """Give the team another name; refused on the form (empty, used by another team) with what
    was typed."""
    team = access_team_to_manage(request.access, school_id=school_id, team_id=team_id)
    if request.method != "POST":
        return post_only()
    form = TeamNameForm(request.POST, auto_id="rename-%s")
    if form.is_valid():
        try:
            old = team.name
            team = services.team_rename(team=team, name=form.cleaned_data["name"], renamed_by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            notice = _("Team ‘%(old)s’ heet nu ‘%(team)s’.") % {"old": old, "team": team.name}
            messages.success(request, notice)
            return redirect_after(request, _detail_url(team))
    return render(request, DETAIL_PAGE, _detail_context(request, team, rename_form=form), status=422)


@requires(Capability.SCHOOL_MANAGE_PEOPLE)
@require_http_methods(["GET", "POST"])
def team_archive(request: AppRequest, school_id: int, team_id: int):
    """Archive the team: its board and history stay readable; it takes no new members."""
    team = access_team_to_manage(request.access, school_id=school_id, team_id=team_id)
    if request.method != "POST":
        return post_only()
    try:
        team = services.team_archive(team=team, archived_by=request.user)
    except ValidationError as error:
        return _refused(request, team, error)
    messages.success(
        request,
        _("Team ‘%(team)s’ is gearchiveerd. Het bord en de geschiedenis blijven te lezen.") % {"team": team.name},
    )
    return redirect_after(request, _detail_url(team))


@requires(Capability.SCHOOL_MANAGE_PEOPLE)
@require_http_methods(["GET", "POST"])
def team_restore(request: AppRequest, school_id: int, team_id: int):
    """Take the team out of the archive."""
    team = access_team_to_manage(request.access, school_id=school_id, team_id=team_id)
    if request.method != "POST":
        return post_only()
    try:
        team = services.team_restore(team=team, restored_by=request.user)
    except ValidationError as error:
        return _refused(request, team, error)
    messages.success(request, _("Team ‘%(team)s’ is teruggezet uit het archief.") % {"team": team.name})
    return redirect_after(request, _detail_url(team))


@requires(Capability.SCHOOL_MANAGE_PEOPLE)
@require_http_methods(["GET", "POST"])
def team_delete(request: AppRequest, school_id: int, team_id: int):
    """Delete a team without history (no board, nothing recorded); one with history is only
    archived, and the refusal says so."""
    team = access_team_to_manage(request.access, school_id=school_id, team_id=team_id)
    if request.method != "POST":
        return post_only()
    name = team.name
    try:
        services.team_delete(team=team, deleted_by=request.user)
    except ValidationError as error:
        return _refused(request, team, error)
    messages.success(request, _("Team ‘%(team)s’ is verwijderd.") % {"team": name})
    return redirect_after(request, _list_url(school_id))


# --- Its members ---------------------------------------------------------------------------------


@requires(Capability.SCHOOL_MANAGE_PEOPLE)
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def team_member_add(request: AppRequest, school_id: int, team_id: int):
    """Put a person of the school in the team (they become a teacher of the school if they were
    not); a person may be in several teams."""
    access = request.access
    team = access_team_to_manage(access, school_id=school_id, team_id=team_id)
    if request.method != "POST":
        return post_only()
    candidates = selectors.team_member_candidates(access=access, team=team)
    form = TeamPersonForm(request.POST, people=candidates, auto_id="add-%s")
    if form.is_valid():
        user = form.chosen_user()
        try:
            services.team_member_add(team=team, user=user, added_by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            notice = _("%(name)s zit nu in team ‘%(team)s’.") % {"name": user.full_name, "team": team.name}
            return _answer(request, team, notice=notice)
    return _answer(request, team, status=422, add_form=form)


@requires(Capability.SCHOOL_MANAGE_PEOPLE)
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def team_member_remove(request: AppRequest, school_id: int, team_id: int):
    """Take a person out of the team; they stay in the school with their roles."""
    access = request.access
    team = access_team_to_manage(access, school_id=school_id, team_id=team_id)
    if request.method != "POST":
        return post_only()
    form = TeamPersonForm(request.POST, people=selectors.team_member_users(access=access, team=team))
    if form.is_valid():
        user = form.chosen_user()
        try:
            services.team_member_remove(team=team, user=user, removed_by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            notice = _("%(name)s is uit team ‘%(team)s’ gehaald.") % {"name": user.full_name, "team": team.name}
            return _answer(request, team, notice=notice)
    return _answer(request, team, status=422, remove_errors=[e for errors in form.errors.values() for e in errors])


@requires(Capability.SCHOOL_MANAGE_PEOPLE)
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def team_member_move(request: AppRequest, school_id: int, team_id: int):
    """Move a member of this team to another team of the school: one action, they leave this team
    and join the other."""
    access = request.access
    team = access_team_to_manage(access, school_id=school_id, team_id=team_id)
    if request.method != "POST":
        return post_only()
    member_users = list(selectors.team_member_users(access=access, team=team))
    targets = [t for t in selectors.school_teams(access=access, school_id=school_id) if t.pk != team.pk]
    form = TeamMemberMoveForm(request.POST, people=member_users, teams=targets, auto_id="move-%s")
    if form.is_valid():
        user, target = form.chosen_user(), form.chosen_team()
        try:
            services.team_member_move(from_team=team, to_team=target, user=user, moved_by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            notice = _("%(name)s is verplaatst van ‘%(team)s’ naar ‘%(other)s’.") % {
                "name": user.full_name,
                "team": team.name,
                "other": target.name,
            }
            return _answer(request, team, notice=notice)
    return _answer(request, team, status=422, move_form=form)
