"""Feedback (stem van de leerling) in use for the demo: the demo teacher's Groep 7 with the six criteria the
class agreed, a round held after a lesson (closed, fourteen anonymous answers), a round open now
(closing in an hour, two answers so far) and what a few pupils said about the team board's first
goal. Built through the services, deterministic and idempotent: a teacher who already has rounds in
the school, and a board that already has pupils' input, are left alone."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from instruments.models import (
    BoardKind,
    FeedbackCriterion,
    FeedbackRound,
    Goal,
    ImprovementBoard,
    LessonDesign,
    PupilInput,
    QuestionKind,
    RoundStatement,
)
from instruments.services import feedback as services
from instruments.services.groups import pupil_group_get_or_create
from leerkracht import clock
from schools.models import School, Team, User

GROUP = "Groep 7"

CRITERIA = [
    "Ik wist wat het doel van de les was.",
    "De uitleg was duidelijk.",
    "Ik kreeg genoeg tijd om na te denken.",
    "Ik kon hulp vragen als ik vastliep.",
    "Het was rustig genoeg om te werken.",
    "Ik mocht laten zien wat ik al kon.",
]


@dataclass(frozen=True)
class Answer:
    tops: tuple[int, ...]  # positions in CRITERIA, counted from 0
    tip: int
    rating: int | None = None
    text: str = ""


# What the class said after the lesson on predicting: the goal and the explanation land, thinking
# time is what they ask for. Fixed, so every demo shows the same results.
CLOSED_ANSWERS = [
    Answer((0, 1, 5), 2, 4, "Meer tijd om mijn voorspelling op te schrijven."),
    Answer((0, 1), 2, 4),
    Answer((1, 3), 2, 3, "Ik wil de plaatjes langer bekijken."),
    Answer((0, 4), 2, 5),
    Answer((0, 1, 3), 4, 4, "Het was soms te druk bij het samen lezen."),
    Answer((1,), 2, 3),
    Answer((0, 5), 2, 5, "Leuk dat we mochten raden!"),
    Answer((1, 3, 4), 2, 4),
    Answer((0, 1), 4, 2, "Ik snapte niet wat een voorspelling is."),
    Answer((0, 3), 2, 4),
    Answer((1, 5), 2, 5),
    Answer((0, 1, 4), 3, 4, "Meer tijd om na te denken voordat de stokjes komen."),
    Answer((4, 5), 2, 3),
    Answer((0, 1), 2, 4),
]
OPEN_ANSWERS = [
    Answer((1, 2), 4),
    Answer((0, 2, 3), 5),
]


def seed_feedback(*, school: School, team: Team, teacher: User) -> list[FeedbackRound]:
    """Groep 7 of `team` with six criteria, one closed round with fourteen answers and one open
    round with two, both of `teacher`. Returns the teacher's rounds in the school; adds nothing
    when there are some."""
    existing = list(FeedbackRound.objects.filter(school=school, teacher=teacher).order_by("opened_at", "id"))
    if existing:
        return existing
    with transaction.atomic():
        group = pupil_group_get_or_create(school_id=school.pk, name=GROUP, team_id=team.pk)
        agreed = set(FeedbackCriterion.objects.filter(group=group, archived=False).values_list("text", flat=True))
        for text in CRITERIA:
            if text not in agreed:
                services.feedback_criterion_add(group=group, text=text)
        return [_closed_round(school=school, group=group, teacher=teacher), _open_round(school, group, teacher)]


def _submit(feedback_round: FeedbackRound, answers: list[Answer]) -> None:
    statements = {s.text: s for s in RoundStatement.objects.filter(round=feedback_round)}
    by_position = [statements[text] for text in CRITERIA]
    questions = list(feedback_round.questions.order_by("position", "id"))
    rating = next((q for q in questions if q.kind == QuestionKind.RATING), None)
    open_question = next((q for q in questions if q.kind == QuestionKind.TEXT), None)
    for answer in answers:
        values = {}
        if rating is not None and answer.rating is not None:
            values[rating.pk] = answer.rating
        if open_question is not None and answer.text:
            values[open_question.pk] = answer.text
        # Each pupil answers on their own device: a fresh random value, as the device cookie has.
        services.feedback_response_submit(
            feedback_round=feedback_round,
            device_value=secrets.token_urlsafe(32),
            top_ids=[by_position[n].pk for n in answer.tops],
            tip_id=by_position[answer.tip].pk,
            answers=values,
        )


def _closed_round(*, school: School, group, teacher: User) -> FeedbackRound:
    design = LessonDesign.objects.filter(school=school, title="Voorspellen bij een informatieve tekst").first()
    feedback_round = services.feedback_round_open(
        school_id=school.pk,
        teacher=teacher,
        group=group,
        title="Begrijpend lezen: voorspellen",
        closes_at=timezone.now() + dt.timedelta(minutes=30),
        lesson_design=design,
        questions=[
            services.QuestionSpec(kind=QuestionKind.RATING, text="Hoe goed kun je nu een voorspelling doen?"),
            services.QuestionSpec(kind=QuestionKind.TEXT, text="Wat zou je de volgende keer anders willen?"),
        ],
    )
    _submit(feedback_round, CLOSED_ANSWERS)
    services.feedback_round_close(feedback_round=feedback_round)
    # Demo only: the service opens rounds now (rightly), so the round held after the lesson is
    # moved back to that lesson's day, at the end of the morning. Answers carry no time at all.
    day = design.planned_on if design and design.planned_on else timezone.localdate() - dt.timedelta(days=2)
    opened_at = clock.instant(day, dt.time(11, 50))
    FeedbackRound.objects.filter(pk=feedback_round.pk).update(
        opened_at=opened_at,
        closes_at=opened_at + dt.timedelta(minutes=30),
        closed_at=opened_at + dt.timedelta(minutes=12),
    )
    feedback_round.refresh_from_db()
    return feedback_round


def _open_round(school: School, group, teacher: User) -> FeedbackRound:
    feedback_round = services.feedback_round_open(
        school_id=school.pk,
        teacher=teacher,
        group=group,
        title="Rekenen: breuken op de getallenlijn",
        closes_at=timezone.now() + dt.timedelta(hours=1),
    )
    _submit(feedback_round, OPEN_ANSWERS)
    return feedback_round


def seed_pupil_input(*, board: ImprovementBoard, teacher: User) -> PupilInput | None:
    """What five pupils of Groep 7 said last week about the first goal of the team board; the
    board's existing input when it has some, None when the board has no goal."""
    existing = PupilInput.objects.filter(board=board).order_by("id").first()
    if existing is not None or board.kind != BoardKind.TEAM:
        return existing
    goal = Goal.objects.filter(board=board).order_by("position", "id").first()
    if goal is None:
        return None
    return services.pupil_input_record(
        board=board,
        goal=goal,
        user=teacher,
        group_name=GROUP,
        week=clock.this_week() - dt.timedelta(weeks=1),
        pupils=5,
        what_helps="Zelf een boek kiezen, en dat de juf ook leest tijdens het leesuur.",
        suggestions="Een ruilkast in de gang, zodat we boeken van andere groepen kunnen lenen. "
        "Eén keer per week een boekenkring waarin iemand over zijn boek vertelt.",
    )
