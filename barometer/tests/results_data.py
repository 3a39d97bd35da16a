"""Answer sets for the results tests: anonymous responses written straight to the tables, as
`response_submit` leaves them (the answering path has its own tests)."""

from __future__ import annotations

from collections.abc import Mapping

from barometer.models import Answer, Question, Response


def responses_add(*, wave, school, team, answers: list[Mapping[str, int | str | None]]) -> None:
    """One Response per mapping of item code → value (an int) or text (a str) for the wave's version."""
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
