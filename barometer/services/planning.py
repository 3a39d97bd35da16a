"""Writes of wave planning: an admin plans a wave (which published version, when, which schools,
how long to answer, when to remind), changes or cancels it until its first school's moment
opens, and sends a reminder by hand ("Herinnering nu versturen") to whoever has not answered.

Planning itself is `barometer.services.waves.wave_plan`, given the schools of the wave's
selection; the beat tick then opens, reminds and closes the moments as it does for every wave.

Changing and cancelling race the tick, which opens a moment by a conditional
``UPDATE … WHERE status = 'planned'``. Both therefore act on the planned moments with a
statement of the same kind (a delete of, or an update to CANCELLED of, rows still PLANNED) and
then check that no moment of the wave has opened; if one has, everything rolls back and the admin
is told why. On PostgreSQL whichever statement comes second waits for the other's row locks and
re-checks the status, so a moment is either opened or changed, never both. A CANCELLED moment is
never selected by any step of the tick.

The reminder by hand goes through the same transactional outbox and relay as the scheduled
reminder (same text, same relay task), but is its own kind of e-mail (`EmailKind.MANUAL`), unique
per invitation and Amsterdam day (see `InvitationEmail`): the inserted row is the claim, so a
double click or two admins at once write one e-mail per person that day, and the next day an
admin may send one again. Each e-mail is written to the outbox and marked SENT in the transaction
that claims it, so no MANUAL e-mail is ever left PENDING for the scheduled sender to find.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from barometer import mail
from barometer.models import (
    EmailKind,
    EmailStatus,
    Invitation,
    InvitationEmail,
    QuestionnaireVersion,
    Wave,
    WaveSchool,
    WaveSchoolStatus,
    WaveTiming,
)
from barometer.selectors.planning import (
    WaveSelection,
    planned_moments,
    selection_schools,
    wave_change_refusal,
    wave_selection_school_ids,
)
from barometer.services.waves import wave_plan
from leerkracht import clock
from leerkracht import mail as outbox
from schools.models import School

MAX_MONTHS_AFTER_START = 60
MAX_ANSWER_DAYS = 120


@dataclass(frozen=True)
class WaveSettings:
    """What an admin decides about a wave (the form's cleaned values)."""

    version: QuestionnaireVersion | None
    name: str
    timing: str
    months_after_start: int | None
    fixed_date: dt.date | None
    open_time: dt.time
    answer_days: int
    reminder_days: int
    selection: WaveSelection


def _apply(wave: Wave, settings: WaveSettings) -> None:
    if settings.version is not None:
        wave.version = settings.version
    wave.name = settings.name.strip()
    wave.timing = settings.timing
    relative = settings.timing == WaveTiming.RELATIVE
    wave.months_after_start = settings.months_after_start if relative else None
    wave.fixed_date = None if relative else settings.fixed_date
    wave.open_time = settings.open_time
    wave.answer_days = settings.answer_days
    wave.reminder_days = settings.reminder_days
    selection = settings.selection
    # One meaning stored: a list of schools, or the filters.
    wave.sectors = [] if selection.explicit else list(selection.sectors)
    wave.phases = [] if selection.explicit else list(selection.phases)


def _check(wave: Wave, settings: WaveSettings, *, now: dt.datetime) -> None:
    """Refuse what cannot be planned, with a message per form field."""
    errors: dict[str, str] = {}
    if settings.version is None or not settings.version.is_published:
        errors["version"] = _(
            "Kies een gepubliceerde versie van de vragenlijst: een concept kan nog veranderen, en antwoorden "
            "moeten altijd betekenen wat de vragen zeiden."
        )
    if not wave.name:
        errors["name"] = _("Geef het meetmoment een naam, bijvoorbeeld ‘Zes maanden na de start’.")
    if settings.timing == WaveTiming.RELATIVE:
        if not wave.months_after_start or not 1 <= wave.months_after_start <= MAX_MONTHS_AFTER_START:
            errors["months_after_start"] = _("Vul in hoeveel maanden na de startdag: 1 tot en met %(max)d.") % {
                "max": MAX_MONTHS_AFTER_START
            }
    elif settings.timing == WaveTiming.FIXED:
        if wave.fixed_date is None:
            errors["fixed_date"] = _("Kies de datum waarop de vragenlijst opent.")
        elif clock.instant(wave.fixed_date, wave.open_time) < now:
            errors["fixed_date"] = _("Die datum en dat uur zijn al voorbij: kies een moment dat nog komt.")
    else:
        errors["timing"] = _("Kies wanneer de vragenlijst opent: na de startdag of op één datum.")
    if wave.answer_days < 1:
        errors["answer_days"] = _(
            "De antwoordtermijn zou eindigen voordat hij begint: geef minstens één dag om te antwoorden."
        )
    elif wave.answer_days > MAX_ANSWER_DAYS:
        errors["answer_days"] = _("Een antwoordtermijn duurt hoogstens %(max)d dagen.") % {"max": MAX_ANSWER_DAYS}
    elif not 1 <= wave.reminder_days < wave.answer_days:
        errors["reminder_days"] = _(
            "De herinnering moet binnen de antwoordtermijn vallen: na 1 tot en met %(last)d dagen."
        ) % {"last": wave.answer_days - 1}
    if not errors:
        errors.update(_check_selection(wave, settings.selection, now=now))
    if errors:
        raise ValidationError(errors)


def _check_selection(wave: Wave, selection: WaveSelection, *, now: dt.datetime) -> dict[str, str]:
    if selection.explicit:
        taking_part = set(selection_schools(selection=selection).values_list("pk", flat=True))
        left_out = School.objects.filter(pk__in=set(selection.school_ids) - taking_part).order_by("name")
        if names := [f"{school.name} ({school.code})" for school in left_out]:
            return {
                "school_codes": _(
                    "Deze scholen doen niet mee aan de barometer (alleen scholen in jaar 1, jaar 2 of senior met "
                    "een startdag): %(schools)s."
                )
                % {"schools": ", ".join(names)}
            }
    matched, moments = planned_moments(wave=wave, selection=selection, now=now)
    if not matched:
        return {
            "selection": _(
                "Met deze keuze doet geen enkele school mee. Kies andere sectoren, regio's of fasen, of losse "
                "scholen: alleen scholen in jaar 1, jaar 2 of senior met een startdag doen mee."
            )
        }
    if not moments:
        return {
            "selection": _(
                "Geen van de gekozen scholen krijgt nog een moment: voor allemaal ligt het al in het verleden."
            )
        }
    return {}


def _save_and_plan(wave: Wave, selection: WaveSelection, *, now: dt.datetime) -> int:
    wave.save()
    wave.regions.set([] if selection.explicit else selection.region_ids)
    wave.selected_schools.set(selection.school_ids)
    return wave_plan(wave=wave, now=now, school_ids=wave_selection_school_ids(wave=wave))


def wave_create(*, settings: WaveSettings, user, now: dt.datetime | None = None) -> Wave:
    """Plan a new wave: validate (a published version, a moment that is still to come, an
    answer window that ends after it starts with the reminder inside it, at least one school
    that gets a moment) and plan every selected school's moment. Raises ValidationError with a
    message per field."""
    now = now or timezone.now()
    wave = Wave(created_by=user)
    _apply(wave, settings)
    _check(wave, settings, now=now)
    with transaction.atomic():
        _save_and_plan(wave, settings.selection, now=now)
    return wave


def _locked(wave: Wave, *, now: dt.datetime) -> Wave:
    """The wave's row, locked (so two admins change it one after the other), if it may change."""
    locked = Wave.objects.select_for_update().get(pk=wave.pk)
    if refusal := wave_change_refusal(wave=locked, now=now):
        raise ValidationError(refusal)
    return locked


def _nothing_opened(wave: Wave, *, now: dt.datetime) -> None:
    """After acting on the planned moments: if the tick opened one meanwhile, refuse (and so
    roll back the whole change)."""
    # A wave is national: its moments in every school, read past the tenant scope on purpose.
    if WaveSchool.unscoped.filter(wave=wave, status__in=[WaveSchoolStatus.OPEN, WaveSchoolStatus.CLOSED]).exists():
        raise ValidationError(wave_change_refusal(wave=wave, now=now))


def wave_update(*, wave: Wave, settings: WaveSettings, now: dt.datetime | None = None) -> Wave:
    """Change a wave that has not started: its planned moments are removed and planned again
    from the new settings. Refused (ValidationError) once a school's moment has opened, or
    when the wave was cancelled."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked(wave, now=now)
        _apply(locked, settings)
        _check(locked, settings, now=now)
        # Same kind of statement as the tick's opening claim (see the module docstring).
        WaveSchool.unscoped.filter(wave=locked, status=WaveSchoolStatus.PLANNED).delete()
        _nothing_opened(locked, now=now)
        _save_and_plan(locked, settings.selection, now=now)
    return locked


def wave_cancel(*, wave: Wave, user, now: dt.datetime | None = None) -> Wave:
    """Cancel a wave that has not started: its planned moments become CANCELLED, which the tick
    never opens, and the wave says when and by whom. Refused once a school's moment opened."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked(wave, now=now)
        WaveSchool.unscoped.filter(wave=locked, status=WaveSchoolStatus.PLANNED).update(
            status=WaveSchoolStatus.CANCELLED
        )
        _nothing_opened(locked, now=now)
        locked.cancelled_at = now
        locked.cancelled_by = user
        locked.save(update_fields=["cancelled_at", "cancelled_by"])
    return locked


# --- The reminder by hand ---------------------------------------------------------------------


@dataclass(frozen=True)
class ManualReminder:
    """What "Herinnering nu versturen" did: e-mails written, and who had not answered."""

    sent: int
    unanswered: int


def manual_message_id(*, invitation_id: int, day: dt.date) -> str:
    """The fixed Message-ID of the reminder sent by hand to one invitation on one day."""
    return f"<invitation-{invitation_id}" + mail.message_id_suffix(kind=EmailKind.MANUAL, day=day)


def wave_school_remind_now(*, wave_school_id: int, now: dt.datetime | None = None) -> ManualReminder:
    """Send a reminder now to everyone invited to this open school's moment who has not answered,
    at most once per person per Amsterdam day, through the outbox and its relay. Raises
    ValidationError when the moment is not open."""
    now = now or timezone.now()
    day = now.astimezone(clock.AMSTERDAM).date()
    with transaction.atomic():
        wave_school = (
            WaveSchool.objects.select_related("wave__version__questionnaire", "school")
            .filter(pk=wave_school_id, status=WaveSchoolStatus.OPEN, closes_at__gt=now)
            .first()
        )
        if wave_school is None:
            raise ValidationError(_("Dit moment is niet open: herinneren kan alleen zolang er geantwoord kan worden."))
        school_id = wave_school.school_id
        unanswered = list(
            Invitation.objects.filter(school_id=school_id, wave_school=wave_school, answered_at__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        # The claim: one row per invitation and day (unique); rows another admin's click already
        # made are skipped, and on PostgreSQL an insert racing theirs waits for it and skips too.
        InvitationEmail.objects.bulk_create(
            [
                InvitationEmail(school_id=school_id, invitation_id=pk, kind=EmailKind.MANUAL, day=day)
                for pk in unanswered
            ],
            ignore_conflicts=True,
            batch_size=1000,
        )
        claimed = list(
            InvitationEmail.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("invitation__user")
            .filter(
                school_id=school_id,
                invitation__wave_school=wave_school,
                kind=EmailKind.MANUAL,
                day=day,
                status=EmailStatus.PENDING,
            )
            .order_by("pk")
        )
        # The scheduled reminder's text: a reminder by hand says the same.
        template = mail.invitation_template(kind=EmailKind.REMINDER, wave_school=wave_school)
        messages, written = [], set()
        for email in claimed:
            if email.invitation.answered_at is not None:
                continue
            subject, body = mail.invitation_message(email=email, wave_school=wave_school, template=template)
            messages.append(
                outbox.Mail(
                    to=email.invitation.user.email,
                    subject=subject,
                    body=body,
                    message_id=manual_message_id(invitation_id=email.invitation_id, day=day),
                )
            )
            written.add(email.pk)
        # One insert into the core's outbox, whose relay runs after the commit; one update marks
        # the e-mails SENT and points them at their messages.
        outbox.outbox_write_many(kind=mail.OUTBOX_KIND, mails=messages, now=now)
        mail.emails_link_messages(
            InvitationEmail.objects.filter(pk__in=written),
            suffix=mail.message_id_suffix(kind=EmailKind.MANUAL, day=day),
            status=EmailStatus.SENT,
            sent_at=now,
        )
        # Nothing is left PENDING (answered in the meantime: no reminder that day).
        InvitationEmail.objects.filter(pk__in=[e.pk for e in claimed if e.pk not in written]).delete()
    return ManualReminder(sent=len(messages), unanswered=len(unanswered))
