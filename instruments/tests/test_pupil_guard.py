"""The pupil pages' guards against scripts: a device value counts only when the server issued it
(signed), and guessing round codes from one address is stopped after a number of misses, while a
class behind one school address typing the right code is never stopped."""

from __future__ import annotations

import secrets

import pytest
from django.test import Client

from instruments.models import FeedbackDeviceMark, FeedbackResponse, PendingFeedback
from instruments.services import feedback as services
from instruments.tests.test_feedback import (
    COOKIE,
    Phone,
    answer_data,
    pupil_path,
)
from instruments.views import pupil as pupil_views

pytestmark = pytest.mark.django_db


SCHOOL_ADDRESS = "192.0.2.44"


def stored(feedback_round) -> int:
    """Answers stored for the round, pooled or moved, and the marks beside them."""
    return (
        PendingFeedback.objects.filter(round=feedback_round).count()
        + FeedbackResponse.objects.filter(round=feedback_round).count()
        + FeedbackDeviceMark.objects.filter(round=feedback_round).count()
    )


# --- Device values the server issued ---------------------------------------------------------------


@pytest.mark.parametrize("value", ["a" * 43, "q7Zf0-ks_3RkV9w2mPx4LbN8cYt1HuJe6GdA5oWvEiQ", "x" * 64])
def test_an_answer_with_a_device_value_the_server_never_issued_is_not_stored(feedback_round, value):
    """A script that invents a fresh cookie value for every answer gets the page back with a
    cookie of the server's own, not a stored answer."""
    device = Client()
    device.cookies[COOKIE] = value
    response = device.post(pupil_path(feedback_round), answer_data(feedback_round))
    assert response.status_code == 200
    assert "tik nog een keer op Versturen" in response.content.decode()
    assert response.cookies[COOKIE].value != value, "a cookie of the server's own"
    assert stored(feedback_round) == 0


def test_a_forged_signature_or_a_changed_value_is_no_device(feedback_round):
    device = Client()
    device.get(pupil_path(feedback_round))
    issued = device.cookies[COOKIE].value
    value, rest = issued.split(":", 1)
    for forged in (f"{value[:-1]}{'A' if value[-1] != 'A' else 'B'}:{rest}", f"{value}:{'0' * len(rest)}", value):
        attempt = Client()
        attempt.cookies[COOKIE] = forged
        response = attempt.post(pupil_path(feedback_round), answer_data(feedback_round))
        assert response.status_code == 200 and "tik nog een keer op Versturen" in response.content.decode(), forged
    assert stored(feedback_round) == 0
    # The value the server issued still answers, once.
    assert device.post(pupil_path(feedback_round), answer_data(feedback_round)).status_code == 302
    assert FeedbackDeviceMark.objects.filter(round=feedback_round).count() == 1


def test_the_device_mark_is_the_keyed_hash_of_the_value_inside_the_signed_cookie(feedback_round):
    device = Client()
    device.get(pupil_path(feedback_round))
    value = device.cookies[COOKIE].value.split(":", 1)[0]
    assert device.post(pupil_path(feedback_round), answer_data(feedback_round)).status_code == 302
    mark = FeedbackDeviceMark.objects.get(round=feedback_round)
    assert mark.digest == services.device_digest(feedback_round=feedback_round, device_value=value)


# --- Guessing codes -----------------------------------------------------------------------------------


def guesses(n: int) -> list[str]:
    return ["".join(secrets.choice(services.CODE_ALPHABET) for _ in range(6)) for _ in range(n)]


@pytest.mark.parametrize("way", ["typed", "short", "answer_page"])
def test_250_guessed_codes_from_one_address_are_stopped_with_a_friendly_429(db, way):
    paths = {
        "typed": lambda code: f"/stem/?code={code}",
        "short": lambda code: f"/s/{code}",
        "answer_page": lambda code: f"/stem/{code}/",
    }
    guesser = Client(REMOTE_ADDR="198.51.100.66")
    statuses = [guesser.get(paths[way](code)).status_code for code in guesses(250)]
    assert 429 in statuses, "250 guesses and no 429"
    first = statuses.index(429)
    assert statuses[:first] == [404] * pupil_views.CODE_MISS_LIMIT
    assert set(statuses[first:]) == {429}
    refused = guesser.get(paths[way]("ABCDEF"))
    html = refused.content.decode()
    assert refused.status_code == 429 and refused["Retry-After"]
    assert "Er zijn vanaf dit netwerk te veel verkeerde codes geprobeerd" in html
    assert "no-store" in refused["Cache-Control"]
    # Another address is not stopped.
    assert Client(REMOTE_ADDR="198.51.100.67").get(paths[way]("ABCDEF")).status_code == 404


def test_a_right_code_after_the_misses_run_out_is_refused_as_well(feedback_round):
    """Otherwise the answer to a guess would still tell a right code from a wrong one."""
    guesser = Client(REMOTE_ADDR="198.51.100.66")
    for code in guesses(pupil_views.CODE_MISS_LIMIT):
        assert guesser.get(f"/s/{code}").status_code == 404
    assert guesser.get(f"/s/{feedback_round.code}").status_code == 429
    assert guesser.get("/stem/", {"code": feedback_round.code}).status_code == 429


def test_a_class_of_30_behind_one_school_address_typing_the_right_code_is_never_stopped(feedback_round):
    """Thirty pupils share the school's address; each comes in by typing the code, by the short
    address or by the direct link, and answers. Right codes are not counted; a few typos are."""
    for n in range(30):
        phone = Phone(REMOTE_ADDR=SCHOOL_ADDRESS)
        if n % 10 == 0:  # a typo first, now and then
            assert phone.get("/stem/", {"code": "ZZZZZZ"}).status_code == 404
        done = phone.answer(("typed", "qr", "direct")[n % 3], feedback_round)
        assert done.status_code == 200 and "Dank je wel!" in done.content.decode(), n
    assert FeedbackDeviceMark.objects.filter(round=feedback_round).count() == 30
    assert Client(REMOTE_ADDR=SCHOOL_ADDRESS).get(f"/s/{feedback_round.code}").status_code == 302


def test_the_miss_counter_keeps_no_address_in_the_cache(db):
    from django.core.cache import cache

    Client(REMOTE_ADDR="203.0.113.77").get("/s/ZZZZZZ")
    if hasattr(cache._cache, "get_client"):  # Redis, as in CI and production
        raw = cache._cache.get_client().keys("*pv:*")
    else:  # the embedded default (local memory)
        raw = [key for key in cache._cache if "pv:" in key]
    keys = [key.decode() if isinstance(key, bytes) else key for key in raw]
    assert keys and not [key for key in keys if "203.0.113.77" in key]
