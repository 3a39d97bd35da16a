"""Questionnaires as data: admins write them in the app, never in code.

A questionnaire has versions. A version is a draft until it is published; a published version
never changes again (the services refuse), so answers given to it always mean what they meant.
Changing a questionnaire means a new draft version, copied from the last one. A question's `code`
is the item's stable name across versions: results over waves and correlations follow it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class QuestionnaireKind(models.TextChoices):
    BAROMETER = "barometer", _("Impact-barometer")
    CULTURE = "culture", _("Cultuursurvey")


class Questionnaire(models.Model):
    """A questionnaire of the programme (platform-wide, not a school's)."""

    slug = models.SlugField(_("code"), max_length=60, unique=True)
    kind = models.CharField(_("soort"), max_length=12, choices=QuestionnaireKind.choices)
    title = models.CharField(_("titel"), max_length=160)
    description = models.TextField(_("toelichting"), max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("vragenlijst")
        verbose_name_plural = _("vragenlijsten")

    def __str__(self):
        return self.title


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Concept")
    PUBLISHED = "published", _("Gepubliceerd")


class QuestionnaireVersion(models.Model):
    """One version of a questionnaire: what a wave asks and what its answers refer to."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField(_("versie"))
    status = models.CharField(max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    intro = models.TextField(_("inleiding voor de leraar"), max_length=2000, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["questionnaire", "-number"]
        verbose_name = _("versie van een vragenlijst")
        verbose_name_plural = _("versies van vragenlijsten")
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "number"], name="questionnaire_version_number_unique"),
            # At most one draft per questionnaire: the one being edited.
            models.UniqueConstraint(
                fields=["questionnaire"], condition=Q(status="draft"), name="questionnaire_one_draft"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False), name="questionnaire_published_has_date"
            ),
        ]

    def __str__(self):
        return f"{self.questionnaire} v{self.number}"

    @property
    def is_published(self) -> bool:
        return self.status == VersionStatus.PUBLISHED


class Section(models.Model):
    """A part of a version, in order. `component` names the learning-culture component (or the
    step of the impact staircase) its questions measure, for the results."""

    version = models.ForeignKey(QuestionnaireVersion, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(_("titel"), max_length=160)
    component = models.SlugField(_("onderdeel"), max_length=60, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("onderdeel")
        verbose_name_plural = _("onderdelen")

    def __str__(self):
        return self.title


class QuestionKind(models.TextChoices):
    LIKERT = "likert", _("Schaal 1–5 (helemaal oneens – helemaal eens)")
    AGREE = "agree", _("Eens / oneens")
    FREQUENCY = "frequency", _("Hoe vaak (nooit – wekelijks of vaker)")
    YES_NO = "yes_no", _("Ja / nee")
    SCALE = "scale", _("Cijfer 1–5")
    OPEN = "open", _("Open vraag")


# The answer options per kind, as (stored value, Dutch label). Scales store 1..5; the two-way
# kinds store 1 (eens / ja) and 0 (oneens / nee), so "% agree" is a mean of 0/1 values.
OPTIONS: dict[str, list[tuple[int, str]]] = {
    QuestionKind.LIKERT: [
        (1, _("Helemaal oneens")),
        (2, _("Oneens")),
        (3, _("Neutraal")),
        (4, _("Eens")),
        (5, _("Helemaal eens")),
    ],
    QuestionKind.AGREE: [(1, _("Eens")), (0, _("Oneens"))],
    QuestionKind.FREQUENCY: [
        (1, _("Nooit")),
        (2, _("Een paar keer per jaar")),
        (3, _("Maandelijks")),
        (4, _("Een paar keer per maand")),
        (5, _("Wekelijks of vaker")),
    ],
    QuestionKind.YES_NO: [(1, _("Ja")), (0, _("Nee"))],
    QuestionKind.SCALE: [(1, "1"), (2, "2"), (3, "3"), (4, "4"), (5, "5")],
    QuestionKind.OPEN: [],
}


class Question(models.Model):
    """One item of a version."""

    version = models.ForeignKey(QuestionnaireVersion, on_delete=models.CASCADE, related_name="questions")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    code = models.SlugField(_("itemcode"), max_length=60)
    kind = models.CharField(_("soort vraag"), max_length=10, choices=QuestionKind.choices)
    text = models.CharField(_("vraag"), max_length=300)
    help_text = models.CharField(_("toelichting"), max_length=300, blank=True)
    required = models.BooleanField(_("verplicht"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["section__position", "position", "id"]
        verbose_name = _("vraag")
        verbose_name_plural = _("vragen")
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="question_code_unique_per_version"),
        ]

    def __str__(self):
        return self.text

    @property
    def options(self) -> list[tuple[int, str]]:
        return OPTIONS[self.kind]
