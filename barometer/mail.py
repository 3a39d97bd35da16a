"""The barometer's e-mails: the Dutch invitation and reminder texts, and the outbox relay.

The outbox row holds the message as written, except the answer link: the body carries a
placeholder, and the relay puts in the link derived from the invitation's nonce with the server's
secret just before handing the message to the mail server. So the database never holds a working
link (not in `Invitation`, not in the outbox), and a relay repeated after a crash still sends
byte-for-byte the same message under the same Message-ID, which mail servers and clients treat as
one message.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from barometer.models import EmailKind, InvitationEmail, OutboxMessage, WaveSchool
from barometer.services.answers import invitation_token
from leerkracht import clock

LINK_PLACEHOLDER = "[[antwoordlink]]"


def message_id(*, invitation_id: int, kind: str) -> str:
    """The fixed Message-ID of one e-mail of one kind to one invitation."""
    return f"<invitation-{invitation_id}-{kind}@leerkracht>"


def answer_url(token: str) -> str:
    """The absolute address of the answer page of a token (workers have no request to ask)."""
    return settings.SITE_URL + reverse("barometer_answers:answer", kwargs={"token": token})


NAME_PLACEHOLDER = "[[voornaam]]"


def invitation_template(*, kind: str, wave_school: WaveSchool) -> tuple[str, str]:
    """Subject and body of an invitation or reminder of one school's moment, in Dutch, with
    placeholders for the first name and the link: rendered once per chunk, not once per teacher
    (a national wave writes 130,000 of them)."""
    questionnaire = wave_school.wave.version.questionnaire
    closes = wave_school.closes_at.astimezone(clock.AMSTERDAM)
    with translation.override("nl"):
        context = {
            "first_name": NAME_PLACEHOLDER,
            "school": wave_school.school.name,
            "questionnaire": questionnaire.title,
            "intro": wave_school.wave.version.intro,
            "deadline": _("%(day)s om %(time)s")
            % {"day": formats.date_format(closes, "l j F"), "time": formats.time_format(closes, "H:i")},
            "link": LINK_PLACEHOLDER,
        }
        if kind == EmailKind.INVITE:
            subject = _("Uitnodiging: %(title)s") % {"title": questionnaire.title}
        else:
            subject = _("Herinnering: %(title)s") % {"title": questionnaire.title}
        body = render_to_string(f"barometer/email_{kind}.txt", context)  # autoescape off: plain text
    return subject[:200], body


def invitation_message(
    *, email: InvitationEmail, wave_school: WaveSchool, template: tuple[str, str] | None = None
) -> tuple[str, str]:
    """Subject and body (with the link placeholder) of one teacher's invitation or reminder, from
    the moment's template (rendered here when not given)."""
    subject, body = template or invitation_template(kind=email.kind, wave_school=wave_school)
    return subject, body.replace(NAME_PLACEHOLDER, email.invitation.user.first_name)


def outbox_relay(*, school_id: int, now: dt.datetime | None = None, limit: int | None = None) -> int:
    """Hand the school's unrelayed outbox messages to the mail server, each in a transaction that
    holds its row (a concurrent relay skips it) and stamps `relayed_at`. A crash after sending and
    before the stamp sends that one again, under the same Message-ID. Returns how many were sent."""
    limit = limit or settings.BAROMETER_EMAIL_CHUNK
    unrelayed = OutboxMessage.objects.filter(school_id=school_id, relayed_at__isnull=True)
    sent, after = 0, 0
    while True:
        ids = list(unrelayed.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[:limit])
        if not ids:
            return sent
        for pk in ids:
            with transaction.atomic():
                message = (
                    OutboxMessage.objects.select_for_update(skip_locked=True, of=("self",))
                    .select_related("email__invitation")
                    .filter(pk=pk, school_id=school_id, relayed_at__isnull=True)
                    .first()
                )
                if message is None:
                    continue
                body = message.body.replace(LINK_PLACEHOLDER, answer_url(invitation_token(message.email.invitation)))
                EmailMessage(
                    subject=message.subject,
                    body=body,
                    to=[message.to],
                    headers={"Message-ID": message.message_id},
                ).send()
                message.relayed_at = now or timezone.now()
                message.save(update_fields=["relayed_at"])
                sent += 1
        after = ids[-1]
