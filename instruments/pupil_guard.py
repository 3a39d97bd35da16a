"""What the pupil's pages decide about a device and an address, apart from HTTP: whether a device
value is one the server could have issued, whether that device already answered a round, and the
counters that stop flooding and the guessing of round codes.

The view (`instruments/views/pupil.py`) keeps the HTTP side: it reads and sets the signed device
cookie, finds the client's address (`leerkracht.http.client_address`), chooses the limits and
answers 429. Everything here takes plain values, so it is tested without a request.

The counters live in the cache under keyed hashes of the address and of the device value (the
server's secret), so not even the cache holds an address or a cookie value; they expire within
minutes and never reach the database: answers per address and round (a script can still ask for
signed values one by one: the address limit is the backstop), tries per device, and codes per
address that name no round (only misses count, so a class behind one school address typing the
right code is never stopped; past the limit every lookup from that address is refused, the right
code too, or the answer would still tell a right guess from a wrong one).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.crypto import salted_hmac

from instruments.models import FeedbackRound
from instruments.selectors import feedback as selectors
from instruments.services import feedback as services
from leerkracht.http import over_limit

_DEVICE_VALUE = re.compile(r"^[A-Za-z0-9_-]{32,64}$")


@dataclass(frozen=True)
class Limit:
    """At most `count` tries in a fixed window of `seconds`."""

    count: int
    seconds: int


# --- The device ----------------------------------------------------------------------------------


def device_value_new() -> str:
    """A fresh random value for a device that has none (the view signs it into the cookie)."""
    return secrets.token_urlsafe(32)


def device_value_valid(value: str | None) -> str | None:
    """The value if it has the shape of one the server issues; None otherwise. The view passes
    only a value whose signature held, so this is the second check, not the only one."""
    return value if value and _DEVICE_VALUE.match(value) else None


def device_answered(*, feedback_round: FeedbackRound, device_value: str) -> bool:
    """Whether this device already answered the round: its mark is the keyed hash of the value
    under the round's own key (`services.device_digest`), never the value itself."""
    digest = services.device_digest(feedback_round=feedback_round, device_value=device_value)
    return selectors.device_answered(feedback_round=feedback_round, digest=digest)


# --- Flooding --------------------------------------------------------------------------------------


def answer_over_limit(
    *, round_id: int, address: str, device_value: str | None, per_address: Limit, per_device: Limit
) -> bool:
    """Count one answer from this address to this round, and from this device; True once either
    goes past its limit."""
    # The salts and key prefixes keep their first names: renaming them would reset every counter.
    address_key = salted_hmac("pupil-voice-address", f"{round_id}:{address}", algorithm="sha256").hexdigest()
    if over_limit(f"pv:addr:{address_key}", limit=per_address.count, window=per_address.seconds):
        return True
    if device_value:
        device_key = salted_hmac("pupil-voice-device", device_value, algorithm="sha256").hexdigest()
        return over_limit(f"pv:dev:{device_key}", limit=per_device.count, window=per_device.seconds)
    return False


# --- Guessing codes ------------------------------------------------------------------------------


class Guessing(Exception):
    """Too many codes from this address named no round."""


def _miss_key(address: str) -> str:
    return f"pv:miss:{salted_hmac('pupil-voice-code-miss', address, algorithm='sha256').hexdigest()}"


def round_by_code(*, code: str, address: str, misses: Limit) -> FeedbackRound | None:
    """The round a code names, or None (a miss, counted against the address). Raises `Guessing`
    once the address has had `misses.count` misses in the window, whatever the code."""
    key = _miss_key(address)
    if (cache.get(key) or 0) >= misses.count:
        raise Guessing
    feedback_round = selectors.round_by_code(code=code)
    if feedback_round is None:
        over_limit(key, limit=misses.count, window=misses.seconds)
    return feedback_round
