"""The password-reset mail on a real Celery worker and beat, against the real Redis broker and
PostgreSQL (issue 13, "What must hold": one e-mail when a worker is killed between sending and
marking).

The page writes the message to the outbox; the relay on the worker claims it, hands it to the mail
server, and is SIGKILLed right after (the capturing backend waits after each message and the kill
lands in that wait): the message is claimed, sent and never confirmed. The relay task then comes
again (as a broker redelivers a task whose worker died) and beat's sweep runs every second: the
claim's lease has not run out, so nothing sends it twice, and the one link works.

Before the outbox the reset mail was a task that sent it; a redelivered task sent it again.
Needs PostgreSQL and Redis (skipped without them, never in CI's PostgreSQL run)."""

from __future__ import annotations

import re

from django.test import Client

from leerkracht.celery import app
from leerkracht.models import OutboxMessage
from leerkracht.tests.live.fixtures import live, producer  # noqa: F401 - fixtures
from leerkracht.tests.live.mail import read_messages
from leerkracht.tests.live.processes import wait_for
from schools.tests.factories import UserFactory

TIMEOUT = 60
RELAY = "leerkracht.tasks.outbox_relay"


def test_a_worker_killed_after_sending_a_password_reset_and_before_marking_it_sends_one_email(
    live,  # noqa: F811
    producer,  # noqa: F811
    monkeypatch,
):
    live.env.update(LIVE_MAIL_DELAY_AFTER="3")  # the kill lands in the mail server's wait
    live.start()
    sanne = UserFactory(email="sanne@school.test")
    live.start_worker(pool="solo")

    # The page's relay task goes to the live worker through Redis, as in production.
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    response = Client().post("/wachtwoord-vergeten/", {"email": sanne.email})
    assert response.status_code == 302
    monkeypatch.undo()
    message = OutboxMessage.objects.get(kind="password_reset", to=sanne.email)

    wait_for(lambda: read_messages(live.mail_dir), timeout=TIMEOUT, what="the reset mail delivered")
    live.kill_worker()
    message.refresh_from_db()
    assert message.claimed_at is not None and message.relayed_at is None, "killed after the send, before the mark"

    live.start_worker(pool="solo")
    producer.send_task(RELAY, kwargs={"message_ids": [message.pk]})  # redelivered
    restarted = live.worker_name
    wait_for(lambda: live.succeeded(RELAY, worker=restarted), timeout=TIMEOUT, what="the relay to run again")
    relays = len(live.succeeded(RELAY, worker=restarted))
    wait_for(
        lambda: len(live.succeeded(RELAY, worker=restarted)) >= relays + 3, timeout=TIMEOUT, what="three outbox sweeps"
    )

    delivered = read_messages(live.mail_dir)
    assert len(delivered) == 1, f"one e-mail, not {len(delivered)}"
    (_name, mail) = delivered[0]
    assert str(mail["To"]).strip() == sanne.email
    assert str(mail["Message-ID"]).strip() == message.message_id
    message.refresh_from_db()
    assert message.relayed_at is None and message.attempts == 1, "claimed once, never sent again"
    # The one e-mail's link works.
    path = re.search(r"https?://[^/\s]+(/wachtwoord-instellen/\S+)", mail.get_body(("plain",)).get_content())[1]
    assert Client().get(path, follow=True).status_code == 200
