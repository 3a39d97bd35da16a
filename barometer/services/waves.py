"""Writes of the barometer waves: planning each school's moment, the beat tick that opens, reminds
and closes, the invitations, and writing their e-mails to the outbox.

Exactly once, by constraint and status rather than by luck (see barometer/models/wave.py):

- opening, reminding and closing are claims: one conditional ``UPDATE … WHERE <state> RETURNING``
  per step, so of two ticks running at once (a beat tick delivered twice) exactly one gets each
  row, and only that one enqueues the follow-up task;
- invitations and e-mails are ``bulk_create(ignore_conflicts=True)`` against unique constraints,
  so running the invite or the reminder again adds nothing;
- an e-mail is written to the outbox and marked SENT in one transaction that holds its row lock
  (``skip_locked``: a second sender skips it), so a worker killed half-way leaves every e-mail
  either fully written or still PENDING, and the retry writes only the rest.

What no constraint can cover is the moment between a claim's commit and the broker accepting the
follow-up task. The tick therefore also re-enqueues work that is visibly unfinished (an open
school's moment without invitations, PENDING e-mails, unrelayed outbox rows); every task is
idempotent, so an extra one costs a query and changes nothing.

Every function that depends on the clock takes ``now`` (UTC), so tests replay any moment,
including the 2026 daylight-saving changes.
"""

from __future__ import annotations

import calendar
import datetime as dt
import secrets
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from barometer import mail
from barometer.models import (
    EmailKind,
    EmailStatus,
    Invitation,
    InvitationEmail,
    OutboxMessage,
    VersionStatus,
    Wave,
    WaveSchool,
    WaveSchoolStatus,
    WaveTiming,
)
from barometer.selectors.waves import wave_school_teachers
from barometer.services.answers import invitation_drafts_clear, invitation_token, token_digest
from leerkracht import tenancy
from schools.models import Phase, School

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
PARTICIPATING_PHASES = (Phase.YEAR_1, Phase.YEAR_2, Phase.SENIOR)
# How long after opening the tick keeps checking that a school's moment got its invitations
# (the tick runs every few minutes; a day is ample to cover a lost enqueue).
RECOVERY_WINDOW = dt.timedelta(days=1)


# --- Dates and times ---------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus calendar months, clamped to the end of a shorter month (31 August + 6 months is
    28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def amsterdam_instant(day: dt.date, at: dt.time) -> dt.datetime:
    """The UTC instant of an Amsterdam date and wall-clock time.

    zoneinfo with fold=0 decides the two daylight-saving cases, and we keep its choice:
    - a time that does not exist (29 March 2026 02:30, in the hour skipped from 02:00 to 03:00)
      is read with the offset before the change (+01:00), i.e. 01:30 UTC = 03:30 summer time:
      the moment moves forward by the length of the gap;
    - a time that happens twice (25 October 2026 02:30, in the hour repeated from 03:00 back to
      02:00) is the first occurrence, in summer time (+02:00), i.e. 00:30 UTC.
    Either way one date and hour give one instant, so a wave school opens once.
    """
    local = dt.datetime.combine(day, at.replace(tzinfo=None), tzinfo=AMSTERDAM)  # fold=0
    return local.astimezone(dt.UTC)


def wave_opens_on(*, wave: Wave, start_date: dt.date | None) -> dt.date | None:
    """The Amsterdam date a school's moment opens: months after its startdag, or the wave's date."""
    if wave.timing == WaveTiming.FIXED:
        return wave.fixed_date
    if start_date is None:
        return None
    return add_months(start_date, wave.months_after_start)


# --- Planning ----------------------------------------------------------------------------------


def wave_plan(
    *,
    wave: Wave,
    now: dt.datetime | None = None,
    include_past: bool = False,
    school_ids: list[int] | None = None,
) -> int:
    """Plan the wave's moment for every participating school (year 1, year 2 or senior, with a
    startdag) in the current tenant scope; only moments that open at or after `now` unless
    `include_past`. Idempotent: a school already planned keeps its row. Returns how many rows
    were added."""
    if not wave.version.is_published:
        # A draft can still change; answers must always mean what the questions said.
        raise ValidationError(_("Een meetmoment vraagt een gepubliceerde versie van de vragenlijst."))
    now = now or timezone.now()
    schools = School.objects.filter(phase__in=PARTICIPATING_PHASES, start_date__isnull=False)
    if school_ids is not None:
        schools = schools.filter(pk__in=school_ids)
    answer_time = dt.timedelta(days=wave.answer_days)  # in Amsterdam days: the deadline keeps its hour
    rows = []
    for school_id, start_date in schools.order_by("pk").values_list("pk", "start_date"):
        opens_on = wave_opens_on(wave=wave, start_date=start_date)
        if opens_on is None:
            continue
        opens_at = amsterdam_instant(opens_on, wave.open_time)
        if opens_at < now and not include_past:
            continue
        rows.append(
            WaveSchool(
                school_id=school_id,
                wave=wave,
                opens_on=opens_on,
                opens_at=opens_at,
                # The deadline is the same Amsterdam hour, answer_days later: a moment that spans the
                # end of summer time still closes at 07:30, not at 06:30.
                closes_at=amsterdam_instant(opens_on + answer_time, wave.open_time),
            )
        )
    before = WaveSchool.objects.filter(wave=wave).count()
    WaveSchool.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return WaveSchool.objects.filter(wave=wave).count() - before


def waves_plan_all(*, now: dt.datetime | None = None) -> int:
    """Plan every wave for the schools in scope that do not have their moment yet (a school that
    started after a relative wave was made gets it here). Returns how many rows were added."""
    now = now or timezone.now()
    published = Wave.objects.filter(version__status=VersionStatus.PUBLISHED).select_related("version")
    return sum(wave_plan(wave=wave, now=now) for wave in published.order_by("pk"))


# --- The tick ----------------------------------------------------------------------------------


@dataclass
class TickResult:
    """What one tick claimed: wave school ids opened, reminded and closed by this tick."""

    opened: list[int] = field(default_factory=list)
    reminded: list[int] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)


def _claim(*, ids: list[int], condition: str, assignments: dict[str, object]) -> list[tuple[int, int]]:
    """One conditional UPDATE of these wave schools that still satisfy `condition` (fixed SQL of
    this module, never user input); returns (id, school_id) of the rows this statement changed.

    The claim: when two ticks race, PostgreSQL makes the second UPDATE wait for the first's row
    locks and then re-checks the condition on the committed row, which no longer holds; so each
    row is returned to exactly one of them."""
    if not ids:
        return []
    table = connection.ops.quote_name(WaveSchool._meta.db_table)
    claimed: list[tuple[int, int]] = []
    values = [
        connection.ops.adapt_datetimefield_value(value) if isinstance(value, dt.datetime) else value
        for value in assignments.values()
    ]
    sets = ", ".join(f"{connection.ops.quote_name(column)} = %s" for column in assignments)
    for start in range(0, len(ids), 1000):
        batch = ids[start : start + 1000]
        placeholders = ", ".join(["%s"] * len(batch))
        sql = (
            f"UPDATE {table} SET {sets} WHERE id IN ({placeholders}) AND {condition} "  # noqa: S608 - fixed SQL
            "RETURNING id, school_id"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*values, *batch])
            claimed.extend((row[0], row[1]) for row in cursor.fetchall())
    return sorted(claimed)


def wave_schools_close_due(*, now: dt.datetime) -> list[tuple[int, int]]:
    """Close every school's moment whose deadline has come (also one that never opened because
    its whole window passed while beat was down: it must not open late)."""
    # A platform-wide sweep, so it reads past the tenant scope on purpose (ids only).
    due = list(
        WaveSchool.unscoped.filter(
            status__in=[WaveSchoolStatus.PLANNED, WaveSchoolStatus.OPEN], closes_at__lte=now
        ).values_list("pk", flat=True)
    )
    return _claim(
        ids=due,
        condition="status IN ('planned', 'open')",
        assignments={"status": WaveSchoolStatus.CLOSED.value, "closed_at": now},
    )


def wave_schools_open_due(*, now: dt.datetime) -> list[tuple[int, int]]:
    """Open every planned moment whose opening time has come and whose deadline has not."""
    # Platform-wide sweep past the tenant scope, on purpose (ids only).
    due = list(
        WaveSchool.unscoped.filter(status=WaveSchoolStatus.PLANNED, opens_at__lte=now, closes_at__gt=now).values_list(
            "pk", flat=True
        )
    )
    return _claim(
        ids=due,
        condition="status = 'planned'",
        assignments={"status": WaveSchoolStatus.OPEN.value, "opened_at": now},
    )


def wave_schools_remind_due(*, now: dt.datetime) -> list[tuple[int, int]]:
    """Claim the reminder of every open moment that has been open `reminder_days` and was not
    reminded yet."""
    # Platform-wide sweep past the tenant scope, on purpose (ids only). The days are the wave's,
    # so the due check is done here rather than in SQL date arithmetic that differs per database.
    candidates = WaveSchool.unscoped.filter(
        status=WaveSchoolStatus.OPEN, reminded_at__isnull=True, closes_at__gt=now
    ).values_list("pk", "opens_at", "wave__reminder_days")
    due = [pk for pk, opens_at, days in candidates if opens_at + dt.timedelta(days=days) <= now]
    return _claim(
        ids=due,
        condition="status = 'open' AND reminded_at IS NULL",
        assignments={"reminded_at": now},
    )


def barometer_tick(*, now: dt.datetime | None = None) -> TickResult:
    """One beat tick: close what is due, open what is due (and invite), remind who has not
    answered, and re-enqueue unfinished work. Safe to run any number of times at any moment."""
    from barometer import tasks  # the tasks call these services

    now = now or timezone.now()
    result = TickResult()
    closed = wave_schools_close_due(now=now)
    result.closed = [pk for pk, _school_id in closed]
    if closed:
        # What a teacher saved but never sent is kept next to their name only while it can still
        # be sent: a closed moment empties its drafts.
        with tenancy.scope(school_ids={school_id for _pk, school_id in closed}):
            invitation_drafts_clear(wave_school_ids=result.closed)
    for pk, school_id in wave_schools_open_due(now=now):
        result.opened.append(pk)
        tasks.wave_school_invite.delay(school_id=school_id, wave_school_id=pk)
    for pk, school_id in wave_schools_remind_due(now=now):
        result.reminded.append(pk)
        tasks.wave_school_remind.delay(school_id=school_id, wave_school_id=pk)
    _recover(now=now, skip=set(result.opened), skip_reminded=set(result.reminded))
    return result


def _recover(*, now: dt.datetime, skip: set[int], skip_reminded: set[int] = frozenset()) -> None:
    """Re-enqueue work a lost enqueue left undone. Each task is idempotent, so one that is in
    fact still queued or running only costs a query."""
    from barometer import tasks

    # A reminder claimed by a tick whose task was lost (a worker killed before it ran): someone
    # who has not answered has no reminder e-mail yet. Without this, Redis would redeliver the
    # task only after its visibility timeout, hours later.
    unreminded = (
        WaveSchool.unscoped.filter(
            status=WaveSchoolStatus.OPEN, reminded_at__isnull=False, reminded_at__gte=now - RECOVERY_WINDOW
        )
        .exclude(pk__in=skip_reminded)
        .filter(
            Exists(
                Invitation.unscoped.filter(wave_school_id=OuterRef("pk"), answered_at__isnull=True).exclude(
                    Exists(InvitationEmail.unscoped.filter(invitation_id=OuterRef("pk"), kind=EmailKind.REMINDER))
                )
            )
        )
        .values_list("pk", "school_id")
    )
    for pk, school_id in unreminded:
        tasks.wave_school_remind.delay(school_id=school_id, wave_school_id=pk)

    # All three are platform-wide sweeps past the tenant scope, on purpose (ids only).
    uninvited = (
        WaveSchool.unscoped.filter(status=WaveSchoolStatus.OPEN, opened_at__gte=now - RECOVERY_WINDOW)
        .exclude(pk__in=skip)
        .exclude(Exists(Invitation.unscoped.filter(wave_school_id=OuterRef("pk"))))
        .values_list("pk", "school_id")
    )
    for pk, school_id in uninvited:
        tasks.wave_school_invite.delay(school_id=school_id, wave_school_id=pk)
    pending = (
        InvitationEmail.unscoped.filter(
            status=EmailStatus.PENDING, invitation__wave_school__status=WaveSchoolStatus.OPEN
        )
        .values_list("school_id", "invitation__wave_school_id", "kind")
        .distinct()
        .order_by()
    )
    for school_id, wave_school_id, kind in sorted(pending):
        tasks.invitation_emails_send.delay(school_id=school_id, wave_school_id=wave_school_id, kind=kind)
    unrelayed = OutboxMessage.unscoped.filter(relayed_at__isnull=True).values_list("school_id", flat=True)
    for school_id in sorted(set(unrelayed)):
        tasks.outbox_relay.delay(school_id=school_id)


# --- Invitations and reminders (inside the school's scope) -------------------------------------


def _open_wave_school(*, school_id: int, wave_school_id: int) -> WaveSchool | None:
    """The school's moment if it is open; None for one that is not (yet, any more) or that is not
    this school's (a mismatched pair of ids finds nothing)."""
    return (
        WaveSchool.objects.select_related("wave", "wave__version__questionnaire", "school")
        .filter(pk=wave_school_id, school_id=school_id, status=WaveSchoolStatus.OPEN)
        .first()
    )


def wave_school_invite(*, school_id: int, wave_school_id: int) -> int:
    """Invite every teacher of the school to its open moment (one invitation per teacher per wave,
    with a fresh secret nonce; only the token's digest is stored), make one INVITE e-mail per
    invitation and enqueue the sender. Running it again adds only teachers who are new. Returns
    how many invitations were added."""
    from barometer import tasks

    wave_school = _open_wave_school(school_id=school_id, wave_school_id=wave_school_id)
    if wave_school is None:
        return 0
    teachers = wave_school_teachers(school_id=school_id)
    with transaction.atomic():
        invited = set(
            Invitation.objects.filter(school_id=school_id, wave_id=wave_school.wave_id).values_list(
                "user_id", flat=True
            )
        )
        rows = []
        for user_id, team_id in teachers.items():
            if user_id in invited:
                continue
            row = Invitation(
                school_id=school_id,
                wave_school=wave_school,
                wave_id=wave_school.wave_id,
                user_id=user_id,
                team_id=team_id,
                nonce=secrets.token_hex(32),
            )
            row.token_digest = token_digest(invitation_token(row))
            rows.append(row)
        # (wave, user) is unique: a teacher of two schools in one wave is asked once, by the first
        # school to open; a concurrent run's rows win over ours without an error.
        before = Invitation.objects.filter(school_id=school_id, wave_school=wave_school).count()
        Invitation.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
        added = Invitation.objects.filter(school_id=school_id, wave_school=wave_school).count() - before
        _emails_create(wave_school=wave_school, kind=EmailKind.INVITE, unanswered_only=False)
        tasks.invitation_emails_send.delay(school_id=school_id, wave_school_id=wave_school.pk, kind=EmailKind.INVITE)
    return added


def wave_school_remind(*, school_id: int, wave_school_id: int) -> int:
    """Make one REMINDER e-mail for every invitation of the open moment not answered yet (never a
    second one: unique per invitation and kind) and enqueue the sender. Returns how many were
    added."""
    from barometer import tasks

    wave_school = _open_wave_school(school_id=school_id, wave_school_id=wave_school_id)
    if wave_school is None:
        return 0
    with transaction.atomic():
        added = _emails_create(wave_school=wave_school, kind=EmailKind.REMINDER, unanswered_only=True)
        tasks.invitation_emails_send.delay(school_id=school_id, wave_school_id=wave_school.pk, kind=EmailKind.REMINDER)
    return added


def _emails_create(*, wave_school: WaveSchool, kind: str, unanswered_only: bool) -> int:
    invitations = Invitation.objects.filter(school_id=wave_school.school_id, wave_school=wave_school)
    if unanswered_only:
        invitations = invitations.filter(answered_at__isnull=True)
    emails = InvitationEmail.objects.filter(school_id=wave_school.school_id, kind=kind)
    before = emails.filter(invitation__wave_school=wave_school).count()
    InvitationEmail.objects.bulk_create(
        [
            InvitationEmail(school_id=wave_school.school_id, invitation_id=invitation_id, kind=kind)
            for invitation_id in invitations.order_by("pk").values_list("pk", flat=True)
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )
    return emails.filter(invitation__wave_school=wave_school).count() - before


# --- Writing the e-mails to the outbox ---------------------------------------------------------


def invitation_emails_send(*, school_id: int, wave_school_id: int, kind: str, now: dt.datetime | None = None) -> int:
    """Write the PENDING e-mails of one kind of an open moment to the outbox, chunk by chunk
    (settings.BAROMETER_EMAIL_CHUNK), each chunk in one transaction, and enqueue the relay after
    every chunk. Safe to run twice at once or after a crash. Returns how many this run wrote."""
    from barometer import tasks

    if kind not in EmailKind.values:
        raise ValueError(f"unknown e-mail kind {kind!r}")
    wave_school = _open_wave_school(school_id=school_id, wave_school_id=wave_school_id)
    if wave_school is None:
        return 0  # closed (or not this school's): no more links to a questionnaire nobody can answer
    chunk = settings.BAROMETER_EMAIL_CHUNK
    pending = InvitationEmail.objects.filter(
        school_id=school_id, invitation__wave_school_id=wave_school_id, kind=kind, status=EmailStatus.PENDING
    )
    template = mail.invitation_template(kind=kind, wave_school=wave_school)
    written, after = 0, 0
    while True:
        # Keyset order, so rows that a concurrent sender holds (skipped below) are not read again
        # and again: this run walks forward once, the other run owns those rows.
        ids = list(pending.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[:chunk])
        if not ids:
            return written
        written += _chunk_write(ids=ids, wave_school=wave_school, template=template, now=now or timezone.now())
        after = ids[-1]
        tasks.outbox_relay.delay(school_id=school_id)


def _chunk_write(*, ids: list[int], wave_school: WaveSchool, template: tuple[str, str], now: dt.datetime) -> int:
    """Write a chunk of e-mails to the outbox and mark them SENT, in one transaction holding their
    rows: a worker killed half-way leaves the whole chunk PENDING, and a concurrent sender skips
    the rows this one holds (and writes nothing for rows it finds SENT)."""
    with transaction.atomic():
        emails = list(
            InvitationEmail.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("invitation__user")
            .filter(pk__in=ids, school_id=wave_school.school_id, status=EmailStatus.PENDING)
            .order_by("pk")
        )
        # Answered since the reminder was planned: no reminder, and none later either (the
        # reminder step only plans them for invitations not answered).
        answered = [e.pk for e in emails if e.kind == EmailKind.REMINDER and e.invitation.answered_at is not None]
        messages = []
        for email in emails:
            if email.pk in answered:
                continue
            subject, body = mail.invitation_message(email=email, wave_school=wave_school, template=template)
            messages.append(
                OutboxMessage(
                    school_id=wave_school.school_id,
                    email=email,
                    to=email.invitation.user.email,
                    subject=subject,
                    body=body,
                    message_id=mail.message_id(invitation_id=email.invitation_id, kind=email.kind),
                )
            )
        OutboxMessage.objects.bulk_create(messages)
        InvitationEmail.objects.filter(pk__in=[m.email_id for m in messages]).update(
            status=EmailStatus.SENT, sent_at=now
        )
        if answered:
            InvitationEmail.objects.filter(pk__in=answered).delete()
    return len(messages)
