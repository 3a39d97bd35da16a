"""Demo barometer data: two closed barometer waves and one closed learning-culture survey for
the demo's participating schools, answered through the services as teachers would, so the result
pages, the trend and the impact staircase have something to show. Idempotent: a wave that
already exists (by name) is left alone.

The moments are planned on their real (past) dates, then opened and closed now: answering is
only possible while a moment is open, and the services read the clock themselves. Invitations
are made but not mailed (the demo has nobody to mail), and the teachers' answers are submitted
per school in bulk into the pool, as online answers are: the whole demo takes seconds, not
minutes. Closing the moments moves the pool into the answer tables, which the demo does itself
right after the closing tick (as the tick's task would), so the results are there whether or not a
worker runs.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.utils import timezone

from barometer.models import (
    Invitation,
    Question,
    QuestionKind,
    QuestionnaireVersion,
    VersionStatus,
    Wave,
    WaveSchool,
    WaveSchoolStatus,
    WaveTiming,
)
from barometer.services.answers import pending_responses_move, responses_submit_many
from barometer.services.waves import barometer_tick, wave_plan, wave_schools_invite, wave_schools_open_due
from leerkracht import tenancy

REMARKS = [
    "Het bord geeft onze teamvergadering eindelijk richting.",
    "Lesbezoeken voelen veiliger sinds we ze samen voorbereiden.",
    "Soms lastig om de twee uur per week echt vrij te houden.",
    "De leerlingen vinden het geweldig dat hun feedback iets verandert.",
    "Meer tijd voor lesontwerp zou helpen.",
    "Onze schoolcoach laat ons steeds meer zelf doen, dat werkt.",
    "In drukke weken schiet de bordsessie er wel eens bij in.",
    "Ik leer veel van kijken bij collega's.",
]


@dataclass(frozen=True)
class DemoWave:
    name: str
    slug: str  # the questionnaire
    fixed_date: dt.date
    mood: float  # how positive the teachers are, 0..1


WAVES = [
    DemoWave("Barometer najaar 2025", "impact-barometer", dt.date(2025, 11, 17), 0.62),
    DemoWave("Cultuursurvey voorjaar 2026", "leercultuur", dt.date(2026, 3, 16), 0.66),
    DemoWave("Barometer najaar 2026", "impact-barometer", dt.date(2026, 11, 16), 0.70),
]
FREQUENCY_HABITS = {  # (most likely answer, spread) per instrument
    "use_board": (5, 1),
    "use_lesson_visit": (4, 1),
    "use_lesson_design": (3, 1),
    "use_pupil_voice": (3, 2),
}


def _answer(question: Question, *, rng: random.Random, mood: float, enthusiasm: int) -> int | str | None:
    kind = question.kind
    if kind == QuestionKind.OPEN:
        return rng.choice(REMARKS) if rng.random() < 0.45 else ""
    if kind in (QuestionKind.AGREE, QuestionKind.YES_NO):
        return int(rng.random() < mood + (enthusiasm - 3) * 0.08)
    if question.code == "enthusiasm":
        return enthusiasm
    if question.code == "coach_appreciation":  # goes with enthusiasm (r ≈ 0.5 in the programme)
        return max(1, min(5, enthusiasm + rng.choice([-1, 0, 0, 1])))
    if kind == QuestionKind.FREQUENCY:
        usual, spread = FREQUENCY_HABITS.get(question.code, (3, 1))
        return max(1, min(5, usual + rng.randint(-spread, spread // 2)))
    return max(1, min(5, round(rng.gauss(2.4 + 2.2 * mood, 0.9))))


def _run(demo: DemoWave, *, rng: random.Random, now: dt.datetime) -> Wave | None:
    version = (
        QuestionnaireVersion.objects.filter(questionnaire__slug=demo.slug, status=VersionStatus.PUBLISHED)
        .order_by("-number")
        .first()
    )
    if version is None or Wave.objects.filter(name=demo.name).exists():
        return None
    wave = Wave.objects.create(
        version=version, name=demo.name, timing=WaveTiming.FIXED, fixed_date=demo.fixed_date, answer_days=21
    )
    wave_plan(wave=wave, now=now, include_past=True)
    WaveSchool.objects.filter(wave=wave).update(
        opens_at=now - dt.timedelta(minutes=5), closes_at=now + dt.timedelta(days=1)
    )
    opened = wave_schools_open_due(now=now)
    school_ids = sorted({school_id for _pk, school_id in opened})
    with tenancy.scope(school_ids=school_ids):
        wave_schools_invite(school_ids=school_ids, wave_school_ids=[pk for pk, _school_id in opened], mail=False)
    questions = list(Question.objects.filter(version=version).order_by("section__position", "position"))
    by_moment: dict[int, list] = {}
    school_mood: dict[int, float] = {}
    for invitation in Invitation.objects.filter(wave=wave).order_by("pk"):
        if rng.random() > 0.85:
            continue  # not everyone answers
        mood = school_mood.setdefault(invitation.school_id, demo.mood + rng.uniform(-0.12, 0.12))
        enthusiasm = max(1, min(5, round(rng.gauss(1.4 + 3 * mood, 0.8))))
        answers = {q.pk: _answer(q, rng=rng, mood=mood, enthusiasm=enthusiasm) for q in questions}
        by_moment.setdefault(invitation.wave_school_id, []).append((invitation, answers))
    for wave_school in WaveSchool.objects.filter(wave=wave, pk__in=list(by_moment)).select_related("wave"):
        responses_submit_many(wave_school=wave_school, questions=questions, submissions=by_moment[wave_school.pk])
    WaveSchool.objects.filter(wave=wave, status=WaveSchoolStatus.OPEN).update(closes_at=now - dt.timedelta(seconds=1))
    barometer_tick(now=now)
    pending_responses_move(wave_school_ids=WaveSchool.objects.filter(wave=wave).values_list("pk", flat=True))
    return wave


def seed_demo_barometer(*, seed: int = 2026) -> list[Wave]:
    """Run the demo waves that do not exist yet; returns the waves made."""
    rng = random.Random(seed)
    made = []
    for demo in WAVES:
        wave = _run(demo, rng=rng, now=timezone.now())
        if wave is not None:
            made.append(wave)
    return made
