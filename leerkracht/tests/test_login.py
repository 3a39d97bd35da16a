"""Login throttling: per account and per address, with a message that says when to try again."""

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


def test_the_account_lock_holds_from_another_address(client):
    UserFactory(email="sanne@school.test")
    for n in range(LIMIT):
        attempt(client, "sanne@school.test", "fout", address=f"10.0.1.{n}")
    assert attempt(client, "sanne@school.test", PASSWORD, address="10.9.9.9").status_code == 429


def test_the_address_lock_holds_for_other_accounts(client):
    users = [UserFactory(email=f"leraar{n}@school.test") for n in range(LIMIT + 1)]
    for user in users[:LIMIT]:
        attempt(client, user.email, "fout", address="10.0.0.7")
    assert attempt(client, users[-1].email, PASSWORD, address="10.0.0.7").status_code == 429
    assert attempt(client, users[-1].email, PASSWORD, address="10.0.0.8").status_code == 302


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
