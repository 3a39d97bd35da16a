"""Reads of answering: a version's questions in their sections, and a teacher's open
invitations. Nothing here reads a Response or an Answer: no page of answering shows answers."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from barometer.models import Invitation, Question, QuestionnaireVersion, Section, WaveSchoolStatus


@dataclass(frozen=True)
class SectionQuestions:
    section: Section
    questions: list[Question]


def version_questions(*, version: QuestionnaireVersion) -> list[Question]:
    """The version's questions in the order the teacher answers them, each with its section (one
    query, whatever the number of sections)."""
    return list(
        Question.objects.filter(version=version)
        .select_related("section")
        .order_by("section__position", "section__id", "position", "id")
    )


def sections_of(questions: list[Question]) -> list[SectionQuestions]:
    """The questions grouped by section, in order; a section without questions is left out."""
    grouped: list[SectionQuestions] = []
    for question in questions:
        if not grouped or grouped[-1].section.pk != question.section_id:
            grouped.append(SectionQuestions(section=question.section, questions=[]))
        grouped[-1].questions.append(question)
    return grouped


def open_invitations_for(*, user) -> QuerySet[Invitation]:
    """The user's own invitations that can be answered now: not answered, the school's moment
    open and its deadline ahead; soonest deadline first."""
    return (
        Invitation.objects.filter(
            user=user,
            answered_at__isnull=True,
            wave_school__status=WaveSchoolStatus.OPEN,
            wave_school__closes_at__gt=timezone.now(),
        )
        .select_related("wave_school", "wave__version__questionnaire", "school")
        .order_by("wave_school__closes_at", "pk")
    )


def my_week_questionnaires(*, access, school_id: int) -> dict:
    """The barometer's section of "Mijn week" (registered in barometer.apps): the questionnaires
    that wait for the acting person in the school, soonest deadline first (one query). That one
    waits and until when: never what anyone answered."""
    return {"invitations": list(open_invitations_for(user=access.user_id).filter(school_id=school_id))}
