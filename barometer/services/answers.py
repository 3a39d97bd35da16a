"""Writes of answering a barometer questionnaire: the invitation's token, saving and continuing
later, submitting once, and moving the submitted answers into the answer tables at the close.

The token in the e-mail link is derived from the invitation's `nonce` with the server's secret;
the database stores only the SHA-256 digest of the token, so a copy of the database holds no
working link. `invitation_token` and `invitation_by_token` are the only two places that know the
derivation (the wave service uses them to write the e-mails).

Anonymity (DESIGN.md §5), also inside the database:
- `response_submit` marks the invitation answered (the day only), empties its draft and puts the
  answers in the pool (`PendingResponse`), sealed with the server's key, in one transaction under
  the invitation's row lock: exactly once, as before. The pool row shares that transaction's id
  with the invitation, so it holds nothing readable: no person, no time, and the answers sealed
  and padded to one length per version.
- `pending_responses_move` runs when a school's moment closes (the beat tick, see
  `barometer.services.waves`): in one transaction per moment it opens the pool, writes the
  Responses and Answers with fresh random keys in a shuffled order and deletes the pool rows.
  Every answer of the moment then has the mover's transaction id and a random place on disk: the
  anonymity set is everyone of the school who answered (their team, for the team column, which
  the results suppress below the threshold). The results count closed moments only (rule 5 in
  `barometer.selectors.results`), so they lose nothing while answers wait in the pool.
- A submit and the close take the moment's row lock (`WaveSchool`), so a submit that found the
  moment open has committed its pool row before the close moves the pool, and one that comes
  after finds the moment closed. Submits of one school take turns on that row for the few
  milliseconds of their transaction.
- A draft is sealed with a key derived from the link's token (`leerkracht.sealed.token_key`),
  which comes with every request of the answer page and is not stored: the database alone cannot
  read it. A draft that cannot be opened reads as empty.
Whoever holds the server's SECRET_KEY and the database together can open the pool, and the
drafts too (a token derives from the secret and the stored nonce): sealing protects copies of the
database (backups, replicas, WAL, dead row versions), not against the running server.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
import logging
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
    PendingResponse,
    Question,
    QuestionKind,
    Response,
    WaveSchool,
    WaveSchoolStatus,
)
from barometer.models.questionnaire import OPTIONS
from barometer.services.results import results_changed
from leerkracht import sealed

logger = logging.getLogger(__name__)

TOKEN_SALT = "barometer-invitation"  # noqa: S105 - an HMAC key salt, not a secret
# SHA-1 HMAC gives 40 hex digits; anything else is not a token of ours and is
# turned away without a query.
_TOKEN = re.compile(r"^[0-9a-f]{40}$")
OPEN_TEXT_MAX = 2000
# What sealed values are for: each purpose has its own keys, so a draft never opens as a pooled
# answer or the other way round.
POOL_PURPOSE = "barometer-response"
DRAFT_PURPOSE = "barometer-draft"


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
    """Lock the invitation's row and its moment's, and check, under the locks, that it can still
    be answered: two tabs submitting at once queue here, and the second finds the first one's
    answer; the close of the moment waits for a submit (or a draft) that found it open, and one
    that comes after the close finds it closed. NO KEY UPDATE: the locks do not hold up the
    inserts that only refer to these rows (invitations, e-mails)."""
    locked = (
        Invitation.objects.select_for_update(of=("self", "wave_school"), no_key=True)
        .select_related("wave_school")
        .get(pk=invitation.pk)
    )
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


# --- Sealing ------------------------------------------------------------------------------------


def _json_size(payload) -> int:
    """The length of `payload` as `leerkracht.sealed.seal` encodes it before sealing."""
    return len(json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode())


def sealed_size(questions: Iterable[Question]) -> int:
    """The one plain-text length every sealed payload of these questions is padded to: that of
    the longest answers they allow (every open answer OPEN_TEXT_MAX characters that JSON writes
    as six bytes each). A sealed value is as long as what it seals, and a draft or a pooled answer
    sits next to the person: its length must not tell how much someone wrote, or which optional
    questions they left empty, since the moved answers are readable."""
    longest = {str(q.pk): ("\x01" * OPEN_TEXT_MAX if q.kind == QuestionKind.OPEN else 5) for q in questions}
    return _json_size({"a": longest, "p": ""})


def _seal(answers: Mapping[int, int | str], *, size: int, key: bytes, purpose: str) -> str:
    payload = {"a": {str(question_id): value for question_id, value in answers.items()}, "p": ""}
    payload["p"] = " " * (size - _json_size(payload))
    return sealed.seal(payload, key=key, purpose=purpose)


def _unseal(text: str, *, keys: bytes | list[bytes], purpose: str) -> dict[int, int | str]:
    """The answers a `_seal` sealed; Unsealable for anything else (another key, a changed byte,
    not our payload)."""
    payload = sealed.unseal(text, keys=keys, purpose=purpose)
    answers = payload.get("a") if isinstance(payload, dict) else None
    if not isinstance(answers, dict) or not all(str(key).isdigit() for key in answers):
        raise sealed.Unsealable
    return {int(key): value for key, value in answers.items()}


def _draft_key(invitation: Invitation, token: str) -> bytes:
    # The token is the link's; one of another invitation would seal a draft its own link cannot
    # open again.
    if token_digest(token) != invitation.token_digest:
        raise ValueError("the token is not this invitation's")
    return sealed.token_key(token, DRAFT_PURPOSE)


# --- Saving and submitting ---------------------------------------------------------------------


def invitation_draft_save(
    *, invitation: Invitation, token: str, questions: Iterable[Question], answers: Mapping[int, int | str | None]
) -> Invitation:
    """Keep the answers so far on the invitation, sealed with the link's `token`, to continue
    later. Refused once answered (a stale tab must not tie answers to the person again) or
    closed."""
    questions = list(questions)
    cleaned = answers_clean(questions=questions, answers=answers, require=False)
    draft = ""
    if cleaned:
        key = _draft_key(invitation, token)
        draft = _seal(cleaned, size=sealed_size(questions), key=key, purpose=DRAFT_PURPOSE)
    with transaction.atomic():
        locked = _lock(invitation, now=timezone.now())
        locked.draft_sealed = draft
        locked.save(update_fields=["draft_sealed"])
    invitation.draft_sealed = locked.draft_sealed
    return invitation


def draft_answers(invitation: Invitation, *, token: str) -> dict[int, int | str]:
    """The saved draft as answers per question id, opened with the link's `token`; empty when
    there is none, and when it cannot be opened (another token, a changed byte): the teacher then
    finds an empty form, never an error."""
    if not invitation.draft_sealed or token_digest(token) != invitation.token_digest:
        return {}
    try:
        return _unseal(invitation.draft_sealed, keys=sealed.token_key(token, DRAFT_PURPOSE), purpose=DRAFT_PURPOSE)
    except sealed.Unsealable:
        return {}


def _answered_on(now: dt.datetime) -> dt.datetime:
    """The start of the Amsterdam day: "has answered" needs no more, and a precise moment would
    line up with the order in which the anonymous rows were written."""
    local = timezone.localtime(now)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _pooled(*, invitation: Invitation, version_id: int, cleaned: Mapping[int, int | str], size: int) -> PendingResponse:
    """The pool row of one submitted questionnaire: the answers sealed with the server's key, and
    in the clear only what the moved Response will carry (school, team, wave, version) and the
    moment that says when it moves."""
    return PendingResponse(
        school_id=invitation.school_id,
        team_id=invitation.team_id,
        wave_id=invitation.wave_id,
        wave_school_id=invitation.wave_school_id,
        version_id=version_id,
        sealed=_seal(cleaned, size=size, key=sealed.server_keys(POOL_PURPOSE)[0], purpose=POOL_PURPOSE),
    )


def response_submit(
    *, invitation: Invitation, questions: Iterable[Question], answers: Mapping[int, int | str | None]
) -> None:
    """Submit the questionnaire once: the invitation marked answered, its draft emptied and the
    answers put in the pool, sealed, all in one transaction under the invitation's (and its
    moment's) lock; they reach the answer tables when the school's moment closes.
    AlreadyAnswered for a second submit, InvitationClosed after the deadline, ValidationError
    (per question) for a missing required answer or an answer that is not an option."""
    questions = list(questions)
    if any(question.version_id != invitation.wave.version_id for question in questions):
        raise ValueError("questions of another version than the invitation's wave")
    cleaned = answers_clean(questions=questions, answers=answers, require=True)
    pooled = _pooled(
        invitation=invitation, version_id=invitation.wave.version_id, cleaned=cleaned, size=sealed_size(questions)
    )
    now = timezone.now()
    with transaction.atomic():
        locked = _lock(invitation, now=now)
        pooled.save(force_insert=True)
        locked.answered_at = _answered_on(now)
        locked.draft_sealed = ""
        locked.save(update_fields=["answered_at", "draft_sealed"])
    invitation.answered_at, invitation.draft_sealed = locked.answered_at, ""


def responses_submit_many(
    *,
    wave_school: WaveSchool,
    questions: Iterable[Question],
    submissions: Iterable[tuple[Invitation, Mapping[int, int | str | None]]],
) -> int:
    """Submit many questionnaires of one school's moment at once (the demo's teachers, a batch of
    paper forms typed in): each checked as `response_submit` checks it and put in the same pool,
    all in one transaction with a few statements instead of three per person. The invitations and
    the moment are locked together, so a teacher answering online at the same moment is answered
    once either way, and the close waits. All or nothing: AlreadyAnswered, InvitationClosed or
    ValidationError for any of them writes none. Returns the number of questionnaires pooled."""
    questions = list(questions)
    if any(question.version_id != wave_school.wave.version_id for question in questions):
        raise ValueError("questions of another version than the moment's wave")
    cleaned = {
        invitation.pk: answers_clean(questions=questions, answers=answers, require=True)
        for invitation, answers in submissions
    }
    if not cleaned:
        return 0
    size = sealed_size(questions)
    now = timezone.now()
    with transaction.atomic():
        locked = list(
            Invitation.objects.select_for_update(of=("self", "wave_school"), no_key=True)
            .select_related("wave_school__wave")
            .filter(pk__in=list(cleaned), wave_school_id=wave_school.pk)
        )
        if len(locked) != len(cleaned):
            raise ValueError("invitations of another moment than the one given")
        pooled: list[PendingResponse] = []
        for invitation in locked:
            state = _state(answered_at=invitation.answered_at, wave_school=invitation.wave_school, now=now)
            if state is InvitationState.ANSWERED:
                raise AlreadyAnswered
            if state is not InvitationState.OPEN:
                raise InvitationClosed
            pooled.append(
                _pooled(
                    invitation=invitation,
                    version_id=invitation.wave_school.wave.version_id,
                    cleaned=cleaned[invitation.pk],
                    size=size,
                )
            )
        PendingResponse.objects.bulk_create(pooled, batch_size=500)
        Invitation.objects.filter(pk__in=list(cleaned)).update(answered_at=_answered_on(now), draft_sealed="")
    return len(pooled)


# --- Moving the pool at the close --------------------------------------------------------------


def _response_rows(
    *, pooled: PendingResponse, kinds: Mapping[int, str], cleaned: Mapping[int, int | str]
) -> tuple[Response, list[Answer]]:
    """The anonymous rows of one pooled questionnaire: a fresh random key (not the pool row's),
    and of the pool row only school, team, wave and version, which the results group by."""
    response = Response(
        school_id=pooled.school_id, team_id=pooled.team_id, wave_id=pooled.wave_id, version_id=pooled.version_id
    )
    answers = [
        Answer(
            school_id=pooled.school_id,
            team_id=pooled.team_id,
            wave_id=pooled.wave_id,
            response=response,
            question_id=question_id,
            value=None if kinds[question_id] == QuestionKind.OPEN else value,
            text=value if kinds[question_id] == QuestionKind.OPEN else "",
        )
        for question_id, value in cleaned.items()
    ]
    return response, answers


def _move(wave_school_id: int) -> int:
    """Move one closed moment's pool, in one transaction (see `pending_responses_move`)."""
    with transaction.atomic():
        # The moment's row lock, which a submit holds from its check until its commit: every
        # submit that found the moment open has committed its pool row before this returns.
        moment = (
            WaveSchool.objects.select_for_update(no_key=True)
            .filter(pk=wave_school_id)
            .exclude(status=WaveSchoolStatus.OPEN)
            .first()
        )
        if moment is None:  # still open (answers go on counting until the close), or not ours
            return 0
        pool = list(PendingResponse.objects.select_for_update(skip_locked=True).filter(wave_school_id=moment.pk))
        if not pool:
            return 0
        versions = {pooled.version_id for pooled in pool}
        kinds = dict(Question.objects.filter(version_id__in=versions).values_list("pk", "kind"))
        keys = sealed.server_keys(POOL_PURPOSE)
        responses: list[Response] = []
        answers: list[Answer] = []
        moved: list = []
        for pooled in pool:
            try:
                cleaned = _unseal(pooled.sealed, keys=keys, purpose=POOL_PURPOSE)
                response, rows = _response_rows(pooled=pooled, kinds=kinds, cleaned=cleaned)
            except (sealed.Unsealable, KeyError):
                continue
            responses.append(response)
            answers.extend(rows)
            moved.append(pooled.pk)
        if len(moved) < len(pool):
            # Left in the pool, sealed, and tried again by every tick: a secret key rotated out of
            # SECRET_KEY_FALLBACKS too early is put back, and the rest then moves.
            logger.error(
                "barometer: %d pooled answers of moment %d cannot be opened with the server's keys",
                len(pool) - len(moved),
                moment.pk,
            )
        # Written in a shuffled order: the rows' physical order follows neither the pool's nor
        # the order in which the teachers answered.
        Response.objects.bulk_create(sealed.shuffle(responses), batch_size=1000)
        Answer.objects.bulk_create(sealed.shuffle(answers), batch_size=2000)
        PendingResponse.objects.filter(pk__in=moved).delete()
    return len(moved)


def pending_responses_move(*, wave_school_ids: Iterable[int]) -> int:
    """Move the pooled answers of these closed moments into the Response and Answer tables: per
    moment one transaction that takes the moment's row lock, opens the pool rows (skipping rows a
    concurrent mover holds), writes them with fresh random keys in a shuffled order and deletes
    them. An open moment is left alone. Idempotent; for the closing tick's task, inside the scope
    of the moments' schools. Returns how many questionnaires were moved. Answers moved make a new
    version of the results (`results_changed`)."""
    moved = sum(_move(wave_school_id) for wave_school_id in sorted(set(wave_school_ids)))
    if moved:
        results_changed()
    return moved


def invitation_drafts_clear(*, wave_school_ids: Iterable[int]) -> int:
    """Empty the drafts left on invitations of closed moments: unsubmitted answers next to a
    person are kept only while they can still be submitted (sealed or not). For the wave's
    closing task, inside the scope of the schools it closes; returns how many drafts were
    emptied."""
    return (
        Invitation.objects.filter(wave_school_id__in=list(wave_school_ids))
        .exclude(draft_sealed="")
        .exclude(wave_school__status=WaveSchoolStatus.OPEN)
        .update(draft_sealed="")
    )
