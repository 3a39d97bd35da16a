"""Login throttling: per account from one address (so nobody can lock out someone else), a generous
per-address backstop against password spraying, and a message that says when to try again."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings

from schools.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LIMIT = settings.AXES_FAILURE_LIMIT


def attempt(client, email, password, address="10.0.0.1"):
    return client.post("/inloggen/", {"username": email, "password": password}, REMOTE_ADDR=address)


def test_right_password_logs_in(client):
    user = UserFactory(email="sanne@school.test")
    response = attempt(client, "Sanne@School.test", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_wrong_password_keeps_the_typed_email_and_says_what_is_wrong(client):
    UserFactory(email="sanne@school.test")
    response = attempt(client, "sanne@school.test", "fout")
    assert response.status_code == 200
    assert "horen niet bij elkaar" in response.content.decode()
    assert 'value="sanne@school.test"' in response.content.decode()


def test_repeated_wrong_passwords_lock_the_account_even_for_the_right_password(client):
    UserFactory(email="sanne@school.test")
    for _ in range(LIMIT):
        attempt(client, "sanne@school.test", "fout")
    response = attempt(client, "sanne@school.test", PASSWORD)
    body = response.content.decode()
    assert response.status_code == 429
    assert "Te veel mislukte pogingen" in body
    assert "Probeer het over 15 minuten opnieuw, om " in body
    assert 'value="sanne@school.test"' in body, "what was typed is kept"
    assert "_auth_user_id" not in client.session


def test_failures_for_an_account_from_one_address_do_not_lock_it_from_another(client):
    """Someone who knows a colleague's e-mail address cannot lock the colleague out."""
    UserFactory(email="sanne@school.test")
    for _ in range(LIMIT):
        attempt(client, "sanne@school.test", "fout", address="10.0.0.7")
    assert attempt(client, "sanne@school.test", PASSWORD, address="10.0.0.7").status_code == 429
    assert attempt(client, "sanne@school.test", PASSWORD, address="10.0.0.8").status_code == 302


def test_failures_for_one_account_do_not_lock_another_account_from_the_same_address(client):
    """A school's staff share one address (the school's NAT): one person's typos lock only them."""
    UserFactory(email="sanne@school.test")
    UserFactory(email="jan@school.test")
    for _ in range(LIMIT):
        attempt(client, "sanne@school.test", "fout", address="10.0.0.7")
    assert attempt(client, "jan@school.test", PASSWORD, address="10.0.0.7").status_code == 302


def test_a_whole_school_typing_wrong_stays_below_the_address_backstop(client, settings):
    """Everyone behind one address may each fail up to just below their own limit without
    anyone else being locked: the per-address backstop is many times the per-account limit."""
    users = [UserFactory(email=f"leraar{n}@school.test") for n in range(6)]
    assert len(users) * (LIMIT - 1) < settings.LOGIN_ADDRESS_FAILURE_LIMIT
    for user in users:
        for _ in range(LIMIT - 1):
            attempt(client, user.email, "fout", address="10.0.0.7")
    newcomer = UserFactory(email="nieuw@school.test")
    assert attempt(client, newcomer.email, PASSWORD, address="10.0.0.7").status_code == 302


def test_password_spraying_from_one_address_meets_the_address_backstop(client, settings):
    """Many accounts tried from one address (one password each) lock that address for all
    accounts once the backstop is reached; other addresses are unaffected."""
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 8
    users = [UserFactory(email=f"leraar{n}@school.test") for n in range(9)]
    statuses = [attempt(client, user.email, "Welkom01!", address="10.0.0.7").status_code for user in users[:8]]
    assert statuses == [200] * 7 + [429], "the failure that reaches the backstop is answered with the lock"
    response = attempt(client, users[-1].email, PASSWORD, address="10.0.0.7")
    assert response.status_code == 429
    assert "Te veel mislukte pogingen" in response.content.decode()
    assert attempt(client, users[-1].email, PASSWORD, address="10.0.0.8").status_code == 302


def test_a_backstop_of_zero_switches_it_off(client, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 0
    users = [UserFactory(email=f"leraar{n}@school.test") for n in range(LIMIT * 3)]
    for user in users[:-1]:
        attempt(client, user.email, "fout", address="10.0.0.7")
    assert attempt(client, users[-1].email, PASSWORD, address="10.0.0.7").status_code == 302


@pytest.mark.parametrize("length", [256, 300, 10_000])
def test_an_overlong_login_name_answers_the_form_not_an_error(client, length):
    """The throttle records the name in a 255-character column; a longer one used to reach it
    and answer 500 (PostgreSQL refuses the write)."""
    name = "a" * (length - len("@school.test")) + "@school.test"
    response = attempt(client, name, "fout")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Inloggen is niet gelukt" in body
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("length", [300, 10_000])
def test_an_overlong_login_name_on_the_admin_login_answers_the_form(client, length):
    name = "a" * length
    response = client.post("/beheer/login/", {"username": name, "password": "fout"}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 200


def test_tries_refused_during_a_lock_do_not_count_as_failures(client):
    """Their password was never checked: counting them would keep an address locked for as long
    as people behind it keep trying."""
    UserFactory(email="sanne@school.test")
    for _ in range(LIMIT):
        attempt(client, "sanne@school.test", "fout")
    for _ in range(3):
        assert attempt(client, "sanne@school.test", "fout").status_code == 429
    assert list(AccessAttempt.objects.values_list("failures_since_start", flat=True)) == [LIMIT]


def test_the_lock_ends_after_the_cool_off(client):
    UserFactory(email="sanne@school.test")
    for _ in range(LIMIT):
        attempt(client, "sanne@school.test", "fout")
    assert attempt(client, "sanne@school.test", PASSWORD).status_code == 429
    # The right password during the lock did not shorten it; move the clock past the cool-off.
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.first().attempt_time - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    )
    assert attempt(client, "sanne@school.test", PASSWORD).status_code == 302


def test_password_reset_sends_a_link_by_email(client, mailoutbox, django_capture_on_commit_callbacks):
    UserFactory(email="sanne@school.test")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/wachtwoord-vergeten/", {"email": "sanne@school.test"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert "/wachtwoord-instellen/" in mailoutbox[0].body
    link = next(word for word in mailoutbox[0].body.split() if "/wachtwoord-instellen/" in word)
    path = link.split("testserver", 1)[1]
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Een-nieuw-wachtwoord-77", "new_password2": "Een-nieuw-wachtwoord-77"},
    )
    assert done.status_code == 302
    assert attempt(client, "sanne@school.test", "Een-nieuw-wachtwoord-77").status_code == 302


def test_password_reset_for_unknown_address_reveals_nothing(client, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/wachtwoord-vergeten/", {"email": "niemand@school.test"})
    assert response.status_code == 302
    assert mailoutbox == []
