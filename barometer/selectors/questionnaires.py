"""Reads of questionnaires for the admins who write them (Capability.NATIONAL_VIEW). Questionnaires
are platform objects, not a school's: the capability is the whole rule, and without it these
find nothing (deny by default, also if a view forgot its declaration)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Max, Prefetch, Q, QuerySet

from barometer.models import Question, Questionnaire, QuestionnaireVersion, Section, VersionStatus
from leerkracht.access import Access
from leerkracht.roles import Capability

# Suggested `component` values: the steps of the impact staircase (effecttrap) and the six
# components of the learning-culture survey, as the shipped questionnaires use them.
STAIRCASE_COMPONENTS = ["implementation", "enthusiasm", "learning_culture", "teaching_practice", "pupil_results"]
CULTURE_COMPONENTS = [
    "shared_goals",
    "collaboration",
    "feedback_culture",
    "continuous_improvement",
    "pupil_voice",
    "leadership",
]


def _may_edit(access: Access) -> bool:
    return access.can(Capability.NATIONAL_VIEW)


def questionnaire_list(*, access: Access) -> QuerySet[Questionnaire]:
    """Every questionnaire with its number of versions, its latest published version number and
    whether a draft is open (one query)."""
    if not _may_edit(access):
        return Questionnaire.objects.none()
    return Questionnaire.objects.annotate(
        version_count=Count("versions"),
        published_number=Max("versions__number", filter=Q(versions__status=VersionStatus.PUBLISHED)),
        draft_number=Max("versions__number", filter=Q(versions__status=VersionStatus.DRAFT)),
    ).order_by("title")


def questionnaire_get(*, access: Access, questionnaire_id: int) -> Questionnaire:
    """One questionnaire; DoesNotExist for a missing id or a user without the capability."""
    if not _may_edit(access):
        raise Questionnaire.DoesNotExist
    return Questionnaire.objects.get(pk=questionnaire_id)


def questionnaire_versions(*, questionnaire: Questionnaire) -> list[QuestionnaireVersion]:
    """The questionnaire's versions, newest first, each with its numbers of sections and
    questions and who made it."""
    return list(
        QuestionnaireVersion.objects.filter(questionnaire=questionnaire)
        .select_related("created_by")
        .annotate(
            section_count=Count("sections", distinct=True),
            question_count=Count("questions", distinct=True),
        )
        .order_by("-number")
    )


def version_get(*, access: Access, questionnaire_id: int, version_id: int) -> QuestionnaireVersion:
    """A version of the questionnaire in the URL (a version of another questionnaire is missing
    too), with its questionnaire; DoesNotExist without the capability."""
    if not _may_edit(access):
        raise QuestionnaireVersion.DoesNotExist
    return QuestionnaireVersion.objects.select_related("questionnaire").get(
        pk=version_id, questionnaire_id=questionnaire_id
    )


@dataclass
class VersionContents:
    """A version's sections in order, each with `items` (its questions in order)."""

    sections: list[Section] = field(default_factory=list)

    @property
    def question_count(self) -> int:
        return sum(len(s.items) for s in self.sections)

    def section(self, section_id: int | None) -> Section | None:
        return next((s for s in self.sections if s.pk == section_id), None)

    def question(self, question_id: int | None) -> Question | None:
        return next((q for s in self.sections for q in s.items if q.pk == question_id), None)


def version_contents(*, version: QuestionnaireVersion) -> VersionContents:
    """The sections and questions of a version (two queries, whatever their number)."""
    questions = Question.objects.order_by("position", "id")
    sections = (
        Section.objects.filter(version=version)
        .order_by("position", "id")
        .prefetch_related(Prefetch("questions", queryset=questions, to_attr="items"))
    )
    return VersionContents(sections=list(sections))


def version_draft_of(*, questionnaire_id: int) -> QuestionnaireVersion | None:
    """The questionnaire's open draft, if there is one."""
    return QuestionnaireVersion.objects.filter(questionnaire_id=questionnaire_id, status=VersionStatus.DRAFT).first()
