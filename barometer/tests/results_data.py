"""Answer sets for the results tests: anonymous responses written straight to the tables, as the
close of a moment leaves them (`pending_responses_move`; the answering path has its own tests)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.utils import timezone

from barometer.models import Answer, Question, Response, WaveSchool, WaveSchoolStatus


def moment_for(*, wave, school, status: str = WaveSchoolStatus.CLOSED) -> WaveSchool:
    """The school's moment in the wave (made closed unless said otherwise)."""
    opens = timezone.now() - dt.timedelta(days=30)
    moment, _ = WaveSchool.objects.get_or_create(
        wave=wave,
        school=school,
        defaults={
            "opens_on": opens.date(),
            "opens_at": opens,
            "closes_at": opens + dt.timedelta(days=21),
            "status": status,
            "opened_at": opens,
            "closed_at": opens + dt.timedelta(days=21) if status == WaveSchoolStatus.CLOSED else None,
        },
    )
    return moment


def responses_add(
    *, wave, school, team, answers: list[Mapping[str, int | str | None]], status: str = WaveSchoolStatus.CLOSED
) -> None:
    """One Response per mapping of item code → value (an int) or text (a str) for the wave's
    version, in the school's moment of the wave (closed unless said otherwise)."""
    moment_for(wave=wave, school=school, status=status)
    questions = {question.code: question for question in Question.objects.filter(version_id=wave.version_id)}
    rows = []
    for given in answers:
        response = Response.objects.create(school=school, team=team, wave=wave, version_id=wave.version_id)
        for code, value in given.items():
            if value is None:
                continue
            question = questions[code]
            rows.append(
                Answer(
                    school=school,
                    team=team,
                    wave=wave,
                    response=response,
                    question=question,
                    value=value if isinstance(value, int) else None,
                    text=value if isinstance(value, str) else "",
                )
            )
    Answer.objects.bulk_create(rows)
