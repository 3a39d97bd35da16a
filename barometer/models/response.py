"""Anonymous answers (DESIGN.md §5). A `Response` is one teacher's submitted questionnaire with
no link to the person: no user, no invitation, no time, and a random key, so neither id order
nor a timestamp can line it up with `Invitation.answered_at`. It keeps the school and team
only for aggregation, which never shows a group smaller than the suppression threshold."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q

from leerkracht.tenancy import TenantModel


class Response(TenantModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey("schools.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    wave = models.ForeignKey("barometer.Wave", on_delete=models.CASCADE, related_name="responses")
    version = models.ForeignKey("barometer.QuestionnaireVersion", on_delete=models.PROTECT, related_name="+")

    class Meta(TenantModel.Meta):
        indexes = [models.Index(fields=["wave", "school"])]


class Answer(TenantModel):
    """One answer. Wave, school and team are repeated from the response so results group the
    rows in PostgreSQL without a join (a million answers per wave is the budget)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey("schools.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    wave = models.ForeignKey("barometer.Wave", on_delete=models.CASCADE, related_name="+")
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey("barometer.Question", on_delete=models.PROTECT, related_name="answers")
    value = models.SmallIntegerField(null=True, blank=True)
    text = models.TextField(max_length=2000, blank=True)

    class Meta(TenantModel.Meta):
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_one_per_question"),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0, value__lte=5), name="answer_value_0_5"
            ),
        ]
        indexes = [models.Index(fields=["wave", "question", "school"])]
