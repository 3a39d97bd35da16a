"""The board's history: every change, who made it and when, field by field. Written only by the
board services; never changed (PostgreSQL refuses an update) and gone only with its board."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from leerkracht.tenancy import TenantModel


class Entity(models.TextChoices):
    BOARD = "board", _("bord")
    GOAL = "goal", _("doel")
    MEASUREMENT = "measurement", _("meting")
    ACTION = "action", _("actie")
    OBSTACLE = "obstacle", _("knelpunt")
    SUCCESS = "success", _("succes")
    SESSION = "session", _("bordsessie")
    CYCLE = "cycle", _("cyclus")


class Verb(models.TextChoices):
    CREATED = "created", _("toegevoegd")
    CHANGED = "changed", _("gewijzigd")
    DELETED = "deleted", _("verwijderd")


class BoardEvent(TenantModel):
    """One recorded change. `old` and `new` are the values as people saw them (display text)."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    board = models.ForeignKey("instruments.ImprovementBoard", on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    entity = models.CharField(max_length=12, choices=Entity.choices)
    entity_id = models.BigIntegerField()
    verb = models.CharField(max_length=8, choices=Verb.choices)
    field = models.CharField(max_length=40, blank=True)
    field_label = models.CharField(max_length=60, blank=True)
    old = models.TextField(blank=True)
    new = models.TextField(blank=True)

    class Meta(TenantModel.Meta):
        ordering = ["-at", "-id"]
        verbose_name = _("wijziging")
        verbose_name_plural = _("wijzigingen")
        indexes = [models.Index(fields=["board", "entity", "entity_id"]), models.Index(fields=["board", "-at"])]

    def __str__(self):
        return f"{self.get_entity_display()} {self.entity_id} {self.get_verb_display()}"
