"""The pupil pages' guard (instruments/pupil_guard.py) without a request: which device values
count, whether a device already answered a round, and the counters against flooding and guessing
codes, each per address, per round and per device. test_pupil_guard.py and test_feedback.py hold
the same rules through the pages."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from instruments import pupil_guard
from instruments.services import feedback as services
from instruments.tests.test_feedback import open_round

pytestmark = pytest.mark.django_db

ADDRESS, OTHER_ADDRESS = "198.51.100.21", "198.51.100.22"
GENEROUS = pupil_guard.Limit(1000, 60)


def counter_keys() -> list[str]:
    """The guard's keys in the cache: Redis (as in CI and production) or local memory."""
    client = getattr(cache._cache, "get_client", None)
    raw = client().keys("*pv:*") if client else [key for key in cache._cache if "pv:" in key]
    return [key.decode() if isinstance(key, bytes) else key for key in raw]


def submit(feedback_round, device_value: str) -> None:
    statements = list(feedback_round.statements.order_by("position"))
    services.feedback_response_submit(
        feedback_round=feedback_round,
        device_value=device_value,
        top_ids=[statements[0].pk],
        tip_id=statements[1].pk,
    )


# --- Device values -----------------------------------------------------------------------------------


def test_a_new_device_value_is_random_and_of_the_shape_that_counts():
    first, second = pupil_guard.device_value_new(), pupil_guard.device_value_new()
    assert first != second
    assert pupil_guard.device_value_valid(first) == first


@pytest.mark.parametrize("value", [None, "", "a" * 31, "a" * 65, "a" * 40 + "!", "a" * 40 + ":sig", " " + "a" * 40])
def test_a_value_of_another_shape_is_no_device(value):
    assert pupil_guard.device_value_valid(value) is None


def test_a_device_has_answered_only_the_round_it_answered(feedback_round, world, teacher, group):
    device, other = pupil_guard.device_value_new(), pupil_guard.device_value_new()
    assert not pupil_guard.device_answered(feedback_round=feedback_round, device_value=device)
    submit(feedback_round, device)
    assert pupil_guard.device_answered(feedback_round=feedback_round, device_value=device)
    assert not pupil_guard.device_answered(feedback_round=feedback_round, device_value=other)
    second_round = open_round(world, teacher, group, title="Tweede ronde")
    assert not pupil_guard.device_answered(feedback_round=second_round, device_value=device)


# --- Flooding -----------------------------------------------------------------------------------------


def over(
    *, round_id: int, address: str = ADDRESS, device_value: str | None = None, per_address=GENEROUS, per_device=GENEROUS
):
    return pupil_guard.answer_over_limit(
        round_id=round_id,
        address=address,
        device_value=device_value,
        per_address=per_address,
        per_device=per_device,
    )


def test_answers_per_address_and_round_stop_past_the_limit():
    limit = pupil_guard.Limit(3, 600)
    assert [over(round_id=1, per_address=limit) for _ in range(4)] == [False, False, False, True]
    assert not over(round_id=2, per_address=limit), "another round from the same address"
    assert not over(round_id=1, address=OTHER_ADDRESS, per_address=limit), "another address"


def test_tries_per_device_stop_past_the_limit_from_any_address():
    limit, device = pupil_guard.Limit(2, 5), pupil_guard.device_value_new()
    tries = [over(round_id=1, address=f"192.0.2.{n}", device_value=device, per_device=limit) for n in range(3)]
    assert tries == [False, False, True]
    assert not over(round_id=1, device_value=pupil_guard.device_value_new(), per_device=limit), "another device"


def test_without_a_device_value_only_the_address_counts():
    limit = pupil_guard.Limit(1, 5)
    assert [over(round_id=1, address=f"192.0.2.{n}", per_device=limit) for n in range(3)] == [False] * 3


# --- Guessing codes ----------------------------------------------------------------------------------


def test_misses_from_one_address_stop_every_lookup_past_the_limit(feedback_round):
    misses = pupil_guard.Limit(3, 600)
    assert [pupil_guard.round_by_code(code="ZZZZZZ", address=ADDRESS, misses=misses) for _ in range(3)] == [None] * 3
    with pytest.raises(pupil_guard.Guessing):
        pupil_guard.round_by_code(code=feedback_round.code, address=ADDRESS, misses=misses)
    assert pupil_guard.round_by_code(code=feedback_round.code, address=OTHER_ADDRESS, misses=misses) == feedback_round


def test_right_codes_are_never_counted(feedback_round):
    misses = pupil_guard.Limit(2, 600)
    for _ in range(10):
        assert pupil_guard.round_by_code(code=feedback_round.code.lower(), address=ADDRESS, misses=misses).pk == (
            feedback_round.pk
        )
    assert pupil_guard.round_by_code(code="ZZZZZZ", address=ADDRESS, misses=misses) is None


def test_the_counters_keep_no_address_and_no_device_value(feedback_round):
    device = pupil_guard.device_value_new()
    over(round_id=feedback_round.pk, device_value=device)
    pupil_guard.round_by_code(code="ZZZZZZ", address=ADDRESS, misses=GENEROUS)
    keys = counter_keys()
    assert {key.split("pv:")[1].split(":")[0] for key in keys} == {"addr", "dev", "miss"}
    assert not [key for key in keys if ADDRESS in key or device in key]
