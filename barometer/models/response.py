"""Anonymous answers (DESIGN.md §5), in two places.

`PendingResponse` is the pool: a submitted questionnaire waits here, sealed with the server's
key (`leerkracht.sealed`), from the moment the teacher submits until their school's moment
closes. The row is written in the same transaction that marks the invitation answered, so the
database can join it to the person (by transaction id, physical order); that is why it holds
nothing readable: no user, no invitation, no time, a random key, and the answers sealed and
padded to one length per questionnaire version, so not even the length of an open answer says
whose it is.

`Response` and `Answer` are the answers the results read. They are written only when the
school's moment closes (`barometer.services.answers.pending_responses_move`): all pooled answers
of that moment in one transaction, with fresh random keys, in a shuffled order. So every answer
of a school's moment shares one transaction id that marked nobody as answered, and the physical
order follows nothing: the rows cannot be joined to an invitation, only grouped by school, team,
wave and version for aggregation, which never shows a group smaller than the suppression
threshold. The results count closed moments only, so nothing is missing from them while answers
wait in the pool."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q

from leerkracht.tenancy import TenantModel


class PendingResponse(TenantModel):
    """One submitted questionnaire waiting, sealed, for its school's moment to close. The moment
    (`wave_school`) says when it is moved; school, team, wave and version are what the moved
    Response will carry, and nothing else is kept in the clear."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey("schools.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    wave = models.ForeignKey("barometer.Wave", on_delete=models.CASCADE, related_name="+")
    wave_school = models.ForeignKey("barometer.WaveSchool", on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey("barometer.QuestionnaireVersion", on_delete=models.PROTECT, related_name="+")
    # The answers per question id, sealed with the server's key and padded (see the services).
    sealed = models.TextField()


class Response(TenantModel):
    """One teacher's submitted questionnaire, moved out of the pool at the close of the school's
    moment (see the module docstring)."""

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
