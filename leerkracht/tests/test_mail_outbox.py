"""The one mail path (leerkracht/mail.py): written in the sender's transaction, relayed after the
commit with a fixed Message-ID, claimed before the SMTP call and stamped after it, never sent
inside a transaction, and forgotten after its retention."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail as django_mail
from django.core.mail import EmailMessage
from django.db import transaction

from leerkracht import mail, tasks
from leerkracht.models import OutboxMessage

ROOT = Path(settings.BASE_DIR)
APPS = ["leerkracht", "schools", "instruments", "barometer", "academy"]
NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)


def write(n: int = 1, **fields) -> list[OutboxMessage]:
    return [
        mail.outbox_write(kind="test", to=f"persoon{i}@school.test", subject=f"Onderwerp {i}", body="Tekst", **fields)
        for i in range(n)
    ]


def test_a_message_is_relayed_after_the_commit_with_its_fixed_message_id_and_once(db, run):
    (message,) = run(write, html="<p>Tekst</p>")
    message.refresh_from_db()
    assert message.relayed_at is not None and message.claimed_at is not None and message.attempts == 1
    (sent,) = django_mail.outbox
    assert sent.to == ["persoon0@school.test"] and sent.subject == "Onderwerp 0" and sent.body == "Tekst"
    assert sent.message()["Message-ID"] == message.message_id, "the Message-ID written with the message"
    assert sent.alternatives[0].content == "<p>Tekst</p>"
    assert run(tasks.outbox_relay) == 0, "the beat sweep finds nothing left"
    assert run(tasks.outbox_relay, message_ids=[message.pk]) == 0, "a redelivered relay sends nothing"
    assert len(django_mail.outbox) == 1


def test_a_message_of_a_rolled_back_transaction_is_never_written_nor_sent(db, run):
    class Decided(Exception):
        pass

    def decide_then_fail():
        with transaction.atomic():
            write()
            raise Decided

    with pytest.raises(Decided):
        run(decide_then_fail)
    assert not OutboxMessage.objects.exists() and django_mail.outbox == []


def test_the_relay_and_the_mail_backend_refuse_to_send_inside_a_transaction(db):
    (message,) = write()
    with transaction.atomic(), pytest.raises(mail.MailInTransaction):
        mail.outbox_relay(message_ids=[message.pk])
    with transaction.atomic(), pytest.raises(mail.MailInTransaction):
        EmailMessage(subject="x", body="y", to=["a@school.test"]).send()  # the test backend's guard
    assert django_mail.outbox == []
    assert mail.outbox_relay(message_ids=[message.pk]) == 1, "outside a transaction it is sent"


def test_a_claimed_unconfirmed_message_waits_for_its_lease_then_goes_once_more_under_the_same_id(db, settings):
    """A worker killed after the SMTP call and before the stamp leaves the claim: nothing is sent
    while its lease lasts; after it, once more, with the same Message-ID."""
    settings.MAIL_OUTBOX_LEASE_SECONDS = 600
    (message,) = write()
    OutboxMessage.objects.filter(pk=message.pk).update(claimed_at=NOW, attempts=1)  # as the killed relay left it
    assert mail.outbox_relay(now=NOW + dt.timedelta(seconds=599)) == 0
    assert mail.outbox_relay(message_ids=[message.pk], now=NOW + dt.timedelta(seconds=599)) == 0
    assert django_mail.outbox == []
    assert mail.outbox_relay(now=NOW + dt.timedelta(seconds=601)) == 1
    assert [m.extra_headers["Message-ID"] for m in django_mail.outbox] == [message.message_id]
    message.refresh_from_db()
    assert message.attempts == 2 and message.relayed_at is not None


def test_a_send_that_fails_gives_the_claim_back_for_the_retry(db, monkeypatch):
    (message,) = write()

    def unreachable(self, *args, **kwargs):
        raise OSError("mail server unreachable")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", unreachable)
    with pytest.raises(OSError, match="unreachable"):
        mail.outbox_relay()
    message.refresh_from_db()
    assert message.claimed_at is None and message.relayed_at is None
    monkeypatch.undo()
    assert mail.outbox_relay() == 1


def test_a_finisher_fills_in_what_the_stored_message_leaves_out(db, monkeypatch):
    monkeypatch.setitem(mail._finishers, "test", None)

    @mail.outbox_finisher("test")
    def finish(messages):
        for message in messages:
            message.body = message.body.replace("Tekst", "Tekst met geheim")

    (message,) = write()
    mail.outbox_relay()
    assert django_mail.outbox[0].body == "Tekst met geheim"
    message.refresh_from_db()
    assert message.body == "Tekst", "the stored message never holds what the finisher put in"


@pytest.mark.parametrize("messages", [1, 6])
def test_the_relay_costs_one_read_per_batch_and_two_writes_per_message(db, django_assert_num_queries, messages):
    """The batch of due messages; per message the committed claim and the stamp after the send
    (one message in flight at a time, so a kill leaves at most one sent and unstamped)."""
    made = write(messages)
    with django_assert_num_queries(1 + 2 * messages):
        assert mail.outbox_relay(message_ids=[m.pk for m in made]) == messages


def test_the_purge_forgets_relayed_messages_past_their_retention_only(db, settings):
    settings.MAIL_OUTBOX_RETENTION_DAYS = 30
    old, recent, unsent = write(3)
    OutboxMessage.objects.filter(pk=old.pk).update(relayed_at=NOW - dt.timedelta(days=31))
    OutboxMessage.objects.filter(pk=recent.pk).update(relayed_at=NOW - dt.timedelta(days=29))
    OutboxMessage.objects.filter(pk=unsent.pk).update(created_at=NOW - dt.timedelta(days=60))
    assert mail.outbox_purge(now=NOW) == 1
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {recent.pk, unsent.pk}


def test_beat_sweeps_the_outbox_every_minute_and_purges_it_nightly(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["outbox-relay"]["task"] == "leerkracht.tasks.outbox_relay"
    assert schedule["outbox-relay"]["schedule"] == dt.timedelta(minutes=1)
    assert schedule["outbox-purge"]["task"] == "leerkracht.tasks.outbox_purge"


SENDERS = {"EmailMessage", "EmailMultiAlternatives", "send_mail", "send_mass_mail", "mail_admins", "mail_managers"}


def senders_imported(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module in {"django.core.mail", "django.core"}:
            found += [f"line {node.lineno}: {a.name}" for a in node.names if a.name in SENDERS | {"mail"}]
    return found


def test_only_the_outbox_relay_hands_mail_to_the_mail_server():
    """No module but leerkracht/mail.py imports Django's senders: every e-mail goes through the
    outbox (tests may read `django.core.mail.outbox`)."""
    assert senders_imported("from django.core.mail import EmailMessage, get_connection") == ["line 1: EmailMessage"]
    report = {}
    paths = [path for app in APPS for path in (ROOT / app).rglob("*.py")]
    assert paths, "no modules found: the lint would pass vacuously"
    for path in paths:
        relative = path.relative_to(ROOT)
        if "tests" in relative.parts or relative == Path("leerkracht/mail.py"):
            continue
        if problems := senders_imported(path.read_text(encoding="utf-8")):
            report[str(relative)] = problems
    assert report == {}


def test_the_outbox_never_holds_a_working_password_reset_link(db, client, run):
    """The stored text has a placeholder where the token goes; the relay's finisher makes the
    token when it sends, and that link works."""
    from schools.tests.factories import UserFactory

    UserFactory(email="sanne@school.test")
    run(client.post, path="/wachtwoord-vergeten/", data={"email": "sanne@school.test"})
    stored = OutboxMessage.objects.get(kind="password_reset")
    assert "/wachtwoordtoken/" in stored.body
    (sent,) = django_mail.outbox
    link = next(word for word in sent.body.split() if "/wachtwoord-instellen/" in word)
    assert "/wachtwoordtoken/" not in link and link.split("/")[-3] in stored.body, "the same account's link"
    assert client.get(link.split("testserver", 1)[1], follow=True).redirect_chain[-1][0].endswith("/set-password/")
