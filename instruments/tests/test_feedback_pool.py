"""Pupils' answers wait sealed in a pool and move into the answer tables in shuffled batches, in a
transaction of their own: the batch of three that the live results need, the remainder when the
round closes (by hand, by the beat sweep, or when its results are read after its time ran out)."""

from __future__ import annotations

import base64
import datetime as dt
import threading

import pytest
from django.db import connection, transaction
from django.test import Client, TestCase
from django.utils import timezone

from instruments import tasks
from instruments.models import (
    FeedbackAnswer,
    FeedbackDeviceMark,
    FeedbackResponse,
    FeedbackRound,
    FeedbackTop,
    PendingFeedback,
)
from instruments.selectors.feedback import COUNTS_MIN_ANSWERS
from instruments.services import feedback as services
from instruments.tests.test_feedback import (
    HTMX,
    answer,
    answer_data,
    open_round,
    parts,
    pupil_path,
    round_url,
)
from leerkracht import sealed

pytestmark = pytest.mark.django_db


def pooled(feedback_round) -> list[PendingFeedback]:
    return list(PendingFeedback.objects.filter(round=feedback_round))


def typed(feedback_round) -> list[str]:
    return sorted(
        FeedbackAnswer.objects.filter(question__round=feedback_round).exclude(text="").values_list("text", flat=True)
    )


def test_an_answer_waits_sealed_in_the_pool_until_the_third_moves_all_three(feedback_round):
    """Two answers: no answer row yet, two pool rows holding only a key, the school, the round and
    a sealed text in which the typed words appear neither in plain nor merely base64-encoded. The
    third answer's commit moves all three into the answer tables, with keys of their own."""
    for n in range(2):
        assert answer(feedback_round, text=f"Geheim woord {n}").status_code == 302
    assert FeedbackResponse.objects.count() == FeedbackTop.objects.count() == FeedbackAnswer.objects.count() == 0
    rows = pooled(feedback_round)
    assert len(rows) == 2 and FeedbackDeviceMark.objects.filter(round=feedback_round).count() == 2
    assert {f.name for f in PendingFeedback._meta.concrete_fields} == {"id", "school", "round", "sealed"}
    for row in rows:
        assert "Geheim" not in row.sealed
        assert b"Geheim" not in base64.urlsafe_b64decode(row.sealed)
        keys = sealed.server_keys(services.POOL_PURPOSE)
        payload = sealed.unseal(row.sealed, keys=keys, purpose=services.POOL_PURPOSE)
        assert payload["tip"] and payload["tops"]
    pool_keys = {row.pk for row in rows}

    assert answer(feedback_round, text="Geheim woord 2").status_code == 302
    assert pooled(feedback_round) == []
    assert FeedbackResponse.objects.filter(round=feedback_round).count() == 3
    assert typed(feedback_round) == ["Geheim woord 0", "Geheim woord 1", "Geheim woord 2"]
    assert not pool_keys & set(FeedbackResponse.objects.values_list("pk", flat=True)), "fresh keys"


def test_the_service_moves_nothing_below_the_batch_while_the_round_is_open(feedback_round):
    statements, _ = parts(feedback_round)
    for n in range(COUNTS_MIN_ANSWERS - 1):
        services.feedback_response_submit(
            feedback_round=feedback_round,
            device_value=f"apparaat-{n}".ljust(40, "x"),
            top_ids=[statements[0].pk],
            tip_id=statements[1].pk,
        )
    assert services.feedback_pool_move(feedback_round=feedback_round) == 0
    assert len(pooled(feedback_round)) == COUNTS_MIN_ANSWERS - 1


def test_closing_a_round_by_hand_moves_the_remainder(client, teacher, feedback_round):
    for n in range(4):
        answer(feedback_round, text=f"Antwoord {n}")
    assert FeedbackResponse.objects.filter(round=feedback_round).count() == 3
    assert len(pooled(feedback_round)) == 1
    client.force_login(teacher)
    assert client.post(round_url(feedback_round, "sluiten/")).status_code == 302
    assert pooled(feedback_round) == []
    assert typed(feedback_round) == [f"Antwoord {n}" for n in range(4)]


def time_out(feedback_round) -> None:
    FeedbackRound.objects.filter(pk=feedback_round.pk).update(
        opened_at=timezone.now() - dt.timedelta(hours=2), closes_at=timezone.now() - dt.timedelta(minutes=1)
    )


def test_the_beat_sweep_moves_the_remainder_of_rounds_whose_time_ran_out(world, teacher, group, feedback_round):
    still_open = open_round(world, teacher, group, title="Nog open")
    answer(feedback_round, text="Laatste")
    answer(still_open, text="Wacht nog")
    time_out(feedback_round)
    with TestCase.captureOnCommitCallbacks(execute=True):  # each round's move is enqueued after commit
        assert tasks.feedback_pools_due() == 1
    assert pooled(feedback_round) == [] and typed(feedback_round) == ["Laatste"]
    assert len(pooled(still_open)) == 1, "an open round keeps its answer pooled until the batch"


def test_the_beat_schedule_sweeps_the_pools_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["feedback-pools"]
    assert entry["task"] == "instruments.tasks.feedback_pools_due"
    assert entry["schedule"] == dt.timedelta(minutes=1)


def test_the_results_of_a_round_whose_time_ran_out_move_its_pool_first(client, teacher, feedback_round):
    for n in range(2):
        answer(feedback_round, text=f"Antwoord {n}")
    time_out(feedback_round)
    client.force_login(teacher)
    html = client.get(round_url(feedback_round)).content.decode()
    assert '<span id="response-count">2 antwoorden</span>' in html
    assert pooled(feedback_round) == []


def test_the_live_count_is_the_count_of_the_tallies_and_says_how_many_are_on_their_way(client, teacher, feedback_round):
    """Four answers: the tallies hold the first three, and so does the count; the fourth is said
    to be on its way (it joins the tallies with the next batch or at the close)."""
    client.force_login(teacher)
    for _ in range(4):
        answer(feedback_round, tops=(0,), tip=1)
    partial = client.get(round_url(feedback_round, "resultaten/"), **HTMX).content.decode()
    assert '<span id="response-count" hx-swap-oob="innerHTML">3 antwoorden (1 onderweg)</span>' in partial
    assert '<progress class="feedback-bar feedback-bar--top" max="3" value="3"' in partial
    seen = client.get(round_url(feedback_round, "resultaten/"), {"gezien": "3-1-1"}, **HTMX)
    assert seen.status_code == 204
    page = client.get(f"/school/{feedback_round.school_id}/stem/").content.decode()
    assert "3 antwoorden (1 onderweg)" in page


def test_the_mover_writes_a_batch_in_the_order_the_shuffle_gives(feedback_round, monkeypatch):
    """The batch is handed to the core's shuffle (the operating system's randomness) before it is
    written; PostgreSQL's test shows the physical order that follows."""
    shuffled = []

    def spy(rows):
        shuffled.append(len(rows))
        rows.reverse()
        return rows

    monkeypatch.setattr(sealed, "shuffle", spy)
    for _ in range(3):
        answer(feedback_round)
    assert shuffled and shuffled[0] == 3


def test_an_unknown_code_or_a_closed_round_leaves_no_pool_row(feedback_round):
    services.feedback_round_close(feedback_round=feedback_round)
    device = Client()
    device.get(pupil_path(feedback_round))
    assert device.post(pupil_path(feedback_round), answer_data(feedback_round)).status_code == 410
    assert PendingFeedback.objects.count() == 0


@pytest.mark.postgresql("row locks and SKIP LOCKED are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_two_movers_never_move_one_answer_twice(feedback_round, monkeypatch):
    """While another mover holds two of a closed round's four pooled answers, this one moves the
    other two and skips those; once they are let go, the next move takes them: four answers,
    each once."""
    monkeypatch.setattr(services, "COUNTS_MIN_ANSWERS", 100)  # nothing moves until asked
    statements, _ = parts(feedback_round)
    for n in range(4):
        services.feedback_response_submit(
            feedback_round=feedback_round,
            device_value=f"apparaat-{n}".ljust(40, "x"),
            top_ids=[statements[n].pk],
            tip_id=statements[5].pk,
        )
    FeedbackRound.objects.filter(pk=feedback_round.pk).update(closed_at=timezone.now())
    held = [row.pk for row in pooled(feedback_round)[:2]]
    locked, release = threading.Event(), threading.Event()

    def other_mover():
        try:
            with transaction.atomic():
                list(PendingFeedback.unscoped.select_for_update().filter(pk__in=held))
                locked.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    thread = threading.Thread(target=other_mover)
    thread.start()
    try:
        assert locked.wait(timeout=30)
        assert services.feedback_pool_move(feedback_round=feedback_round) == 2
        assert {row.pk for row in pooled(feedback_round)} == set(held)
    finally:
        release.set()
        thread.join()
    assert services.feedback_pool_move(feedback_round=feedback_round) == 2
    assert pooled(feedback_round) == []
    tops = sorted(FeedbackTop.objects.filter(response__round=feedback_round).values_list("statement_id", flat=True))
    assert tops == sorted(s.pk for s in statements[:4]), "each answer once"
