"""Stem van de leerling: pupils give feedback at the end of a lesson, and once a period a small
group of pupils gives input on the team's goals and actions.

Anonymity (DESIGN.md §5): pupils have no account and nothing stored identifies them, and no key,
time, physical order, sequence or transaction id joins an answer to the device that gave it.
- A `FeedbackResponse` (with its `FeedbackTop` and `FeedbackAnswer` rows) holds only what was
  chosen and typed: no time, no address, no browser, no cookie, random keys.
- "One answer per device" is kept apart in `FeedbackDeviceMark`: a keyed hash of a random
  per-device value, with no link to the answer it allowed and a random-looking key of its own.
- The two are never written together. The transaction that writes a pupil's mark writes the
  answer as a `PendingFeedback`: sealed with the server's key (leerkracht/sealed.py), so the row
  that shares the mark's transaction says nothing. A later transaction of its own moves a batch
  of the round's pool into the answer tables in a shuffled order, with fresh keys, and deletes
  the pooled rows: at least COUNTS_MIN_ANSWERS at a time while the round is open, the remainder
  when it closes. Transaction ids and physical order then point at a batch, never at one answer
  (the smallest batch is the remainder at the close; see the services).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from leerkracht.tenancy import TenantModel


class FeedbackCriterion(TenantModel):
    """One of a class's own criteria: a positive statement the class agreed on ("De uitleg was
    duidelijk"). Kept per group and reused; archived rather than deleted, so past rounds keep
    their words."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey("instruments.PupilGroup", on_delete=models.CASCADE, related_name="criteria")
    text = models.CharField(_("uitspraak"), max_length=160)
    position = models.PositiveSmallIntegerField(default=0)
    archived = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)  # of the words: an edit names the one it started from
    # Who wrote the stored words and when (none: as the class first agreed them): an edit conflict says so.
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta(TenantModel.Meta):
        ordering = ["position", "id"]
        verbose_name = _("criterium")
        verbose_name_plural = _("criteria")

    def __str__(self):
        return self.text


class FeedbackRound(TenantModel):
    """A feedback round a teacher opens for a lesson or a group. Pupils find it by its short code
    (or QR code / short URL); it closes at `closes_at` or by hand."""

    MIN_STATEMENTS, MAX_STATEMENTS = 5, 10

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    teacher = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey("instruments.PupilGroup", on_delete=models.PROTECT, related_name="feedback_rounds")
    lesson_design = models.ForeignKey(
        "instruments.LessonDesign", on_delete=models.SET_NULL, null=True, blank=True, related_name="feedback_rounds"
    )
    title = models.CharField(_("les of onderwerp"), max_length=120)
    code = models.CharField(_("code"), max_length=8, unique=True)
    max_tops = models.PositiveSmallIntegerField(_("aantal tops"), default=3)
    opened_at = models.DateTimeField()
    closes_at = models.DateTimeField(_("sluit om"))
    closed_at = models.DateTimeField(null=True, blank=True)
    # The key of the keyed hash in FeedbackDeviceMark: per round, so marks of two rounds cannot be
    # compared to follow one device from round to round.
    device_key = models.CharField(max_length=64)
    version = models.PositiveIntegerField(default=1)

    class Meta(TenantModel.Meta):
        ordering = ["-opened_at"]
        verbose_name = _("feedbackronde")
        verbose_name_plural = _("feedbackrondes")
        indexes = [models.Index(fields=["school", "teacher", "opened_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opened_at")), name="round_closes_after_open"),
        ]

    def __str__(self):
        return self.title


class RoundStatement(TenantModel):
    """A criterion as it stood when the round opened: the words pupils answered to."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(FeedbackRound, on_delete=models.CASCADE, related_name="statements")
    criterion = models.ForeignKey(FeedbackCriterion, on_delete=models.SET_NULL, null=True, related_name="+")
    text = models.CharField(max_length=160)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta(TenantModel.Meta):
        ordering = ["position", "id"]


class QuestionKind(models.TextChoices):
    RATING = "rating", _("Cijfer 1–5")
    CHOICE = "choice", _("Meerkeuze")
    TEXT = "text", _("Kort antwoord")


class FeedbackQuestion(TenantModel):
    """An optional short question of a round."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(FeedbackRound, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(max_length=8, choices=QuestionKind.choices)
    text = models.CharField(_("vraag"), max_length=200)
    choices = models.JSONField(default=list, blank=True)  # for CHOICE: 2–6 short options
    position = models.PositiveSmallIntegerField(default=0)

    class Meta(TenantModel.Meta):
        ordering = ["position", "id"]


class FeedbackResponse(TenantModel):
    """One pupil's answer to a round: the tops, the tip and the answers to its questions, written
    in a batch moved from the pool. See the module docstring for what is deliberately absent."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(FeedbackRound, on_delete=models.CASCADE, related_name="responses")
    tip = models.ForeignKey(RoundStatement, on_delete=models.CASCADE, related_name="tipped_in")
    tops = models.ManyToManyField(RoundStatement, through="FeedbackTop", related_name="+")

    class Meta(TenantModel.Meta):
        indexes = [models.Index(fields=["round"])]


class FeedbackTop(TenantModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    response = models.ForeignKey(FeedbackResponse, on_delete=models.CASCADE, related_name="top_rows")
    statement = models.ForeignKey(RoundStatement, on_delete=models.CASCADE, related_name="top_rows")

    class Meta(TenantModel.Meta):
        constraints = [models.UniqueConstraint(fields=["response", "statement"], name="feedback_top_unique")]


class FeedbackAnswer(TenantModel):
    """The answer to one question: a rating, a choice or a short text."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    response = models.ForeignKey(FeedbackResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(FeedbackQuestion, on_delete=models.CASCADE, related_name="answers")
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    choice = models.CharField(max_length=80, blank=True)
    text = models.CharField(max_length=280, blank=True)

    class Meta(TenantModel.Meta):
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="feedback_answer_one_per_question"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_to_5"
            ),
        ]


class FeedbackDeviceMark(TenantModel):
    """That some device answered a round: HMAC(round.device_key, random device value). The key is
    the digest itself (no sequence to line up with answers) and nothing links it to a response:
    its transaction wrote only the sealed `PendingFeedback` beside it."""

    digest = models.CharField(max_length=64, primary_key=True)
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(FeedbackRound, on_delete=models.CASCADE, related_name="+")


class PendingFeedback(TenantModel):
    """A pupil's answer waiting in its round's pool, sealed with the server's key: written in the
    transaction that writes the device's mark, opened and deleted by the one that moves a batch of
    the pool into FeedbackResponse/FeedbackTop/FeedbackAnswer. A random key, the school, the round
    and the sealed text: nothing else, so the row beside the mark says nothing (not even while a
    backup or a dead row version outlives it)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(FeedbackRound, on_delete=models.CASCADE, related_name="pool")
    sealed = models.TextField()

    class Meta(TenantModel.Meta):
        indexes = [models.Index(fields=["round"])]


class PupilInput(TenantModel):
    """Once a period a small group of pupils gives input on the team's goals and actions. It is
    attached to a goal on the team board, so the team sees it at its next board session."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    board = models.ForeignKey("instruments.ImprovementBoard", on_delete=models.CASCADE, related_name="pupil_inputs")
    goal = models.ForeignKey("instruments.Goal", on_delete=models.CASCADE, related_name="pupil_inputs")
    group = models.ForeignKey(
        "instruments.PupilGroup", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    week = models.DateField(_("week"))  # a Monday
    pupils = models.PositiveSmallIntegerField(_("aantal leerlingen"))
    what_helps = models.TextField(_("wat helpt ons"), max_length=2000, blank=True)
    suggestions = models.TextField(_("ideeën van de leerlingen"), max_length=2000)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantModel.Meta):
        ordering = ["-week", "-id"]
        verbose_name = _("inbreng van leerlingen")
        verbose_name_plural = _("inbreng van leerlingen")
        indexes = [models.Index(fields=["board", "week"])]
