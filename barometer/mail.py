"""The barometer's e-mails: the Dutch invitation and reminder texts, and the outbox finisher.

They go through the core's mail outbox (leerkracht/mail.py) as kind `OUTBOX_KIND`. The outbox row
holds the message as written, except the answer link: the body carries a placeholder, and the
finisher registered here puts in the link derived from the invitation's nonce with the server's
secret just before the relay hands the message to the mail server. So the database never holds a
working link (not in `Invitation`, not in the outbox), and a relay repeated after a crash still
sends byte-for-byte the same message under the same Message-ID, which mail servers and clients
treat as one message.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import CharField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from barometer.models import EmailKind, InvitationEmail, WaveSchool
from barometer.services.answers import invitation_token
from leerkracht import clock
from leerkracht.mail import outbox_finisher
from leerkracht.models import OutboxMessage

LINK_PLACEHOLDER = "[[antwoordlink]]"
OUTBOX_KIND = "barometer_invitation"


def message_id(*, invitation_id: int, kind: str) -> str:
    """The fixed Message-ID of one e-mail of one kind to one invitation."""
    return f"<invitation-{invitation_id}-{kind}@leerkracht>"


def message_id_suffix(*, kind: str, day=None) -> str:
    """What follows the invitation's id in the Message-ID of an e-mail of `kind` (`day` for one
    sent by hand)."""
    return f"-{kind}-{day:%Y%m%d}@leerkracht>" if day is not None else f"-{kind}@leerkracht>"


def emails_link_messages(emails: QuerySet, *, suffix: str, **changes) -> int:
    """Mark these e-mails (with `changes`, e.g. SENT) and point each at its outbox message, found
    by its Message-ID `<invitation-<id><suffix>`: one UPDATE, whatever their number."""
    message = OutboxMessage.objects.filter(
        message_id=Concat(Value("<invitation-"), Cast(OuterRef("invitation_id"), CharField()), Value(suffix))
    ).values("pk")[:1]
    return emails.update(message=Subquery(message), **changes)


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


@outbox_finisher(OUTBOX_KIND)
def answer_links_fill_in(messages: list[OutboxMessage]) -> None:
    """Put each teacher's answer link into their message, in memory, just before the relay sends
    it (one query per batch). The stored body keeps the placeholder."""
    # The relay serves every school at once: past the tenant scope on purpose, by message id.
    emails = InvitationEmail.unscoped.filter(message__in=[m.pk for m in messages]).select_related("invitation")
    links = {email.message_id: answer_url(invitation_token(email.invitation)) for email in emails}
    for message in messages:
        if message.pk in links:
            message.body = message.body.replace(LINK_PLACEHOLDER, links[message.pk])
