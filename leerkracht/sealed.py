"""Sealed values: small JSON payloads that the database holds but cannot read by itself.

Two uses, both about anonymity (DESIGN.md §5):
- an anonymous answer waits in a pool, sealed with the server's key, until a batch of them is
  moved into the answer tables in one transaction (barometer, feedback). A copy of the
  database, a backup or a replica holds the pooled rows, and their dead versions until vacuum,
  next to the transaction that marked the person as answered: sealed, they say nothing;
- a barometer draft is sealed with a key derived from the invitation's link token, which arrives
  with every request of the answer page and is not stored: the draft sits next to the person
  in the database but only the link opens it.

AES-256-GCM (authenticated: a changed byte is refused, not decrypted into something else). Each
seal has its own random 96-bit nonce. `purpose` separates the keys of different uses, so a value
sealed for one use never opens as another. Keys derived from the server's secret follow Django's
`SECRET_KEY_FALLBACKS`: after a key rotation, what the old key sealed still opens.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import random
from collections.abc import MutableSequence
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

_NONCE_BYTES = 12
_VERSION = b"\x01"


class Unsealable(Exception):
    """The value was not sealed with this key and purpose, or was changed since."""


def _derive(secret: str | bytes, purpose: str) -> bytes:
    material = secret.encode() if isinstance(secret, str) else secret
    return hashlib.sha256(b"leerkracht.sealed\x00" + purpose.encode() + b"\x00" + material).digest()


def server_keys(purpose: str) -> list[bytes]:
    """The keys the server seals and opens `purpose` with: the current one first, then those of
    the secret keys that are being rotated out."""
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [_derive(secret, purpose) for secret in secrets]


def token_key(token: str, purpose: str) -> bytes:
    """A key derived from a secret the client brings (a link's token): whoever has only the
    database cannot derive it."""
    return _derive(token, purpose)


def seal(payload: Any, *, key: bytes, purpose: str) -> str:
    """`payload` (anything JSON can hold) as ASCII text that only `key` opens for `purpose`."""
    nonce = os.urandom(_NONCE_BYTES)
    plain = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    sealed = AESGCM(key).encrypt(nonce, plain, purpose.encode())
    return base64.urlsafe_b64encode(_VERSION + nonce + sealed).decode("ascii")


def unseal(text: str, *, keys: bytes | list[bytes], purpose: str) -> Any:
    """The payload `seal` sealed, trying each key in turn; Unsealable when none opens it."""
    try:
        raw = base64.urlsafe_b64decode(text.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise Unsealable from None
    if len(raw) < 1 + _NONCE_BYTES + 16 or raw[:1] != _VERSION:
        raise Unsealable
    nonce, sealed = raw[1 : 1 + _NONCE_BYTES], raw[1 + _NONCE_BYTES :]
    for key in [keys] if isinstance(keys, bytes) else keys:
        try:
            plain = AESGCM(key).decrypt(nonce, sealed, purpose.encode())
        except InvalidTag:
            continue
        return json.loads(plain)
    raise Unsealable


def shuffle(rows: MutableSequence) -> MutableSequence:
    """Shuffle in place with the operating system's randomness (for the order in which a batch of
    anonymous rows is written, so the rows' physical order follows nothing), and return it."""
    random.SystemRandom().shuffle(rows)
    return rows
