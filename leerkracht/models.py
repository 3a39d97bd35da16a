"""The core's own tables: the mail outbox (leerkracht/mail.py). Nothing here knows an app: a
sender that must find its message again points at it from its own table."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone


class OutboxMessage(models.Model):
    """One e-mail, written in the transaction that decides to send it (the transactional outbox).

    Its Message-ID is fixed when it is written. The relay claims it in a committed update
    (`claimed_at`) before the SMTP call and stamps `relayed_at` after it, so a worker killed in
    between leaves a claimed, unconfirmed message: it is not sent again until the claim's lease
    has run out, and then under the same Message-ID (see leerkracht/mail.py).

    Not tenant-owned: a password-reset mail belongs to no school, and the relay serves every
    school at once. `kind` names the sender (and the finisher that fills in what must not be
    stored, such as the barometer's answer link)."""

    kind = models.CharField(max_length=40)
    to = models.EmailField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    html = models.TextField(blank=True)
    message_id = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    relayed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The relay's and the sweep's read: what is not relayed yet, oldest first.
            models.Index(fields=["claimed_at", "id"], condition=Q(relayed_at__isnull=True), name="outbox_unrelayed"),
            # The purge's read: relayed messages by age.
            models.Index(fields=["relayed_at"], condition=Q(relayed_at__isnull=False), name="outbox_relayed"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to} ({self.message_id})"
