"""Pages where a school runs its own people: invite one person, import many from a file, the
invitations and their life, the people log, and the invited person's page to come in.

Access is decided before these run (leerkracht.middleware: SCHOOL_MANAGE_PEOPLE or
SCHOOL_VIEW_PEOPLE_LOG for the school in the URL); objects by id go through schools.access.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from leerkracht.access import public, requires
from leerkracht.http import AppRequest, add_service_errors, redirect_after, wants_fragment
from leerkracht.roles import Capability, Role
from schools import selectors
from schools.access import (
    access_people_import_by_id,
    access_school_person_by_id,
    access_staff_invitation_by_id,
    roles_grantable,
)
from schools.forms import InvitationAcceptForm, PeopleFileForm, PersonRemoveForm, PersonRolesForm, StaffInviteForm
from schools.models import ImportStatus
from schools.services import people as people_services
from schools.services import people_import as import_services
from schools.views import SESSION_SCHOOL_KEY

OPERATION_METHODS = ["POST"]


def post_only() -> HttpResponseNotAllowed:
    """An operation asked by GET, after its object was found: 405. Found first, so a missing or
    foreign id answers 404 whatever the method (nothing is revealed by a 405 either)."""
    return HttpResponseNotAllowed(OPERATION_METHODS)


def _people_url(school_id: int) -> str:
    return reverse("schools:people", kwargs={"school_id": school_id})


def _invitations_url(school_id: int) -> str:
    return reverse("schools:staff_invitation_list", kwargs={"school_id": school_id})


@requires(Capability.SCHOOL_MANAGE_PEOPLE)
@require_http_methods(["GET", "POST"])
def staff_invite(request: AppRequest, school_id: int):
    """Invite one person. A refusal (an address already invited, a person already here) comes
    back on the form with what was typed."""
    access = request.access
    school = selectors.school_get(access=access, school_id=school_id)
    form_kwargs = {
        "roles": roles_grantable(access, school_id=school_id),
        "teams": selectors.school_teams(access=access, school_id=school_id),
    }
    if request.method == "POST":
        form = StaffInviteForm(request.POST, **form_kwargs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                placement = people_services.staff_invite(
                    school=school,
                    email=data["email"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    roles=[Role(role) for role in data["roles"]],
                    teams=list(data["teams"]),
                    invited_by=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if placement.new_account or not placement.user.has_usable_password():
                    message = _("%(name)s is uitgenodigd; de e-mail met de link is onderweg.")
                else:
                    message = _("%(name)s had al een account en is toegevoegd; de e-mail met het bericht is onderweg.")
                messages.success(request, message % {"name": placement.user.full_name})
                return redirect_after(request, _people_url(school_id))
    else:
        form = StaffInviteForm(**form_kwargs)
    context = {"school": school, "form": form}
    return render(request, "schools/staff_invite.html", context, status=422 if form.errors else 200)


def _person_url(school_id: int, user_id: int) -> str:
    return reverse("schools:person", kwargs={"school_id": school_id, "user_id": user_id})


def _person_context(request: AppRequest, school_id: int, person_user) -> dict:
    access = request.access
    grantable = roles_grantable(access, school_id=school_id)
    person = selectors.school_person(access=access, school_id=school_id, user=person_user)
    return {
        "school": selectors.school_get(access=access, school_id=school_id),
        "person": person,
        "grantable": grantable,
        # The roles the person holds that this user can neither give nor take: shown, not offered.
        "fixed_roles": [Role(role) for role in person.roles if Role(role) not in grantable],
        # Naming a new leader is asked of who may make one, when this person is the only one.
        "candidates": selectors.leader_candidates(access=access, school_id=school_id, user=person_user)
        if Role.SCHOOLLEIDER in grantable and Role.SCHOOLLEIDER in person.roles
        else None,
        "is_self": person_user.pk == request.user.pk,
    }


@requires(Capability.SCHOOL_MANAGE_PEOPLE)
@require_http_methods(["GET", "POST"])
def person(request: AppRequest, school_id: int, user_id: int):
    """One person of the school: their roles (to give and take, up to one's own), their teams,
    their invitation, and the way out of the school. A refusal keeps the ticked roles."""
    person_user = access_school_person_by_id(request.access, school_id=school_id, user_id=user_id)
    context = _person_context(request, school_id, person_user)
    held = context["person"].roles
    form_kwargs = {"roles": context["grantable"], "candidates": context["candidates"]}
    if request.method == "POST":
        form = PersonRolesForm(request.POST, **form_kwargs)
        if form.is_valid():
            wanted = [Role(role) for role in form.cleaned_data["roles"]] + context["fixed_roles"]
            try:
                given, taken = people_services.staff_roles_set(
                    school=context["school"],
                    user=person_user,
                    roles=wanted,
                    grantable=context["grantable"],
                    changed_by=request.user,
                    new_leader=form.cleaned_data.get("new_leader"),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if given or taken:
                    messages.success(
                        request, _("De rollen van %(name)s zijn bijgewerkt.") % {"name": person_user.full_name}
                    )
                else:
                    messages.info(request, _("Er is niets veranderd."))
                return redirect_after(request, _person_url(school_id, user_id))
    else:
        form = PersonRolesForm(initial={"roles": [r for r in held if Role(r) in context["grantable"]]}, **form_kwargs)
    context["form"] = form
    return render(request, "schools/person.html", context, status=422 if form.errors else 200)


@requires(Capability.SCHOOL_MANAGE_PEOPLE)
@require_http_methods(["GET", "POST"])
def person_remove(request: AppRequest, school_id: int, user_id: int):
    """Ask, then write a person out of the school: their places here end, their work stays under
    "oud-collega". The only school leader leaves only with a new one named."""
    person_user = access_school_person_by_id(request.access, school_id=school_id, user_id=user_id)
    context = _person_context(request, school_id, person_user)
    form_kwargs = {"candidates": context["candidates"]}
    if request.method == "POST":
        form = PersonRemoveForm(request.POST, **form_kwargs)
        if form.is_valid():
            try:
                people_services.staff_remove(
                    school=context["school"],
                    user=person_user,
                    grantable=context["grantable"],
                    removed_by=request.user,
                    new_leader=form.cleaned_data.get("new_leader"),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, _("%(name)s is uitgeschreven uit de school.") % {"name": person_user.full_name}
                )
                return redirect_after(request, _people_url(school_id))
    else:
        form = PersonRemoveForm(**form_kwargs)
    context["form"] = form
    return render(request, "schools/person_remove.html", context, status=422 if form.errors else 200)


@requires(Capability.SCHOOL_MANAGE_PEOPLE)
@require_GET
def staff_invitation_list(request: AppRequest, school_id: int):
    """The school's invitations: open, expired, accepted and withdrawn."""
    access = request.access
    context = {
        "school": selectors.school_get(access=access, school_id=school_id),
        "groups": selectors.staff_invitations(access=access, school_id=school_id),
    }
    return render(request, "schools/staff_invitation_list.html", context)


@requires(Capability.SCHOOL_MANAGE_PEOPLE)
@require_http_methods(["GET", "POST"])
def staff_invitation_resend(request: AppRequest, school_id: int, invitation_id: int):
    """Send an open or expired invitation again, with a new link and a new expiry."""
    invitation = access_staff_invitation_by_id(request.access, school_id=school_id, invitation_id=invitation_id)
    if request.method != "POST":
        return post_only()
    try:
        invitation = people_services.staff_invitation_resend(invitation=invitation, resent_by=request.user)
    except people_services.InvitationGone:
        messages.error(request, _("Deze uitnodiging is intussen geaccepteerd of ingetrokken."))
    else:
        messages.success(
            request, _("De uitnodiging is opnieuw verstuurd naar %(email)s.") % {"email": invitation.email}
        )
    return redirect_after(request, _invitations_url(school_id))


@requires(Capability.SCHOOL_MANAGE_PEOPLE)
@require_http_methods(["GET", "POST"])
def staff_invitation_withdraw(request: AppRequest, school_id: int, invitation_id: int):
    """Withdraw an open invitation: its link stops working and the person leaves the school."""
    invitation = access_staff_invitation_by_id(request.access, school_id=school_id, invitation_id=invitation_id)
    if request.method != "POST":
        return post_only()
    try:
        people_services.staff_invitation_withdraw(invitation=invitation, withdrawn_by=request.user)
    except people_services.InvitationGone:
        messages.error(request, _("Deze uitnodiging is intussen geaccepteerd of ingetrokken."))
    else:
        messages.success(request, _("De uitnodiging van %(email)s is ingetrokken.") % {"email": invitation.email})
    return redirect_after(request, _invitations_url(school_id))


@requires(Capability.SCHOOL_MANAGE_PEOPLE)
@require_http_methods(["GET", "POST"])
def people_import_upload(request: AppRequest, school_id: int):
    """Upload a people file; on to its preview. A file refused as a whole says why here."""
    access = request.access
    school = selectors.school_get(access=access, school_id=school_id)
    form = PeopleFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            people_import = import_services.people_import_create(
                school=school,
                file_name=upload.name,
                data=import_services.upload_read(upload),
                created_by=request.user,
                roles_allowed=roles_grantable(access, school_id=school_id),
            )
        except ValidationError as error:
            form.add_error("file", error.messages)
        else:
            return redirect_after(
                request,
                reverse("schools:people_import", kwargs={"school_id": school_id, "import_id": people_import.pk}),
            )
    context = {
        "school": school,
        "form": form,
        "imports": selectors.people_imports(access=access, school_id=school_id),
        "roles": roles_grantable(access, school_id=school_id),
    }
    return render(request, "schools/people_import_upload.html", context, status=422 if form.errors else 200)


IMPORT_TEMPLATE = "schools/people_import.html"


@requires(Capability.SCHOOL_MANAGE_PEOPLE)
@require_GET
@vary_on_headers("HX-Request")
def people_import(request: AppRequest, school_id: int, import_id: int):
    """An import: before the start, the preview of every row; after it, the progress (htmx polls
    the progress fragment until the run is done) and what it did."""
    people_import = access_people_import_by_id(
        request.access, school_id=school_id, import_id=import_id, with_rows=not wants_fragment(request)
    )
    context = {
        "school": people_import.school,
        "people_import": people_import,
        "running": people_import.status in (ImportStatus.QUEUED, ImportStatus.RUNNING),
        "total": people_import.row_count,
    }
    if wants_fragment(request):
        return render(request, f"{IMPORT_TEMPLATE}#import-progress", context)
    if people_import.status == ImportStatus.PREVIEW:
        context["preview"] = import_services.people_import_preview(people_import=people_import)
    return render(request, IMPORT_TEMPLATE, context)


@requires(Capability.SCHOOL_MANAGE_PEOPLE)
@require_http_methods(["GET", "POST"])
def people_import_start(request: AppRequest, school_id: int, import_id: int):
    """Start the import that was previewed; a second start (another tab) just shows its progress."""
    people_import = access_people_import_by_id(request.access, school_id=school_id, import_id=import_id)
    if request.method != "POST":
        return post_only()
    try:
        import_services.people_import_start(people_import=people_import, started_by=request.user)
    except import_services.ImportNotStartable:
        messages.info(request, _("Deze import is al gestart."))
    return redirect_after(
        request, reverse("schools:people_import", kwargs={"school_id": school_id, "import_id": import_id})
    )


@requires(Capability.SCHOOL_VIEW_PEOPLE_LOG)
@require_GET
def people_log(request: AppRequest, school_id: int):
    """Who invited, imported, gave or took a role, or removed whom, and when."""
    access = request.access
    context = {
        "school": selectors.school_get(access=access, school_id=school_id),
        "page": selectors.people_log(access=access, school_id=school_id, page=request.GET.get("pagina", 1)),
    }
    return render(request, "schools/people_log.html", context)


@public
@sensitive_post_parameters("new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
def staff_invitation_accept(request: AppRequest, token: str):
    """The e-mail's link: the invited person chooses a password and comes in, on their team.
    An unknown, used, withdrawn or expired link all answer the same page: nothing revealed."""
    invitation = people_services.invitation_by_token(token)
    if invitation is None:
        return render(request, "schools/staff_invitation_accept.html", {"valid": False}, status=404)
    form = InvitationAcceptForm(invitation.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = people_services.staff_invitation_accept(
                invitation=invitation, password=form.cleaned_data["new_password1"]
            )
        except people_services.InvitationGone:
            return render(request, "schools/staff_invitation_accept.html", {"valid": False}, status=404)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        request.session[SESSION_SCHOOL_KEY] = invitation.school_id
        return redirect(_landing_url(invitation))
    context = {"valid": True, "form": form, "invitation": invitation}
    return render(request, "schools/staff_invitation_accept.html", context, status=422 if form.errors else 200)


def _landing_url(invitation) -> str:
    """Where someone who just came in starts: their team's board when they have one team in the
    school, else the school."""
    team_ids = invitation.team_ids
    if len(team_ids) == 1:
        # The board belongs to an app above this one: the wiring names its URL (settings).
        kwargs = {"school_id": invitation.school_id, "team_id": team_ids[0]}
        return reverse(settings.TEAM_LANDING_URL_NAME, kwargs=kwargs)
    return reverse("home")
