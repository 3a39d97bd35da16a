"""Password reset mail is limited per target account and per client address, and the answer is
the same whether a request was sent, throttled or for an unknown address: it reveals nothing."""

import pytest
from django.core.cache import cache

from schools.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ask(client, django_capture_on_commit_callbacks):
    def ask(email, address="10.0.0.1"):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/wachtwoord-vergeten/", {"email": email}, REMOTE_ADDR=address)

    return ask


@pytest.fixture
def limits(settings):
    settings.PASSWORD_RESET_ACCOUNT_LIMIT = 3
    settings.PASSWORD_RESET_ADDRESS_LIMIT = 10
    return settings


def test_the_defaults_are_three_per_account_and_ten_per_address_an_hour(settings):
    assert settings.PASSWORD_RESET_ACCOUNT_LIMIT == 3
    assert settings.PASSWORD_RESET_ADDRESS_LIMIT == 10
    assert settings.PASSWORD_RESET_WINDOW_MINUTES == 60


def test_the_fourth_request_for_one_account_sends_nothing_but_answers_the_same(ask, mailoutbox, limits):
    UserFactory(email="sanne@school.test")
    answers = [ask("sanne@school.test") for _ in range(3)]
    assert len(mailoutbox) == 3
    fourth = ask("sanne@school.test")
    assert len(mailoutbox) == 3, "the fourth request sends no e-mail"
    assert fourth.status_code == answers[0].status_code == 302
    assert fourth["Location"] == answers[0]["Location"] == "/wachtwoord-vergeten/verstuurd/"


def test_the_account_limit_holds_across_addresses(ask, mailoutbox, limits):
    """The inbox is what is protected: requests from many addresses share the account's limit."""
    UserFactory(email="sanne@school.test")
    for n in range(5):
        ask("sanne@school.test", address=f"10.0.1.{n}")
    assert len(mailoutbox) == 3


def test_the_account_limit_ignores_how_the_address_is_written(ask, mailoutbox, limits):
    UserFactory(email="sanne@school.test")
    for email in ["sanne@school.test", "Sanne@School.test", " SANNE@SCHOOL.TEST ", "sanne@school.test"]:
        ask(email)
    assert len(mailoutbox) == 3


def test_another_account_from_the_same_address_gets_its_mail_until_the_address_limit(ask, mailoutbox, limits):
    users = [UserFactory(email=f"leraar{n}@school.test") for n in range(12)]
    for _ in range(4):
        ask(users[0].email)  # three sent, the fourth throttled: four of the address's ten used
    assert len(mailoutbox) == 3
    ask(users[1].email)
    assert [message.to for message in mailoutbox[3:]] == [[users[1].email]]
    for user in users[2:7]:  # requests six to ten from this address: all sent
        ask(user.email)
    assert len(mailoutbox) == 9
    eleventh = ask(users[7].email)
    assert len(mailoutbox) == 9, "past the address limit nothing is sent"
    assert eleventh.status_code == 302 and eleventh["Location"] == "/wachtwoord-vergeten/verstuurd/"
    ask(users[7].email, address="10.0.0.2")
    assert [message.to for message in mailoutbox[9:]] == [[users[7].email]], "another address may"


def test_requests_for_unknown_addresses_count_towards_the_address_limit(ask, mailoutbox, limits):
    """Probing for who has an account costs the same as asking for real mail."""
    UserFactory(email="sanne@school.test")
    for n in range(10):
        ask(f"niemand{n}@school.test")
    ask("sanne@school.test")
    assert mailoutbox == []


def test_the_limit_ends_with_its_window(ask, mailoutbox, limits):
    UserFactory(email="sanne@school.test")
    for _ in range(4):
        ask("sanne@school.test")
    assert len(mailoutbox) == 3
    cache.clear()  # the window's keys expire with it
    ask("sanne@school.test")
    assert len(mailoutbox) == 4


def test_the_cache_holds_no_e_mail_address_or_client_address(ask, limits):
    UserFactory(email="sanne@school.test")
    ask("sanne@school.test", address="10.0.0.77")
    if hasattr(cache._cache, "get_client"):  # Redis, as in CI and production
        raw = cache._cache.get_client().keys("*password-reset:*")
    else:  # the embedded default (local memory)
        raw = [key for key in cache._cache if "password-reset:" in key]
    keys = [key.decode() if isinstance(key, bytes) else key for key in raw]
    assert len(keys) == 2, "one counter for the account, one for the address"
    assert not [key for key in keys if "sanne" in key or "10.0.0.77" in key]
