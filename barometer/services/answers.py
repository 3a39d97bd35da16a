"""Writes of answering a barometer questionnaire: the invitation's token, saving and continuing
later, and submitting once, anonymously.

The token in the e-mail link is derived from the invitation's `nonce` with the server's secret;
the database stores only the SHA-256 digest of the token, so a copy of the database holds no
working link. `invitation_token` and `invitation_by_token` are the only two places that know the
derivation (the wave service uses them to write the e-mails).

Anonymity (DESIGN.md §5): `response_submit` writes a `Response` and its `Answer`s with no user,
no invitation, no time and random keys, and in the same transaction marks the invitation
answered and empties its draft. "Has answered" stays on the invitation (for reminders and the
response rate), and holds only the day, not the moment: nothing lines the two up.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import random
import re
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from barometer.models import (
    Answer,
    Invitation,
    Question,
    QuestionKind,
    Response,
    WaveSchool,
    WaveSchoolStatus,
)
from barometer.models.questionnaire import OPTIONS

TOKEN_SALT = "barometer-invitation"  # noqa: S105 - an HMAC key salt, not a secret
# SHA-1 HMAC gives 40 hex digits; anything else is not a token of ours and is
# turned away without a query.
_TOKEN = re.compile(r"^[0-9a-f]{40}$")
OPEN_TEXT_MAX = 2000


class AlreadyAnswered(Exception):
    """The invitation was answered already (another tab, a second tap)."""


class InvitationClosed(Exception):
    """The school's moment in the wave is closed, or its deadline has passed."""


class InvitationState(enum.StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    CLOSED = "closed"
    NOT_OPEN = "not_open"  # the school's moment is still planned


# --- The token ---------------------------------------------------------------------------------


def invitation_token(invitation: Invitation) -> str:
    """The secret token of the invitation's e-mail link, derived from its nonce."""
    # SHA-1 named explicitly: Django's default changes in 2028, and links already sent must keep working.
    return salted_hmac(TOKEN_SALT, invitation.nonce, algorithm="sha1").hexdigest()


def token_digest(token: str) -> str:
    """What the database stores of a token: its SHA-256, so the table alone opens nothing."""
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_by_token(token: str) -> Invitation | None:
    """The invitation a link's token belongs to, with its wave, version and school's moment;
    None for anything that is not one of our tokens."""
    if not _TOKEN.match(token or ""):
        return None
    # A token is the whole credential of the answer page: nobody is logged in, so there is no
    # tenant scope to search in yet. The one unscoped read, by the digest (unique); the caller
    # opens the scope of the invitation's school for everything after it.
    return (
        Invitation.unscoped.select_related("wave_school", "wave__version__questionnaire")
        .filter(token_digest=token_digest(token))
        .first()
    )


# --- Where an invitation stands ----------------------------------------------------------------


def _state(*, answered_at, wave_school: WaveSchool, now: dt.datetime) -> InvitationState:
    if answered_at is not None:
        return InvitationState.ANSWERED
    if wave_school.status == WaveSchoolStatus.CLOSED or wave_school.closes_at <= now:
        return InvitationState.CLOSED
    if wave_school.status == WaveSchoolStatus.PLANNED:
        return InvitationState.NOT_OPEN
    return InvitationState.OPEN


def invitation_state(*, invitation: Invitation, now: dt.datetime | None = None) -> InvitationState:
    """Whether the invitation can be answered: answered beats closed (the teacher is thanked,
    not told off), closed beats everything else."""
    return _state(answered_at=invitation.answered_at, wave_school=invitation.wave_school, now=now or timezone.now())


def _lock(invitation: Invitation, *, now: dt.datetime) -> Invitation:
    """Lock the invitation's row and check, under the lock, that it can still be answered: two
    tabs submitting at once queue here, and the second finds the first one's answer."""
    locked = Invitation.objects.select_for_update(of=("self",)).select_related("wave_school").get(pk=invitation.pk)
    state = _state(answered_at=locked.answered_at, wave_school=locked.wave_school, now=now)
    if state is InvitationState.ANSWERED:
        raise AlreadyAnswered
    if state is not InvitationState.OPEN:
        raise InvitationClosed
    return locked


# --- Checking answers --------------------------------------------------------------------------


def field_name(question: Question) -> str:
    """The form field (and draft key) of a question: its id, which is fixed because a published
    version never changes."""
    return f"q{question.pk}"


def _clean_value(question: Question, raw) -> int | str | None:
    """The stored value of one answer, None when left empty; ValueError when not an option."""
    if question.kind == QuestionKind.OPEN:
        text = str(raw or "").strip()
        if len(text) > OPEN_TEXT_MAX:
            raise ValueError
        return text or None
    if raw is None or raw == "":
        return None
    value = int(raw)  # ValueError for anything that is not a number
    if value not in {option for option, _label in OPTIONS[question.kind]}:
        raise ValueError
    return value


def answers_clean(
    *, questions: Iterable[Question], answers: Mapping[int, int | str | None], require: bool
) -> dict[int, int | str]:
    """The answers as stored values per question id, checked against the version's questions:
    a question of another version, a value that is not one of the options, or (with `require`)
    a required question left empty is refused with a Dutch message per question."""
    by_id = {question.pk: question for question in questions}
    errors: dict[str, list[str]] = {}
    foreign = set(answers) - set(by_id)
    if foreign:
        errors["__all__"] = [_("Er zijn antwoorden meegestuurd op vragen die niet in deze vragenlijst staan.")]
    cleaned: dict[int, int | str] = {}
    for question_id, question in by_id.items():
        try:
            value = _clean_value(question, answers.get(question_id))
        except (TypeError, ValueError):
            if question.kind == QuestionKind.OPEN:
                message = _("Schrijf hoogstens %(n)s tekens.") % {"n": OPEN_TEXT_MAX}
            else:
                message = _("Kies een van de antwoorden.")
            errors[field_name(question)] = [message]
            continue
        if value is None:
            if require and question.required:
                if question.kind == QuestionKind.OPEN:
                    errors[field_name(question)] = [_("Vul deze vraag in.")]
                else:
                    errors[field_name(question)] = [_("Kies een antwoord bij deze vraag.")]
            continue
        cleaned[question_id] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


# --- Saving and submitting ---------------------------------------------------------------------


def invitation_draft_save(
    *, invitation: Invitation, questions: Iterable[Question], answers: Mapping[int, int | str | None]
) -> Invitation:
    """Keep the answers so far on the invitation, to continue later. Refused once answered (a
    stale tab must not tie answers to the person again) or closed."""
    questions = list(questions)
    cleaned = answers_clean(questions=questions, answers=answers, require=False)
    with transaction.atomic():
        locked = _lock(invitation, now=timezone.now())
        locked.draft = {str(question_id): value for question_id, value in cleaned.items()} or None
        locked.save(update_fields=["draft"])
    invitation.draft = locked.draft
    return invitation


def draft_answers(invitation: Invitation) -> dict[int, int | str]:
    """The saved draft as answers per question id (empty when there is none)."""
    result: dict[int, int | str] = {}
    for key, value in (invitation.draft or {}).items():
        if str(key).isdigit():
            result[int(key)] = value
    return result


def _answered_on(now: dt.datetime) -> dt.datetime:
    """The start of the Amsterdam day: "has answered" needs no more, and a precise moment would
    line up with the order in which the anonymous rows were written."""
    local = timezone.localtime(now)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _response_rows(
    *, invitation: Invitation, version_id: int, questions_by_id, cleaned
) -> tuple[Response, list[Answer]]:
    """The anonymous rows of one submitted questionnaire. Nothing of the person goes in: not the
    user, not the invitation, not a time. School and team are kept for the results, which
    suppress groups smaller than the threshold."""
    response = Response(
        school_id=invitation.school_id, team_id=invitation.team_id, wave_id=invitation.wave_id, version_id=version_id
    )
    answers = [
        Answer(
            school_id=invitation.school_id,
            team_id=invitation.team_id,
            wave_id=invitation.wave_id,
            response=response,
            question_id=question_id,
            value=None if questions_by_id[question_id].kind == QuestionKind.OPEN else value,
            text=value if questions_by_id[question_id].kind == QuestionKind.OPEN else "",
        )
        for question_id, value in cleaned.items()
    ]
    return response, answers


def response_submit(
    *, invitation: Invitation, questions: Iterable[Question], answers: Mapping[int, int | str | None]
) -> Response:
    """Submit the questionnaire once: one anonymous Response with its Answers, the invitation
    marked answered and its draft emptied, all in one transaction under the invitation's lock.
    AlreadyAnswered for a second submit, InvitationClosed after the deadline, ValidationError
    (per question) for a missing required answer or an answer that is not an option."""
    questions = list(questions)
    if any(question.version_id != invitation.wave.version_id for question in questions):
        raise ValueError("questions of another version than the invitation's wave")
    cleaned = answers_clean(questions=questions, answers=answers, require=True)
    now = timezone.now()
    with transaction.atomic():
        locked = _lock(invitation, now=now)
        response, rows = _response_rows(
            invitation=locked,
            version_id=invitation.wave.version_id,
            questions_by_id={question.pk: question for question in questions},
            cleaned=cleaned,
        )
        response.save(force_insert=True)
        Answer.objects.bulk_create(rows)
        locked.answered_at = _answered_on(now)
        locked.draft = None
        locked.save(update_fields=["answered_at", "draft"])
    invitation.answered_at, invitation.draft = locked.answered_at, None
    return response


def responses_submit_many(
    *,
    wave_school: WaveSchool,
    questions: Iterable[Question],
    submissions: Iterable[tuple[Invitation, Mapping[int, int | str | None]]],
) -> int:
    """Submit many questionnaires of one school's moment at once (the demo's teachers, a batch of
    paper forms typed in): each checked as `response_submit` checks it, all written in one
    transaction with a few statements instead of five per person. The invitations are locked
    together, so a teacher answering online at the same moment is answered once either way.
    All or nothing: AlreadyAnswered, InvitationClosed or ValidationError for any of them writes
    none. Returns the number of responses written."""
    questions = list(questions)
    by_id = {question.pk: question for question in questions}
    if any(question.version_id != wave_school.wave.version_id for question in questions):
        raise ValueError("questions of another version than the moment's wave")
    cleaned = {
        invitation.pk: answers_clean(questions=questions, answers=answers, require=True)
        for invitation, answers in submissions
    }
    if not cleaned:
        return 0
    now = timezone.now()
    with transaction.atomic():
        locked = list(
            Invitation.objects.select_for_update(of=("self",)).filter(pk__in=list(cleaned), wave_school=wave_school)
        )
        if len(locked) != len(cleaned):
            raise ValueError("invitations of another moment than the one given")
        wave_school = WaveSchool.objects.select_related("wave").get(pk=wave_school.pk)
        written: list[tuple[Response, list[Answer]]] = []
        for invitation in locked:
            state = _state(answered_at=invitation.answered_at, wave_school=wave_school, now=now)
            if state is InvitationState.ANSWERED:
                raise AlreadyAnswered
            if state is not InvitationState.OPEN:
                raise InvitationClosed
            response, answers = _response_rows(
                invitation=invitation,
                version_id=wave_school.wave.version_id,
                questions_by_id=by_id,
                cleaned=cleaned[invitation.pk],
            )
            written.append((response, answers))
        # The keys are random already; written in a shuffled order, the rows' physical order does
        # not follow the invitations' either.
        random.SystemRandom().shuffle(written)
        Response.objects.bulk_create([response for response, _answers in written])
        Answer.objects.bulk_create([answer for _response, answers in written for answer in answers], batch_size=2000)
        Invitation.objects.filter(pk__in=list(cleaned)).update(answered_at=_answered_on(now), draft=None)
    return len(written)


def invitation_drafts_clear(*, wave_school_ids: Iterable[int]) -> int:
    """Empty the drafts left on invitations of closed moments: unsubmitted answers next to a
    person are kept only while they can still be submitted. For the wave's closing task, inside
    the scope of the schools it closes; returns how many drafts were emptied."""
    return (
        Invitation.objects.filter(wave_school_id__in=list(wave_school_ids), draft__isnull=False)
        .exclude(wave_school__status=WaveSchoolStatus.OPEN)
        .update(draft=None)
    )
