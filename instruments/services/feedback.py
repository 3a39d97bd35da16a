"""Writes of feedback (stem van de leerling): a class's own criteria, feedback rounds,
pupils' answers and a pupil group's input on the team's goals.

Anonymity (instruments/models/feedback.py, DESIGN.md §5): an answer stores what was chosen and
typed, nothing else, and nothing inside the database joins it to the device mark that kept the
device from answering twice:
- `feedback_response_submit` writes the device's mark (a keyed hash of its cookie value) and the
  answer sealed with the server's key (`PendingFeedback`) in one transaction: both or neither;
- `feedback_pool_move`, in a transaction of its own, opens a batch of the round's pool, writes it
  into the answer tables in a shuffled order with fresh keys and deletes the pooled rows. It runs
  after the commit of the answer that fills the pool to COUNTS_MIN_ANSWERS (so the live results
  still move, a batch at a time), when the round is closed by hand, from the beat sweep for
  rounds whose time ran out, and before the results of such a round are shown. Pool rows are
  locked with SKIP LOCKED: two movers never move one answer twice.
The limit: an administrator who orders the transactions can tell which marks' answers went into
which batch, so a batch is as anonymous as it is large. The batches while the round is open hold
at least COUNTS_MIN_ANSWERS answers; the remainder moved at the close can be smaller (one
answer when a single pupil answered after the last batch).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from instruments.models import (
    FeedbackAnswer,
    FeedbackCriterion,
    FeedbackDeviceMark,
    FeedbackQuestion,
    FeedbackResponse,
    FeedbackRound,
    FeedbackTop,
    Goal,
    ImprovementBoard,
    LessonDesign,
    PendingFeedback,
    PupilGroup,
    PupilInput,
    QuestionKind,
    RoundStatement,
)
from instruments.selectors.feedback import (
    COUNTS_MIN_ANSWERS,
    ResponseCounts,
    response_counts,
    rounds_with_pool_to_settle,
)
from instruments.services.groups import pupil_group_get_or_create
from leerkracht import sealed
from leerkracht.conflicts import EditConflict, differing
from schools.models import User

logger = logging.getLogger(__name__)

# Unambiguous to read off a projector and type on a phone: no 0/O, 1/I.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
MAX_QUESTIONS = 3
MIN_CHOICES, MAX_CHOICES = 2, 6
MAX_TOPS_LIMIT = 5
MAX_OPEN_HOURS = 24 * 7
# What pooled answers are sealed for: their own key, derived from the server's secret.
POOL_PURPOSE = "instruments.feedback-pool"


# --- The class's own criteria -------------------------------------------------------------------


def _criterion_text(text: str) -> str:
    text = " ".join((text or "").split())
    if not text:
        raise ValidationError({"text": _("Schrijf de uitspraak op, bijvoorbeeld: De uitleg was duidelijk.")})
    if len(text) > FeedbackCriterion._meta.get_field("text").max_length:
        raise ValidationError({"text": _("Een uitspraak is hoogstens 160 tekens: kort en positief.")})
    return text


@transaction.atomic
def feedback_criterion_add(*, group: PupilGroup, text: str) -> FeedbackCriterion:
    """Add a statement to the group's criteria, at the end; at most MAX_STATEMENTS active."""
    text = _criterion_text(text)
    # Lock the group so two teachers adding at once cannot both take the tenth place.
    PupilGroup.objects.select_for_update().get(pk=group.pk)
    active = FeedbackCriterion.objects.filter(group=group, archived=False)
    if active.count() >= FeedbackRound.MAX_STATEMENTS:
        raise ValidationError(
            {
                "text": _(
                    "Een klas kiest hoogstens 10 uitspraken. Archiveer er eerst een voordat je een nieuwe toevoegt."
                )
            }
        )
    if active.filter(text__iexact=text).exists():
        raise ValidationError({"text": _("Deze uitspraak staat er al.")})
    last = FeedbackCriterion.objects.filter(group=group).aggregate(m=Max("position"))["m"]
    return FeedbackCriterion.objects.create(school_id=group.school_id, group=group, text=text, position=(last or 0) + 1)


@transaction.atomic
def feedback_criterion_update(
    *, criterion: FeedbackCriterion, user: User, text: str, version: int | None
) -> FeedbackCriterion:
    """Change a statement's words; rounds already held keep the words pupils answered to. An edit
    started from an older version than the stored one is refused (`EditConflict`) unless it
    writes the same words, so a colleague's change is never overwritten unseen."""
    text = _criterion_text(text)
    current = (
        FeedbackCriterion.objects.select_for_update(of=("self",)).select_related("updated_by").get(pk=criterion.pk)
    )
    if version is not None and version != current.version and current.text != text:
        raise EditConflict(
            version=current.version,
            fields=differing({"text": current.text}, {"text": text}, {"text": _("uitspraak")}),
            saved_by=current.updated_by.full_name if current.updated_by else "",
            saved_at=current.updated_at,
        )
    if current.text != text:
        current.text = text
        current.version += 1
        current.updated_by, current.updated_at = user, timezone.now()
        current.save(update_fields=["text", "version", "updated_by", "updated_at"])
    return current


@transaction.atomic
def feedback_criterion_move(*, criterion: FeedbackCriterion, offset: int) -> None:
    """Move an active statement one place up (-1) or down (+1) among the active ones."""
    rows = list(
        FeedbackCriterion.objects.select_for_update()
        .filter(group_id=criterion.group_id, archived=False)
        .order_by("position", "id")
    )
    ids = [row.pk for row in rows]
    if criterion.pk not in ids:
        return
    index = ids.index(criterion.pk)
    target = index + (1 if offset > 0 else -1)
    if not 0 <= target < len(rows):
        return
    rows[index], rows[target] = rows[target], rows[index]
    for position, row in enumerate(rows, start=1):
        row.position = position
    FeedbackCriterion.objects.bulk_update(rows, ["position"])


def feedback_criterion_archive(*, criterion: FeedbackCriterion, archived: bool = True) -> FeedbackCriterion:
    """Archive a statement (or bring it back): never deleted, so past rounds keep their words."""
    if not archived:
        active = FeedbackCriterion.objects.filter(group_id=criterion.group_id, archived=False).count()
        if active >= FeedbackRound.MAX_STATEMENTS:
            raise ValidationError(_("Er zijn al 10 uitspraken. Archiveer er eerst een."))
        last = FeedbackCriterion.objects.filter(group_id=criterion.group_id).aggregate(m=Max("position"))["m"]
        criterion.position = (last or 0) + 1
    criterion.archived = archived
    criterion.save(update_fields=["archived", "position"])
    return criterion


# --- Rounds -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionSpec:
    kind: str
    text: str
    choices: Sequence[str] = field(default_factory=tuple)


class NotEnoughCriteria(ValidationError):
    """The group has fewer than 5 (or more than 10) active criteria: agree them with the class
    first. Carries the group so the page can link to its criteria."""

    def __init__(self, message: str, *, group: PupilGroup):
        super().__init__({"group": message})
        self.group = group


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _clean_questions(questions: Iterable[QuestionSpec]) -> list[QuestionSpec]:
    cleaned = []
    for spec in questions:
        text = " ".join((spec.text or "").split())
        if not text:
            continue
        if spec.kind not in QuestionKind.values:
            raise ValidationError(
                {"questions": _("Kies voor elke vraag een soort: cijfer, meerkeuze of kort antwoord.")}
            )
        if len(text) > 200:
            raise ValidationError({"questions": _("Een vraag is hoogstens 200 tekens.")})
        choices: list[str] = []
        if spec.kind == QuestionKind.CHOICE:
            choices = list(dict.fromkeys(" ".join(c.split())[:80] for c in spec.choices if c and c.strip()))
            if not MIN_CHOICES <= len(choices) <= MAX_CHOICES:
                raise ValidationError(
                    {"questions": _("Een meerkeuzevraag heeft 2 tot 6 verschillende antwoorden, één per regel.")}
                )
        cleaned.append(QuestionSpec(kind=spec.kind, text=text, choices=tuple(choices)))
    if len(cleaned) > MAX_QUESTIONS:
        raise ValidationError({"questions": _("Stel hoogstens 3 korte vragen: antwoorden duurt dan nog geen minuut.")})
    return cleaned


def feedback_round_open(
    *,
    school_id: int,
    teacher: User,
    group: PupilGroup,
    title: str,
    closes_at: dt.datetime,
    max_tops: int = 3,
    lesson_design: LessonDesign | None = None,
    questions: Iterable[QuestionSpec] = (),
) -> FeedbackRound:
    """Open a round for the group: its active criteria (5–10) are copied as the round's
    statements, so later edits of the criteria leave this round's words alone."""
    if group.school_id != school_id:
        raise ValidationError({"group": _("Deze groep hoort niet bij deze school.")})
    if lesson_design is not None and lesson_design.school_id != school_id:
        raise ValidationError({"lesson_design": _("Dit lesontwerp hoort niet bij deze school.")})
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError({"title": _("Geef de les of het onderwerp een naam, zodat je de ronde terugvindt.")})
    now = timezone.now()
    if closes_at <= now:
        raise ValidationError({"closes_at": _("Kies een tijd in de toekomst.")})
    if closes_at > now + dt.timedelta(hours=MAX_OPEN_HOURS):
        raise ValidationError({"closes_at": _("Een ronde staat hoogstens een week open.")})
    cleaned_questions = _clean_questions(questions)
    with transaction.atomic():
        criteria = list(FeedbackCriterion.objects.filter(group=group, archived=False).order_by("position", "id"))
        if len(criteria) < FeedbackRound.MIN_STATEMENTS:
            raise NotEnoughCriteria(
                _(
                    "Groep %(group)s heeft %(count)s uitspraken. Spreek eerst samen met de klas 5 tot 10 "
                    "positieve uitspraken af (bijvoorbeeld: De uitleg was duidelijk)."
                )
                % {"group": group.name, "count": len(criteria)},
                group=group,
            )
        if len(criteria) > FeedbackRound.MAX_STATEMENTS:
            raise NotEnoughCriteria(
                _("Groep %(group)s heeft meer dan 10 uitspraken. Archiveer er een paar: 5 tot 10 is genoeg.")
                % {"group": group.name},
                group=group,
            )
        if not 1 <= max_tops <= min(MAX_TOPS_LIMIT, len(criteria) - 1):
            raise ValidationError(
                {"max_tops": _("Laat leerlingen 1 tot %(max)s tops kiezen.") % {"max": min(5, len(criteria) - 1)}}
            )
        for _attempt in range(10):
            try:
                with transaction.atomic():
                    feedback_round = FeedbackRound.objects.create(
                        school_id=school_id,
                        teacher=teacher,
                        group=group,
                        lesson_design=lesson_design,
                        title=title,
                        code=_new_code(),
                        max_tops=max_tops,
                        opened_at=now,
                        closes_at=closes_at,
                        device_key=secrets.token_hex(32),
                    )
                break
            except IntegrityError:
                continue  # the code was taken (one in a billion): draw another
        else:  # pragma: no cover - ten collisions in a row means the alphabet ran out
            raise ValidationError(_("Er kon geen code worden gemaakt. Probeer het opnieuw."))
        RoundStatement.objects.bulk_create(
            RoundStatement(school_id=school_id, round=feedback_round, criterion=c, text=c.text, position=n)
            for n, c in enumerate(criteria, start=1)
        )
        FeedbackQuestion.objects.bulk_create(
            FeedbackQuestion(
                school_id=school_id, round=feedback_round, kind=q.kind, text=q.text, choices=list(q.choices), position=n
            )
            for n, q in enumerate(cleaned_questions, start=1)
        )
    return feedback_round


def feedback_round_close(*, feedback_round: FeedbackRound) -> FeedbackRound:
    """Close the round now (the teacher's "Sluiten") and move what its pool still holds; closing
    twice changes nothing."""
    if feedback_round.closed_at is None:
        feedback_round.closed_at = timezone.now()
        FeedbackRound.objects.filter(pk=feedback_round.pk, closed_at__isnull=True).update(
            closed_at=feedback_round.closed_at
        )
    feedback_pool_move(feedback_round=feedback_round)
    return feedback_round


def round_is_open(feedback_round: FeedbackRound, *, now: dt.datetime | None = None) -> bool:
    """Whether pupils may still answer: not closed by hand and before its closing time."""
    return feedback_round.closed_at is None and (now or timezone.now()) < feedback_round.closes_at


# --- Pupils' answers ----------------------------------------------------------------------------


class RoundClosed(Exception):
    """The round closed before the answer came in."""


class AlreadyAnswered(Exception):
    """This device already answered this round."""


def device_digest(*, feedback_round: FeedbackRound, device_value: str) -> str:
    """HMAC-SHA256 of the device's random cookie value under the round's own key: the same device
    gives unrelated digests in two rounds, and the cookie value itself is never stored."""
    return hmac.new(feedback_round.device_key.encode(), device_value.encode(), hashlib.sha256).hexdigest()


def feedback_response_submit(
    *,
    feedback_round: FeedbackRound,
    device_value: str,
    top_ids: Iterable[int],
    tip_id: int,
    answers: Mapping[int, object] | None = None,
    statements: Sequence[RoundStatement] | None = None,
    questions: Sequence[FeedbackQuestion] | None = None,
) -> None:
    """Store the device's mark and one pupil's answer, sealed in the round's pool, in one
    transaction: both or neither. After the commit, `feedback_pool_move` moves the pool once it
    holds a batch. Checks again what the form checked (statements and choices of this round,
    1..max_tops tops, one tip, ratings 1–5), so no forged request gets past it."""
    if not round_is_open(feedback_round):
        raise RoundClosed
    if statements is None:
        statements = list(RoundStatement.objects.filter(round=feedback_round))
    if questions is None:
        questions = list(FeedbackQuestion.objects.filter(round=feedback_round))
    statement_ids = {s.pk for s in statements}
    tops = list(dict.fromkeys(int(t) for t in top_ids))
    if not tops or len(tops) > feedback_round.max_tops:
        raise ValidationError({"tops": _("Kies 1 tot %(n)s tops.") % {"n": feedback_round.max_tops}})
    if set(tops) - statement_ids:
        raise ValidationError({"tops": _("Kies je tops uit de uitspraken hierboven.")})
    if tip_id not in statement_ids:
        raise ValidationError({"tip": _("Kies één tip uit de uitspraken.")})
    if tip_id in tops:
        raise ValidationError({"tip": _("Kies als tip een andere uitspraak dan je tops.")})
    rows = []  # [question id, rating, choice, text], as the mover writes them
    for question in questions:
        value = (answers or {}).get(question.pk)
        if value in (None, ""):
            continue
        if question.kind == QuestionKind.RATING:
            try:
                rating = int(value)
            except (TypeError, ValueError):
                rating = 0
            if not 1 <= rating <= 5:
                raise ValidationError({f"q{question.pk}": _("Kies een cijfer van 1 tot 5.")})
            rows.append([question.pk, rating, "", ""])
        elif question.kind == QuestionKind.CHOICE:
            if value not in question.choices:
                raise ValidationError({f"q{question.pk}": _("Kies een van de antwoorden.")})
            rows.append([question.pk, None, str(value), ""])
        else:
            rows.append([question.pk, None, "", " ".join(str(value).split())[:280]])

    digest = device_digest(feedback_round=feedback_round, device_value=device_value)
    payload = {"tip": tip_id, "tops": tops, "answers": rows}
    with transaction.atomic():
        try:
            with transaction.atomic():
                FeedbackDeviceMark.objects.create(
                    digest=digest, school_id=feedback_round.school_id, round_id=feedback_round.pk
                )
        except IntegrityError:
            raise AlreadyAnswered from None
        PendingFeedback.objects.create(
            school_id=feedback_round.school_id,
            round_id=feedback_round.pk,
            sealed=sealed.seal(payload, key=sealed.server_keys(POOL_PURPOSE)[0], purpose=POOL_PURPOSE),
        )
        # Robust: the answer is stored whatever the move does; the close and the sweep move it too.
        transaction.on_commit(partial(feedback_pool_move, feedback_round=feedback_round), robust=True)


def feedback_pools_settle_enqueue() -> int:
    """Enqueue the move of what the pool still holds for every round that closed, or whose time
    ran out, each in its own school's task. Returns how many rounds were found."""
    from instruments import tasks  # the tasks call these services

    # A platform-wide sweep, past the tenant scope on purpose (ids only); each move then runs
    # inside its own school's scope.
    due = rounds_with_pool_to_settle()
    for school_id, round_id in due:
        tasks.feedback_pool_settle.delay(school_id=school_id, round_id=round_id)
    return len(due)


def feedback_pool_settle(*, school_id: int, round_id: int) -> int:
    """Move what one round's pool holds into its answers (0 when the round is gone)."""
    feedback_round = FeedbackRound.objects.filter(pk=round_id, school_id=school_id).first()
    if feedback_round is None:
        return 0
    return feedback_pool_move(feedback_round=feedback_round)


def feedback_counts_settled(*, feedback_round: FeedbackRound, is_open: bool) -> ResponseCounts:
    """The round's answer counts for its results; a round that closed by time with answers still
    pooled has them moved first (the beat sweep would within a minute), so its closed results are
    complete when the teacher looks."""
    counts = response_counts(feedback_round=feedback_round)
    if counts.pending and not is_open:
        feedback_pool_move(feedback_round=feedback_round)
        counts = response_counts(feedback_round=feedback_round)
    return counts


def feedback_pool_move(*, feedback_round: FeedbackRound) -> int:
    """Move a batch of the round's pooled answers into the answer tables, in a transaction of its
    own: the whole pool once it holds COUNTS_MIN_ANSWERS, or whatever it holds once the round is
    closed (by hand or by time, read afresh). The batch is written in a shuffled order with fresh
    random keys, and its pool rows are deleted. Rows another mover holds are skipped (SKIP
    LOCKED), so no answer is moved twice. Returns how many answers were moved."""
    state = (
        FeedbackRound.objects.filter(pk=feedback_round.pk)
        .annotate(pending=Count("pool"))
        .values("closed_at", "closes_at", "pending")
        .first()
    )
    if state is None or not state["pending"]:
        return 0
    closed = state["closed_at"] is not None or timezone.now() >= state["closes_at"]
    if not closed and state["pending"] < COUNTS_MIN_ANSWERS:
        return 0
    keys = sealed.server_keys(POOL_PURPOSE)
    school_id = feedback_round.school_id
    with transaction.atomic():
        pool = list(
            PendingFeedback.objects.select_for_update(skip_locked=True)
            .filter(round_id=feedback_round.pk)
            .only("id", "sealed")
        )
        if not pool or (not closed and len(pool) < COUNTS_MIN_ANSWERS):
            return 0
        batch, moved = [], []
        for row in pool:
            try:
                batch.append(sealed.unseal(row.sealed, keys=keys, purpose=POOL_PURPOSE))
            except sealed.Unsealable:
                # Sealed with a key the server no longer has: left in the pool, never guessed at.
                logger.error("A pooled answer of round %s cannot be opened with the server's keys", feedback_round.pk)
                continue
            moved.append(row.pk)
        sealed.shuffle(batch)
        responses, tops, answers = [], [], []
        for payload in batch:
            response = FeedbackResponse(
                id=uuid.uuid4(), school_id=school_id, round_id=feedback_round.pk, tip_id=payload["tip"]
            )
            responses.append(response)
            tops.extend(
                FeedbackTop(id=uuid.uuid4(), school_id=school_id, response=response, statement_id=statement)
                for statement in payload["tops"]
            )
            answers.extend(
                FeedbackAnswer(
                    id=uuid.uuid4(),
                    school_id=school_id,
                    response=response,
                    question_id=question,
                    rating=rating,
                    choice=choice,
                    text=text,
                )
                for question, rating, choice, text in payload["answers"]
            )
        FeedbackResponse.objects.bulk_create(responses)
        FeedbackTop.objects.bulk_create(tops)
        FeedbackAnswer.objects.bulk_create(answers)
        PendingFeedback.objects.filter(pk__in=moved).delete()
    return len(moved)


# --- A pupil group's input on the team's goals ----------------------------------------------------


def pupil_input_record(
    *,
    board: ImprovementBoard,
    goal: Goal,
    user: User,
    group_name: str,
    week: dt.date,
    pupils: int,
    what_helps: str,
    suggestions: str,
) -> PupilInput:
    """Record what a small group of pupils said about a goal of the team board; the team sees it on
    the goal's card at its next board session."""
    if goal.board_id != board.pk:
        raise ValidationError(_("Dit doel staat niet op dit bord."))
    suggestions = (suggestions or "").strip()
    if not suggestions:
        raise ValidationError({"suggestions": _("Schrijf op wat de leerlingen voorstelden.")})
    if not 1 <= pupils <= 40:
        raise ValidationError({"pupils": _("Vul het aantal leerlingen in (1 tot 40).")})
    group = None
    if group_name and group_name.strip():
        group = pupil_group_get_or_create(school_id=board.school_id, name=group_name, team_id=board.team_id)
    return PupilInput.objects.create(
        school_id=board.school_id,
        board=board,
        goal=goal,
        group=group,
        week=week,
        pupils=pupils,
        what_helps=(what_helps or "").strip(),
        suggestions=suggestions,
        recorded_by=user,
    )
