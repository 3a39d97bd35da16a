"""Factories for the barometer's waves. Wave schools are planned through `wave_plan`, as in
production; these only build what the services start from."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from barometer.models import (
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireKind,
    QuestionnaireVersion,
    Section,
    VersionStatus,
    Wave,
    WaveTiming,
)


class QuestionnaireFactory(DjangoModelFactory):
    class Meta:
        model = Questionnaire
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"barometer-{n}")
    kind = QuestionnaireKind.BAROMETER
    title = factory.Sequence(lambda n: f"Impact-barometer {n}")


class PublishedVersionFactory(DjangoModelFactory):
    """A published version with one section and one Likert question."""

    class Meta:
        model = QuestionnaireVersion
        skip_postgeneration_save = True

    questionnaire = factory.SubFactory(QuestionnaireFactory)
    number = 1
    status = VersionStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
    intro = "Zes maanden na de start willen we weten hoe het gaat."

    @factory.post_generation
    def questions(self, create, extracted, **kwargs):
        if not create:
            return
        section = Section.objects.create(version=self, title="Wat het programma doet", position=1)
        Question.objects.create(
            version=self,
            section=section,
            code="helpt-resultaten",
            kind=QuestionKind.LIKERT,
            text="Het programma helpt de resultaten van mijn leerlingen.",
            position=1,
        )


class WaveFactory(DjangoModelFactory):
    """A wave on a fixed date (pass timing=RELATIVE with months_after_start for the other kind)."""

    class Meta:
        model = Wave

    version = factory.SubFactory(PublishedVersionFactory)
    name = factory.Sequence(lambda n: f"Meting {n}")
    timing = WaveTiming.FIXED
    fixed_date = dt.date(2026, 6, 15)
    months_after_start = None
    open_time = dt.time(7, 30)
    answer_days = 21
    reminder_days = 7
