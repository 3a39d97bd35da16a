"""Reads of feedback (stem van de leerling). A round is fetched through `access_feedback_round_by_id` (only the
teacher who opened it); its results are read here in a fixed number of queries, and shown only
above the thresholds that keep a single pupil's answer from being picked out."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import (
    Avg,
    BooleanField,
    Case,
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from instruments.access import readable_lesson_designs
from instruments.models import (
    FeedbackAnswer,
    FeedbackCriterion,
    FeedbackDeviceMark,
    FeedbackQuestion,
    FeedbackResponse,
    FeedbackRound,
    FeedbackTop,
    Goal,
    LessonDesign,
    PendingFeedback,
    PupilGroup,
    PupilInput,
    QuestionKind,
    RoundStatement,
)
from leerkracht.access import Access

# Counts per statement, averages and choice counts appear from this many answers on; open answers
# (words a classmate might recognise) only from the platform's aggregate threshold (DESIGN.md §5).
COUNTS_MIN_ANSWERS = 3
ROUND_LIST_LIMIT = 100

_shuffle = random.SystemRandom().shuffle


def open_answers_min() -> int:
    """How many answers a round needs before its open answers are shown (at least 5)."""
    return max(5, settings.AGGREGATE_MIN_RESPONDENTS)


def _count_of(model, **filters):
    """A correlated COUNT(*) subquery (0 when none): counts without joining rows into the outer
    query, so several counts on one row do not multiply each other."""
    return Coalesce(
        Subquery(
            model.unscoped.filter(**filters).order_by().values(*filters.keys()).annotate(n=Count("*")).values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def rounds_of_teacher(*, access: Access, school_id: int) -> list[FeedbackRound]:
    """The acting teacher's rounds in this school, open ones first, each with its answer count
    (moved into the answer tables) and the answers still pooled."""
    now = timezone.now()
    return list(
        FeedbackRound.objects.filter(school_id=school_id, teacher_id=access.user_id)
        .select_related("group")
        .annotate(
            is_open=Case(
                When(closed_at__isnull=True, closes_at__gt=now, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            response_count=_count_of(FeedbackResponse, round=OuterRef("pk")),
            pending_count=_count_of(PendingFeedback, round=OuterRef("pk")),
        )
        .order_by("-is_open", "-opened_at", "-id")[:ROUND_LIST_LIMIT]
    )


def groups_of_teacher(*, access: Access, school_id: int) -> list[PupilGroup]:
    """The groups this teacher held rounds with, with their number of active criteria (for quick
    links to each class's criteria)."""
    return list(
        PupilGroup.objects.filter(school_id=school_id, feedback_rounds__teacher_id=access.user_id)
        .distinct()
        .annotate(criteria_count=_count_of(FeedbackCriterion, group=OuterRef("pk"), archived=False))
        .order_by("name")
    )


def group_get(*, access: Access, school_id: int, group_id: int) -> PupilGroup:
    """A pupil group of this school (DoesNotExist → the view's 404)."""
    return PupilGroup.objects.get(pk=group_id, school_id=school_id)


@dataclass
class GroupCriteria:
    active: list[FeedbackCriterion]
    archived: list[FeedbackCriterion]

    @property
    def enough(self) -> bool:
        return FeedbackRound.MIN_STATEMENTS <= len(self.active) <= FeedbackRound.MAX_STATEMENTS

    @property
    def full(self) -> bool:
        return len(self.active) >= FeedbackRound.MAX_STATEMENTS


def group_criteria(*, group: PupilGroup) -> GroupCriteria:
    """The group's statements, active ones in their order and the archived ones (one query)."""
    rows = list(FeedbackCriterion.objects.filter(group=group).order_by("position", "id"))
    return GroupCriteria(active=[c for c in rows if not c.archived], archived=[c for c in rows if c.archived])


def criterion_get(*, group: PupilGroup, criterion_id: int) -> FeedbackCriterion:
    """A statement of this group (DoesNotExist → the view's 404)."""
    return FeedbackCriterion.objects.get(pk=criterion_id, group=group)


def lesson_designs_for(*, access: Access, school_id: int, limit: int = 50) -> QuerySet[LessonDesign]:
    """Recent lesson designs of the school this user may read (`readable_lesson_designs`: with
    those shared with one of their teams), for a round's optional link to the lesson."""
    return readable_lesson_designs(access, school_id=school_id).order_by("-created_at", "-id")[:limit]


def round_statements(*, feedback_round: FeedbackRound) -> list[RoundStatement]:
    """The round's statements, in the class's order, as pupils answered to them."""
    return list(RoundStatement.objects.filter(round=feedback_round).order_by("position", "id"))


def round_questions(*, feedback_round: FeedbackRound) -> list[FeedbackQuestion]:
    """The round's optional short questions, in order."""
    return list(FeedbackQuestion.objects.filter(round=feedback_round).order_by("position", "id"))


@dataclass(frozen=True)
class ResponseCounts:
    moved: int  # in the answer tables: what the tallies count
    pending: int  # sealed in the pool, on their way (services.feedback_pool_move)


def response_counts(*, feedback_round: FeedbackRound) -> ResponseCounts:
    """How many pupils' answers the tallies hold and how many are still pooled (one query)."""
    moved, pending = (
        FeedbackRound.objects.filter(pk=feedback_round.pk)
        .annotate(
            moved=_count_of(FeedbackResponse, round=OuterRef("pk")),
            pending=_count_of(PendingFeedback, round=OuterRef("pk")),
        )
        .values_list("moved", "pending")
        .get()
    )
    return ResponseCounts(moved=moved, pending=pending)


def rounds_with_pool_to_settle() -> list[tuple[int, int]]:
    """(school id, round id) of every closed round, or round whose time ran out, whose pool still
    holds answers: for the beat sweep, across schools on purpose (ids only)."""
    return list(
        PendingFeedback.unscoped.filter(Q(round__closed_at__isnull=False) | Q(round__closes_at__lte=timezone.now()))
        .order_by("school_id", "round_id")
        .values_list("school_id", "round_id")
        .distinct()
    )


@dataclass
class QuestionResult:
    question: FeedbackQuestion
    answered: int
    average: float | None = None
    choices: list[tuple[str, int]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)


@dataclass
class RoundResults:
    count: int  # the answers the tallies hold
    pending: int  # answers still pooled: not in the tallies yet
    statements: list[RoundStatement]  # each with .tops and .tips
    questions: list[QuestionResult]
    show_counts: bool
    show_open_answers: bool
    counts_min: int
    open_min: int


def round_results(*, feedback_round: FeedbackRound, counts: ResponseCounts | None = None) -> RoundResults:
    """Answers to a round as counts and averages, in four queries whatever the number of answers.
    Only moved answers count (pooled ones join with their batch), so the count and the tallies
    always agree. Below COUNTS_MIN_ANSWERS only the number of answers is shown; open answers from
    open_answers_min() on, shuffled on every render so their order says nothing about who answered
    when (the rows have no time and random keys, and batches are written shuffled, so the
    database order says nothing either)."""
    if counts is None:
        counts = response_counts(feedback_round=feedback_round)
    count = counts.moved
    statements = list(
        RoundStatement.objects.filter(round=feedback_round)
        .annotate(
            tops=_count_of(FeedbackTop, statement=OuterRef("pk")),
            tips=_count_of(FeedbackResponse, tip=OuterRef("pk")),
        )
        .order_by("position", "id")
    )
    questions = list(
        FeedbackQuestion.objects.filter(round=feedback_round)
        .annotate(
            answered=Count("answers"),
            average=Avg("answers__rating"),
        )
        .order_by("position", "id")
    )
    # Choices and open answers of all questions in one query: choice rows grouped, text rows as is.
    rows = list(
        FeedbackAnswer.objects.filter(question__round=feedback_round)
        .exclude(choice="", text="")
        .values("question_id", "choice", "text")
        .annotate(n=Count("id"))
        .order_by()
    )
    show_counts = count >= COUNTS_MIN_ANSWERS
    show_open = count >= open_answers_min()
    results = []
    for question in questions:
        result = QuestionResult(question=question, answered=question.answered)
        mine = [row for row in rows if row["question_id"] == question.pk]
        if question.kind == QuestionKind.RATING and question.average is not None:
            result.average = round(float(question.average), 1)
        elif question.kind == QuestionKind.CHOICE:
            tally = {row["choice"]: row["n"] for row in mine if row["choice"]}
            result.choices = [(choice, tally.get(choice, 0)) for choice in question.choices]
        elif question.kind == QuestionKind.TEXT and show_open:
            result.texts = [row["text"] for row in mine for _ in range(row["n"]) if row["text"]]
            _shuffle(result.texts)
        results.append(result)
    return RoundResults(
        count=count,
        pending=counts.pending,
        statements=statements,
        questions=results,
        show_counts=show_counts,
        show_open_answers=show_open,
        counts_min=COUNTS_MIN_ANSWERS,
        open_min=open_answers_min(),
    )


# --- The pupil's side ---------------------------------------------------------------------------


def round_by_code(*, code: str) -> FeedbackRound | None:
    """The round a pupil's code names, found before any tenant scope can be opened.

    Pupils have no account, so their request's scope is empty: the code is the only key they
    hold, and the school follows from the round. This is feedback's one unscoped read; the
    caller opens `tenancy.scope(school_ids=[round.school_id])` for everything after.
    """
    code = "".join((code or "").split()).upper()
    if not code or len(code) > FeedbackRound._meta.get_field("code").max_length:
        return None
    return (
        FeedbackRound.unscoped.filter(code=code)
        .only("id", "school_id", "title", "code", "max_tops", "closes_at", "closed_at", "device_key")
        .first()
    )


def device_answered(*, feedback_round: FeedbackRound, digest: str) -> bool:
    """Whether the device with this digest already answered the round."""
    return FeedbackDeviceMark.objects.filter(pk=digest, round_id=feedback_round.pk).exists()


# --- A pupil group's input --------------------------------------------------------------------


def goal_on_board(*, board, goal_id: int) -> Goal:
    """A goal of this board (DoesNotExist → the view's 404)."""
    return Goal.objects.get(pk=goal_id, board=board)


def pupil_inputs_of_goal(*, goal: Goal, limit: int = 50) -> list[PupilInput]:
    """What pupil groups said about a goal, newest week first (one query)."""
    return list(
        PupilInput.objects.filter(goal=goal).select_related("group", "recorded_by").order_by("-week", "-id")[:limit]
    )
