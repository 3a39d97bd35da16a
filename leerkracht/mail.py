"""The one mail path: every e-mail goes through the transactional outbox (`OutboxMessage`).

Writing: `outbox_write` (or `outbox_write_many`) in the transaction that decides to send the
message stores it with a fixed Message-ID and enqueues the relay for after the commit. A rolled
back transaction leaves no message; a committed one always has its relay (the beat sweep runs it
again for anything left behind).

Relaying: `outbox_relay` never runs inside a transaction (it refuses to). Per message it

1. claims it: an UPDATE of `claimed_at` that only matches an unclaimed message (or one whose
   claim's lease ran out), committed at once, so two relays never both send it;
2. hands it to the mail server under its fixed Message-ID, outside any transaction;
3. stamps `relayed_at`. A send that raises gives the claim back, so the retry sends it.

A worker killed between 2 and 3 leaves a claimed, unconfirmed message: nobody can know whether
the mail server took it. It is not sent again while its claim's lease lasts
(MAIL_OUTBOX_LEASE_SECONDS, far longer than one SMTP call may take); after that the sweep sends it
once more under the same Message-ID, which mail servers and clients treat as the same message.
The trade-off, chosen: a message lost with a worker killed just before the send arrives one lease
late, and one killed just after it may reach a client that does not dedupe twice; nothing is
resent while a send may still be under way, and nothing is lost for good.

Finishers: a sender may keep something out of the stored message (the barometer's answer link:
the database never holds a working link). It registers a finisher for its `kind`
(`outbox_finisher`) that fills it in just before the send, from its own tables; the core knows
no app.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection
from django.db.models import F, Q
from django.utils import timezone

from leerkracht.models import OutboxMessage

logger = logging.getLogger(__name__)

Finisher = Callable[[list[OutboxMessage]], None]
_finishers: dict[str, Finisher] = {}


class MailInTransaction(RuntimeError):
    """An e-mail was to be handed to the mail server while a database transaction was open."""


def in_transaction() -> bool:
    """Whether code has a transaction open (a test case's own wrapping transaction not counted)."""
    return any(not block._from_testcase for block in connection.atomic_blocks)


def refuse_in_transaction(what: str) -> None:
    """Raise when a transaction is open: an SMTP call inside one could be rolled back after the
    mail left, and a worker killed before the commit would send it again."""
    if in_transaction():
        raise MailInTransaction(f"{what} inside a database transaction: write it to the outbox (leerkracht.mail).")


def message_id_new() -> str:
    """A fresh Message-ID for a message that has no natural key of its own."""
    return f"<{uuid.uuid4().hex}@leerkracht>"


def outbox_finisher(kind: str) -> Callable[[Finisher], Finisher]:
    """Register the finisher of one kind of message: it gets the batch of messages about to be
    sent and fills in (in memory only) what the stored body leaves out."""

    def register(function: Finisher) -> Finisher:
        _finishers[kind] = function
        return function

    return register


@dataclass(frozen=True)
class Mail:
    """One message to write."""

    to: str
    subject: str
    body: str
    html: str = ""
    message_id: str = ""


def outbox_write_many(*, kind: str, mails: Sequence[Mail], now: dt.datetime | None = None) -> list[OutboxMessage]:
    """Write messages to the outbox (one INSERT) and enqueue their relay for after the commit."""
    now = now or timezone.now()
    messages = OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(
                kind=kind,
                to=item.to,
                subject=item.subject[:200],
                body=item.body,
                html=item.html,
                message_id=item.message_id or message_id_new(),
                created_at=now,
            )
            for item in mails
        ]
    )
    if messages:
        outbox_relay_enqueue([message.pk for message in messages])
    return messages


def outbox_write(
    *, kind: str, to: str, subject: str, body: str, html: str = "", message_id: str = "", now: dt.datetime | None = None
) -> OutboxMessage:
    """Write one message to the outbox and enqueue its relay for after the commit."""
    mail = Mail(to=to, subject=subject, body=body, html=html, message_id=message_id)
    return outbox_write_many(kind=kind, mails=[mail], now=now)[0]


def outbox_relay_enqueue(message_ids: Sequence[int] | None) -> None:
    """Relay these messages (None: every one due) after the current transaction commits."""
    from leerkracht import tasks  # the tasks module imports this one

    tasks.outbox_relay.delay(message_ids=None if message_ids is None else list(message_ids))


def _due(now: dt.datetime):
    lease = now - dt.timedelta(seconds=settings.MAIL_OUTBOX_LEASE_SECONDS)
    return OutboxMessage.objects.filter(relayed_at__isnull=True).filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=lease)
    )


def _send(message: OutboxMessage) -> None:
    refuse_in_transaction("An e-mail is sent")
    mail = EmailMultiAlternatives(
        subject=message.subject, body=message.body, to=[message.to], headers={"Message-ID": message.message_id}
    )
    if message.html:
        mail.attach_alternative(message.html, "text/html")
    mail.send()


def outbox_relay(*, message_ids: Iterable[int] | None = None, now: dt.datetime | None = None) -> int:
    """Hand the messages due (these, or every one when `message_ids` is None) to the mail server:
    claim, send, stamp, one message at a time (see the module docstring). Returns how many it
    sent."""
    refuse_in_transaction("The outbox relay runs")
    ids = None if message_ids is None else sorted(set(message_ids))
    limit = settings.MAIL_OUTBOX_BATCH
    sent, after = 0, 0
    while True:
        now_batch = now or timezone.now()
        due = _due(now_batch).filter(pk__gt=after)
        if ids is not None:
            due = due.filter(pk__in=ids)
        batch = list(due.order_by("pk")[:limit])
        if not batch:
            return sent
        by_kind: dict[str, list[OutboxMessage]] = defaultdict(list)
        for message in batch:
            by_kind[message.kind].append(message)
        for kind, messages in by_kind.items():
            if kind in _finishers:
                _finishers[kind](messages)
        for message in batch:
            sent += _relay_one(message, now=now)
        after = batch[-1].pk
        if len(batch) < limit:
            return sent


def _relay_one(message: OutboxMessage, *, now: dt.datetime | None) -> int:
    claimed_at = now or timezone.now()
    # The claim: matches only while nobody else holds it (or their lease ran out); committed
    # before the send (autocommit), so a second relay skips this message from here on.
    claimed = OutboxMessage.objects.filter(pk=message.pk, relayed_at__isnull=True, claimed_at=message.claimed_at)
    if message.claimed_at is None:
        claimed = OutboxMessage.objects.filter(pk=message.pk, relayed_at__isnull=True, claimed_at__isnull=True)
    if not claimed.update(claimed_at=claimed_at, attempts=F("attempts") + 1):
        return 0
    if message.claimed_at is not None:
        logger.warning(
            "Outbox message %s was claimed at %s and never confirmed: sent again under the same Message-ID %s.",
            message.pk,
            message.claimed_at.isoformat(),
            message.message_id,
        )
    try:
        _send(message)
    except Exception:
        # Not taken by the mail server: give the claim back so the retry (or the sweep) sends it.
        OutboxMessage.objects.filter(pk=message.pk, claimed_at=claimed_at).update(claimed_at=None)
        raise
    OutboxMessage.objects.filter(pk=message.pk).update(relayed_at=now or timezone.now())
    return 1


def outbox_purge(*, now: dt.datetime | None = None) -> int:
    """Delete relayed messages older than MAIL_OUTBOX_RETENTION_DAYS (their bodies are personal
    data that has done its job). Returns how many went."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.MAIL_OUTBOX_RETENTION_DAYS)
    removed = 0
    while True:
        ids = list(
            OutboxMessage.objects.filter(relayed_at__lt=cutoff).order_by("pk").values_list("pk", flat=True)[:1000]
        )
        if not ids:
            return removed
        removed += OutboxMessage.objects.filter(pk__in=ids).delete()[0]
