"""Sealed values (leerkracht/sealed.py): only the right key and purpose open them."""

import base64

import pytest
from django.test import override_settings

from leerkracht import sealed


def test_a_sealed_value_opens_with_its_key_and_purpose():
    key = sealed.token_key("a" * 40, "draft")
    text = sealed.seal({"q1": 4, "q2": "één"}, key=key, purpose="draft")
    # Neither the text nor its bytes hold the plain JSON (a bare "q1" can turn up in random
    # base64 by chance; four bytes of the JSON in the raw bytes cannot, for all practical purposes).
    assert "één" not in text
    assert b'"q1"' not in base64.urlsafe_b64decode(text)
    assert sealed.unseal(text, keys=key, purpose="draft") == {"q1": 4, "q2": "één"}


def test_the_same_payload_seals_differently_each_time():
    key = sealed.token_key("t", "p")
    assert sealed.seal([1], key=key, purpose="p") != sealed.seal([1], key=key, purpose="p")


@pytest.mark.parametrize("change", ["other key", "other purpose", "changed byte", "not base64", "short"])
def test_anything_else_is_unsealable(change):
    key = sealed.token_key("t", "p")
    text = sealed.seal({"a": 1}, key=key, purpose="p")
    keys, purpose = key, "p"
    if change == "other key":
        keys = sealed.token_key("u", "p")
    elif change == "other purpose":
        purpose = "q"
    elif change == "changed byte":
        middle = len(text) // 2
        text = text[:middle] + ("A" if text[middle] != "A" else "B") + text[middle + 1 :]
    elif change == "not base64":
        text = "%%%"
    else:
        text = text[:10]
    with pytest.raises(sealed.Unsealable):
        sealed.unseal(text, keys=keys, purpose=purpose)


def test_server_keys_follow_a_key_rotation():
    with override_settings(SECRET_KEY="old-secret-" * 5):
        text = sealed.seal("x", key=sealed.server_keys("pool")[0], purpose="pool")
    with override_settings(SECRET_KEY="new-secret-" * 5, SECRET_KEY_FALLBACKS=["old-secret-" * 5]):
        assert sealed.unseal(text, keys=sealed.server_keys("pool"), purpose="pool") == "x"
    with override_settings(SECRET_KEY="new-secret-" * 5, SECRET_KEY_FALLBACKS=[]), pytest.raises(sealed.Unsealable):
        sealed.unseal(text, keys=sealed.server_keys("pool"), purpose="pool")
