"""The teacher's side of the barometer: answering from the e-mail link (no login needed) and the
list of their own open questionnaires.

/barometer/antwoorden/<token>/ is `@public`: the token is the whole credential, so the page
works from the e-mail on a phone without signing in, and belongs to whoever holds the link (a
logged-in user answers the invitation of the token, not "their own"). The request's tenant scope
holds the visitor's own schools (none when not logged in); the invitation is found by its token's
digest, unscoped, in `services.invitation_by_token`, and everything after runs inside the scope
of the invitation's school, opened here, conspicuously.

No page of answering ever shows submitted answers: after submitting, the page thanks, it does not
echo; the draft is shown only until it is submitted. The draft is sealed with a key derived from
the token in the URL, which this view hands to the services with every request and which is not
stored: the database alone cannot read a draft.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from barometer.forms.answers import AnswerForm
from barometer.models import Invitation
from barometer.selectors import answers as selectors
from barometer.services import answers as services
from barometer.services.answers import InvitationState
from leerkracht import tenancy
from leerkracht.access import personal, public
from leerkracht.http import AppRequest, add_service_errors, no_store

ANSWER = "barometer/answer.html"
NOTICE = "barometer/answer_notice.html"
MINE = "barometer/answer_mine.html"

SAVE = "opslaan"


def _answer_url(token: str) -> str:
    return reverse("barometer_answers:answer", kwargs={"token": token})


def _notice(request, kind: str, *, status: int, invitation: Invitation | None = None) -> HttpResponse:
    return render(request, NOTICE, {"kind": kind, "invitation": invitation}, status=status)


@public
@require_http_methods(["GET", "POST"])
def answer(request: AppRequest, token: str):
    """The questionnaire of one invitation: intro, sections and questions; save for later or
    submit once."""
    invitation = services.invitation_by_token(token)
    if invitation is None:
        return no_store(_notice(request, "unknown", status=404))
    # The visitor may be logged out, or logged in to other schools: open the invitation's school,
    # and only that school, for everything this page reads and writes.
    with tenancy.scope(school_ids=[invitation.school_id]):
        response = _answer(request, invitation, token)
    return no_store(response)


def _answer(request: AppRequest, invitation: Invitation, token: str) -> HttpResponse:
    state = services.invitation_state(invitation=invitation)
    if state is InvitationState.ANSWERED:
        kind = "thanks" if request.method == "GET" and request.GET.get("klaar") else "already"
        return _notice(request, kind, status=200, invitation=invitation)
    if state is InvitationState.CLOSED:
        return _notice(request, "closed", status=410, invitation=invitation)
    if state is InvitationState.NOT_OPEN:
        return _notice(request, "not_open", status=200, invitation=invitation)

    questions = selectors.version_questions(version=invitation.wave.version)
    context = {"invitation": invitation, "version": invitation.wave.version, "token": token, "saved": False}
    if request.method == "GET":
        form = AnswerForm(questions=questions, draft=services.draft_answers(invitation, token=token))
        return render(request, ANSWER, {**context, "form": form})

    form = context["form"] = AnswerForm(request.POST, questions=questions)
    if not form.is_valid():
        return render(request, ANSWER, context, status=422)
    try:
        if request.POST.get("actie") == SAVE:
            services.invitation_draft_save(
                invitation=invitation, token=token, questions=questions, answers=form.answers()
            )
            return render(request, ANSWER, {**context, "saved": True})
        services.response_submit(invitation=invitation, questions=questions, answers=form.answers())
    except services.AlreadyAnswered:
        return _notice(request, "already", status=200, invitation=invitation)
    except services.InvitationClosed:
        return _notice(request, "closed", status=410, invitation=invitation)
    except ValidationError as error:
        add_service_errors(form, error)
        return render(request, ANSWER, context, status=422)
    # Post/redirect/get: a reload does not send the answers again, and the page after says thank
    # you without repeating a single answer.
    return redirect(f"{_answer_url(token)}?klaar=1")


@personal
@require_GET
def my_invitations(request: AppRequest):
    """The signed-in teacher's questionnaires that are open for them, each with its own link."""
    invitations = [
        (invitation, _answer_url(services.invitation_token(invitation)))
        for invitation in selectors.open_invitations_for(user=request.user)
    ]
    return no_store(render(request, MINE, {"invitations": invitations}))
