"""Gezamenlijk lesontwerp: two or more teachers design a lesson together, give it, and evaluate
whether the pupils reached its goal. Designs form a school library that can be searched, copied
and shared with another team of the same school."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from leerkracht.tenancy import TenantModel


class DesignStatus(models.TextChoices):
    DRAFT = "draft", _("Concept")
    READY = "ready", _("Klaar")
    GIVEN = "given", _("Gegeven")
    EVALUATED = "evaluated", _("Geëvalueerd")


class GoalReached(models.TextChoices):
    YES = "yes", _("Ja")
    PARTLY = "partly", _("Gedeeltelijk")
    NO = "no", _("Nee")


class LessonDesign(TenantModel):
    """A lesson designed together. It belongs to the team that made it; its authors (two or
    more teachers of the school) edit it; teams it is shared with may read and copy it."""

    MIN_AUTHORS = 2

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey("schools.Team", on_delete=models.CASCADE, related_name="lesson_designs")
    title = models.CharField(_("titel"), max_length=120)
    subject = models.CharField(_("vak of leergebied"), max_length=80)
    group = models.ForeignKey("instruments.PupilGroup", on_delete=models.PROTECT, related_name="lesson_designs")
    planned_on = models.DateField(_("geplande datum"), null=True, blank=True)
    lesson_goal = models.TextField(_("lesdoel"), max_length=1000)
    success_criteria = models.TextField(_("succescriteria"), max_length=2000, blank=True)
    checks = models.TextField(_("zo checken we tijdens de les"), max_length=2000, blank=True)
    activities = models.TextField(_("activiteiten"), max_length=4000, blank=True)
    goal = models.ForeignKey(
        "instruments.Goal", on_delete=models.SET_NULL, null=True, blank=True, related_name="lesson_designs"
    )
    status = models.CharField(_("status"), max_length=10, choices=DesignStatus.choices, default=DesignStatus.DRAFT)
    goal_reached = models.CharField(_("doel bereikt"), max_length=8, choices=GoalReached.choices, blank=True)
    evaluation = models.TextField(_("wat zagen we bij de leerlingen"), max_length=2000, blank=True)
    next_step = models.TextField(_("wat doen we nu"), max_length=2000, blank=True)
    evaluated_at = models.DateTimeField(null=True, blank=True)
    authors = models.ManyToManyField(settings.AUTH_USER_MODEL, through="LessonDesignAuthor", related_name="+")
    shared_with = models.ManyToManyField("schools.Team", through="LessonDesignShare", related_name="+")
    copied_from = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies")
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Who saved the stored version and when: what an edit conflict tells the next person.
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(TenantModel.Meta):
        ordering = ["-planned_on", "-id"]
        verbose_name = _("lesontwerp")
        verbose_name_plural = _("lesontwerpen")
        indexes = [models.Index(fields=["school", "status"]), models.Index(fields=["school", "subject"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="evaluated") | Q(evaluated_at__isnull=True), name="design_evaluated_at_status"
            ),
        ]

    def __str__(self):
        return self.title


class LessonDesignAuthor(TenantModel):
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    design = models.ForeignKey(LessonDesign, on_delete=models.CASCADE, related_name="authorships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta(TenantModel.Meta):
        constraints = [models.UniqueConstraint(fields=["design", "user"], name="design_author_unique")]


class LessonDesignShare(TenantModel):
    """A design shared with another team of the same school (read and copy)."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    design = models.ForeignKey(LessonDesign, on_delete=models.CASCADE, related_name="shares")
    team = models.ForeignKey("schools.Team", on_delete=models.CASCADE, related_name="+")
    shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    shared_at = models.DateTimeField(auto_now_add=True)

    class Meta(TenantModel.Meta):
        constraints = [models.UniqueConstraint(fields=["design", "team"], name="design_share_unique")]


class LessonDesignTechnique(TenantModel):
    """A teaching technique (doorloopje) a design uses. The link point for the academy's
    technique library: `technique_code` is the technique's stable code, so once the library
    lands this row gains a foreign key without rewriting any design."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    design = models.ForeignKey(LessonDesign, on_delete=models.CASCADE, related_name="techniques")
    technique_code = models.SlugField(_("techniek"), max_length=64)

    class Meta(TenantModel.Meta):
        ordering = ["technique_code"]
        constraints = [
            models.UniqueConstraint(fields=["design", "technique_code"], name="design_technique_unique"),
        ]
        indexes = [models.Index(fields=["school", "technique_code"])]
