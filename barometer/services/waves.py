"""Writes of the barometer waves: planning each school's moment, the beat tick that opens, reminds
and closes, the invitations, and writing their e-mails to the outbox.

Exactly once, by constraint and status rather than by luck (see barometer/models/wave.py):

- opening, reminding and closing are claims: one conditional ``UPDATE … WHERE <state> RETURNING``
  per step, so of two ticks running at once (a beat tick delivered twice) exactly one gets each
  row, and only that one enqueues the follow-up tasks;
- invitations and e-mails are ``INSERT … ON CONFLICT DO NOTHING RETURNING`` against unique
  constraints, so running the invite or the reminder again adds nothing, and each run reports
  only the rows it added itself;
- an e-mail is written to the outbox and marked SENT in one transaction that holds its row lock
  (``skip_locked``: a second sender skips it), so a worker killed half-way leaves every e-mail
  either fully written or still PENDING, and the retry writes only the rest.

Set-based and batched, because a national wave opens some 4,000 schools with 130,000 teachers at
one moment: the tick hands the moments it claimed to tasks of up to BATCH_SCHOOLS moments each
(every task opens the tenant scope of its own schools), and a task does a few statements per
transaction of a few hundred teachers or e-mails (settings.BAROMETER_EMAIL_CHUNK), never
statements or model instances per teacher.

What no constraint can cover is the moment between a claim's commit and the broker accepting the
follow-up task. The tick therefore also re-enqueues work that is visibly unfinished (an open
school's moment without invitations, PENDING e-mails, unrelayed outbox rows); every task is
idempotent, so an extra one costs a query and changes nothing.

Closing a moment also moves the answers its teachers submitted out of the pool, sealed until
then, into the answer tables (``barometer.services.answers.pending_responses_move``, a batch task
like the others): one transaction per moment, after the claim, so every submit that found the
moment open has committed (the claim's UPDATE waits for the moment's row lock a submit holds),
and every later one finds it closed.

Every function that depends on the clock takes ``now`` (UTC), so tests replay any moment,
including the 2026 daylight-saving changes.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from barometer import mail
from barometer.models import (
    EmailKind,
    EmailStatus,
    Invitation,
    InvitationEmail,
    PendingResponse,
    VersionStatus,
    Wave,
    WaveSchool,
    WaveSchoolStatus,
    WaveTiming,
)
from barometer.services.answers import invitation_drafts_clear, invitation_token, token_digest
from barometer.services.results import results_changed
from leerkracht import clock, tenancy
from leerkracht import mail as outbox
from leerkracht.models import OutboxMessage
from schools.models import Phase, School
from schools.selectors import teachers_by_school

PARTICIPATING_PHASES = (Phase.YEAR_1, Phase.YEAR_2, Phase.SENIOR)
# How long after opening the tick keeps checking that a school's moment got its invitations
# (the tick runs every few minutes; a day is ample to cover a lost enqueue).
RECOVERY_WINDOW = dt.timedelta(days=1)
# How many schools' moments one invite, reminder or sender task takes: enough that per-task costs
# (reading the moments, rendering the text, enqueueing) vanish against ~3,000 teachers' rows,
# few enough that a national wave spreads over many workers.
BATCH_SCHOOLS = 100


def wave_opens_on(*, wave: Wave, start_date: dt.date | None) -> dt.date | None:
    """The Amsterdam date a school's moment opens: months after its startdag, or the wave's date."""
    if wave.timing == WaveTiming.FIXED:
        return wave.fixed_date
    if start_date is None:
        return None
    return clock.add_months(start_date, wave.months_after_start)


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
        opens_at = clock.instant(opens_on, wave.open_time)
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
                closes_at=clock.instant(opens_on + answer_time, wave.open_time),
            )
        )
    before = WaveSchool.objects.filter(wave=wave).count()
    WaveSchool.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return WaveSchool.objects.filter(wave=wave).count() - before


def waves_plan_all(*, now: dt.datetime | None = None) -> int:
    """Plan every wave that is not cancelled for the schools of its selection that do not have
    their moment yet (a school that started after a relative wave was made gets it here).
    Returns how many rows were added."""
    from barometer.selectors.planning import wave_selection_school_ids  # the selection reads this module

    now = now or timezone.now()
    # Planning covers every participating school, so it runs in the all-schools scope on purpose.
    with tenancy.scope(school_ids=tenancy.ALL):
        published = Wave.objects.filter(version__status=VersionStatus.PUBLISHED, cancelled_at__isnull=True)
        return sum(
            wave_plan(wave=wave, now=now, school_ids=wave_selection_school_ids(wave=wave))
            for wave in published.select_related("version").order_by("pk")
        )


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


def wave_school_batches(pairs: Iterable[tuple[int, int]]) -> Iterator[dict[str, list[int]]]:
    """(wave school id, school id) pairs as the keyword arguments of batch tasks: up to
    BATCH_SCHOOLS moments each, in id order."""
    ordered = sorted(set(pairs))
    for start in range(0, len(ordered), BATCH_SCHOOLS):
        batch = ordered[start : start + BATCH_SCHOOLS]
        yield {
            "school_ids": sorted({school_id for _pk, school_id in batch}),
            "wave_school_ids": [pk for pk, _school_id in batch],
        }


def barometer_tick(*, now: dt.datetime | None = None) -> TickResult:
    """One beat tick: close what is due (and move its pooled answers into the answer tables),
    open what is due (and invite), remind who has not answered, and re-enqueue unfinished work.
    Safe to run any number of times at any moment."""
    from barometer import tasks  # the tasks call these services

    now = now or timezone.now()
    result = TickResult()
    closed = wave_schools_close_due(now=now)
    result.closed = [pk for pk, _school_id in closed]
    if closed:
        # A closed moment counts in the results (its wave is listed even before answers move).
        results_changed()
        # What a teacher saved but never sent is kept next to their name only while it can still
        # be sent: a closed moment empties its drafts.
        with tenancy.scope(school_ids={school_id for _pk, school_id in closed}):
            invitation_drafts_clear(wave_school_ids=result.closed)
    # The answers submitted during a closed moment wait in the pool: moved now, one transaction
    # per moment, they count in the results (which read closed moments only).
    for batch in wave_school_batches(closed):
        tasks.wave_schools_responses_move.delay(**batch)
    opened = wave_schools_open_due(now=now)
    result.opened = [pk for pk, _school_id in opened]
    for batch in wave_school_batches(opened):
        tasks.wave_schools_invite.delay(**batch)
    reminded = wave_schools_remind_due(now=now)
    result.reminded = [pk for pk, _school_id in reminded]
    for batch in wave_school_batches(reminded):
        tasks.wave_schools_remind.delay(**batch)
    _recover(now=now, skip=set(result.opened), skip_reminded=set(result.reminded), skip_closed=set(result.closed))
    return result


def _recover(
    *, now: dt.datetime, skip: set[int], skip_reminded: set[int] = frozenset(), skip_closed: set[int] = frozenset()
) -> None:
    """Re-enqueue work a lost enqueue left undone. Each task is idempotent, so one that is in
    fact still queued or running only costs a query."""
    from barometer import tasks

    # Answers still in the pool of a moment that is no longer open: its move was lost (or the
    # moment was closed another way). Results leave them out until they are moved; the pool must
    # not keep them.
    stranded = (
        PendingResponse.unscoped.exclude(wave_school__status=WaveSchoolStatus.OPEN)
        .exclude(wave_school_id__in=skip_closed)
        .values_list("wave_school_id", "school_id")
        .distinct()
        .order_by()
    )
    for batch in wave_school_batches(stranded):
        tasks.wave_schools_responses_move.delay(**batch)

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
    for batch in wave_school_batches(unreminded):
        tasks.wave_schools_remind.delay(**batch)

    # All three are platform-wide sweeps past the tenant scope, on purpose (ids only). A moment
    # is invited whole or not at all (each school's invitations commit together), so "no
    # invitation yet" finds every moment whose invite was lost.
    uninvited = (
        WaveSchool.unscoped.filter(status=WaveSchoolStatus.OPEN, opened_at__gte=now - RECOVERY_WINDOW)
        .exclude(pk__in=skip)
        .exclude(Exists(Invitation.unscoped.filter(wave_school_id=OuterRef("pk"))))
        .values_list("pk", "school_id")
    )
    for batch in wave_school_batches(uninvited):
        tasks.wave_schools_invite.delay(**batch)
    pending = (
        InvitationEmail.unscoped.filter(
            status=EmailStatus.PENDING, invitation__wave_school__status=WaveSchoolStatus.OPEN
        )
        .values_list("kind", "invitation__wave_school_id", "school_id")
        .distinct()
        .order_by()
    )
    by_kind: dict[str, list[tuple[int, int]]] = {}
    for kind, wave_school_id, school_id in pending:
        by_kind.setdefault(kind, []).append((wave_school_id, school_id))
    for kind in sorted(by_kind):
        for batch in wave_school_batches(by_kind[kind]):
            tasks.wave_schools_emails_send.delay(**batch, kind=kind)
    # Barometer mail the outbox has not relayed yet (a mail server that was down): the core's
    # sweep relays it too, every minute; the tick does not wait for it.
    if OutboxMessage.objects.filter(kind=mail.OUTBOX_KIND, relayed_at__isnull=True, claimed_at__isnull=True).exists():
        outbox.outbox_relay_enqueue(None)


# --- Set-based writes --------------------------------------------------------------------------


def _insert(
    model: type[models.Model],
    *,
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    conflict: Sequence[str] | None = None,
    returning: Sequence[str] = (),
) -> list[tuple]:
    """``INSERT … VALUES … [ON CONFLICT [(conflict)] DO NOTHING] [RETURNING returning]`` of `rows`
    (values already in their database form), up to 1,000 rows a statement; returns what the
    database returned, i.e. only the rows this statement added. `conflict=()` names no target:
    any unique constraint's conflict is skipped, as ``bulk_create(ignore_conflicts=True)`` does.

    Raw SQL because the ORM's ``bulk_create(ignore_conflicts=True)`` cannot tell which rows it
    added (so two concurrent runs could not report true counts) and builds a model instance per
    row, which at national scale costs more than the database work. PostgreSQL and SQLite (3.35+)
    both speak this form. A concurrent insert of the same key waits for the other transaction
    and then does nothing, so each row is reported by exactly one of them."""
    if not rows:
        return []
    quote = connection.ops.quote_name
    meta = model._meta
    names = ", ".join(quote(meta.get_field(name).column) for name in columns)
    row_sql = "(" + ", ".join(["%s"] * len(columns)) + ")"
    tail = ""
    if conflict is not None:
        target = ", ".join(quote(meta.get_field(name).column) for name in conflict)
        tail += f" ON CONFLICT ({target}) DO NOTHING" if target else " ON CONFLICT DO NOTHING"
    if returning:
        tail += " RETURNING " + ", ".join(quote(meta.get_field(name).column) for name in returning)
    found: list[tuple] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 1000):
            batch = rows[start : start + 1000]
            sql = f"INSERT INTO {quote(meta.db_table)} ({names}) VALUES {', '.join([row_sql] * len(batch))}{tail}"  # noqa: S608 - names from the model
            cursor.execute(sql, [value for row in batch for value in row])
            if returning:
                found.extend(tuple(row) for row in cursor.fetchall())
    return found


def _placeholders(values: Sequence[object]) -> str:
    return ", ".join(["%s"] * len(values))


# --- Invitations and reminders (inside the schools' scope) -------------------------------------


def _open_wave_schools(*, school_ids: Iterable[int], wave_school_ids: Iterable[int]) -> list[WaveSchool]:
    """The given moments that are open and belong to the given schools (and to the tenant scope),
    in id order; a moment that is not open (yet, any more) or not one of these schools' is left
    out, so a mismatched pair of ids finds nothing."""
    return list(
        WaveSchool.objects.select_related("wave__version__questionnaire", "school")
        .filter(pk__in=list(wave_school_ids), school_id__in=list(school_ids), status=WaveSchoolStatus.OPEN)
        .order_by("pk")
    )


@dataclass(frozen=True)
class _Nonce:
    """What `invitation_token` reads of an invitation: its nonce. The digest is computed before
    the row exists, without building a model instance per teacher."""

    nonce: str


def _invitation_row(*, wave_school: WaveSchool, user_id: int, team_id: int | None) -> tuple:
    nonce = secrets.token_hex(32)
    digest = token_digest(invitation_token(_Nonce(nonce)))
    return (wave_school.school_id, wave_school.pk, wave_school.wave_id, user_id, team_id, nonce, digest)


INVITATION_COLUMNS = ("school", "wave_school", "wave", "user", "team", "nonce", "token_digest")
EMAIL_COLUMNS = ("school", "invitation", "kind", "status")


def wave_schools_invite(*, school_ids: Sequence[int], wave_school_ids: Sequence[int], mail: bool = True) -> int:
    """Invite every teacher of these schools' open moments (one invitation per teacher per wave,
    with a fresh secret nonce; only the token's digest is stored), make one INVITE e-mail per new
    invitation and enqueue the sender. Set-based: a few statements per transaction of whole
    schools (up to about BAROMETER_EMAIL_CHUNK teachers), however many teachers. Running it again
    adds only teachers who are new. Returns how many invitations this run added (a concurrent run
    counts the others).

    `mail=False` makes the invitations without e-mails, for moments nobody is to be written
    about: the demo's waves, which are over before anyone could read a mail."""
    from barometer import tasks

    moments = _open_wave_schools(school_ids=school_ids, wave_school_ids=wave_school_ids)
    if not moments:
        return 0
    teachers = teachers_by_school(school_ids=sorted({moment.school_id for moment in moments}))
    added = 0
    seen: set[tuple[int, int]] = set()
    for group in _school_groups(moments=moments, teachers=teachers):
        rows = []
        for moment in group:
            for user_id, team_id in teachers[moment.school_id].items():
                # (wave, user) is unique: a teacher of two schools in one wave is asked once, by
                # the first school to open (here: the first in the batch).
                if (moment.wave_id, user_id) not in seen:
                    seen.add((moment.wave_id, user_id))
                    rows.append(_invitation_row(wave_school=moment, user_id=user_id, team_id=team_id))
        # Rows in one order (wave, user) everywhere, so two runs that meet on the same teachers
        # take the unique index's locks in the same order and wait for each other, never deadlock.
        rows.sort(key=lambda row: (row[2], row[3]))
        with transaction.atomic():
            # Each school's invitations and their e-mails commit together: a moment is invited
            # whole or not at all, which the tick's recovery relies on.
            invited = _insert(
                Invitation, columns=INVITATION_COLUMNS, rows=rows, conflict=("wave", "user"), returning=("id", "school")
            )
            # No conflict target: the e-mail's uniqueness per invitation and kind may be a partial
            # index (reminders sent by hand are unique per day instead), which a named target
            # would have to repeat the condition of.
            if mail:
                _insert(
                    InvitationEmail,
                    columns=EMAIL_COLUMNS,
                    rows=[
                        (school_id, pk, EmailKind.INVITE.value, EmailStatus.PENDING.value)
                        for pk, school_id in sorted(invited)
                    ],
                    conflict=(),
                )
        added += len(invited)
    if not mail:
        return added
    tasks.wave_schools_emails_send.delay(
        school_ids=sorted({moment.school_id for moment in moments}),
        wave_school_ids=[moment.pk for moment in moments],
        kind=EmailKind.INVITE.value,
    )
    return added


def _school_groups(
    *, moments: list[WaveSchool], teachers: dict[int, dict[int, int | None]]
) -> Iterator[list[WaveSchool]]:
    """The moments in groups of whole schools of up to BAROMETER_EMAIL_CHUNK teachers (a bigger
    school is a group of its own): one transaction each."""
    group: list[WaveSchool] = []
    size = 0
    for moment in moments:
        count = len(teachers[moment.school_id])
        if group and size + count > settings.BAROMETER_EMAIL_CHUNK:
            yield group
            group, size = [], 0
        group.append(moment)
        size += count
    if group:
        yield group


def wave_school_invite(*, school_id: int, wave_school_id: int) -> int:
    """Invite the teachers of one school's open moment (see `wave_schools_invite`)."""
    return wave_schools_invite(school_ids=[school_id], wave_school_ids=[wave_school_id])


def wave_schools_remind(*, school_ids: Sequence[int], wave_school_ids: Sequence[int]) -> int:
    """Make one REMINDER e-mail for every invitation of these open moments not answered yet (never
    a second one: unique per invitation and kind), in one statement, and enqueue the sender.
    Returns how many this run added."""
    from barometer import tasks

    moments = _open_wave_schools(school_ids=school_ids, wave_school_ids=wave_school_ids)
    if not moments:
        return 0
    schools = sorted({moment.school_id for moment in moments})
    ids = [moment.pk for moment in moments]
    quote = connection.ops.quote_name
    email, invitation = quote(InvitationEmail._meta.db_table), quote(Invitation._meta.db_table)
    # The school ids are the ones the tenant-scoped read above admitted: raw SQL does not pass
    # through the scoped manager, so it names them itself.
    sql = (
        f"INSERT INTO {email} (school_id, invitation_id, kind, status) "  # noqa: S608 - fixed SQL
        f"SELECT i.school_id, i.id, %s, %s FROM {invitation} i "
        f"WHERE i.school_id IN ({_placeholders(schools)}) AND i.wave_school_id IN ({_placeholders(ids)}) "
        "AND i.answered_at IS NULL ORDER BY i.id "
        "ON CONFLICT DO NOTHING RETURNING id"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [EmailKind.REMINDER.value, EmailStatus.PENDING.value, *schools, *ids])
        added = len(cursor.fetchall())
        tasks.wave_schools_emails_send.delay(school_ids=schools, wave_school_ids=ids, kind=EmailKind.REMINDER.value)
    return added


def wave_school_remind(*, school_id: int, wave_school_id: int) -> int:
    """Remind who has not answered in one school's open moment (see `wave_schools_remind`)."""
    return wave_schools_remind(school_ids=[school_id], wave_school_ids=[wave_school_id])


# --- Writing the e-mails to the outbox ---------------------------------------------------------

SCHOOL_PLACEHOLDER = "[[school]]"


def _texts(*, moments: list[WaveSchool], kind: str) -> dict[int, tuple[str, str]]:
    """Subject and body of each moment's e-mail of `kind`, with the first-name and link
    placeholders. Rendered once per wave and deadline with the school's name as a placeholder,
    then filled in per school: a template render costs milliseconds, and a national wave has
    4,000 schools on one deadline. (The name goes into the plain-text body verbatim, so the
    result is the same text; a test holds it to `mail.invitation_template`.)"""
    rendered: dict[tuple[int, dt.datetime], tuple[str, str]] = {}
    texts = {}
    for moment in moments:
        key = (moment.wave_id, moment.closes_at)
        if key not in rendered:
            stand_in = WaveSchool(wave=moment.wave, closes_at=moment.closes_at, school=School(name=SCHOOL_PLACEHOLDER))
            rendered[key] = mail.invitation_template(kind=kind, wave_school=stand_in)
        subject, body = rendered[key]
        name = moment.school.name
        texts[moment.pk] = (subject.replace(SCHOOL_PLACEHOLDER, name), body.replace(SCHOOL_PLACEHOLDER, name))
    return texts


def _personal(text: tuple[str, str], *, first_name: str) -> tuple[str, str]:
    """One teacher's subject and body: the moment's text with their first name (the answer link
    stays a placeholder; the relay puts it in, so the database never holds a working link)."""
    subject, body = text
    return subject, body.replace(mail.NAME_PLACEHOLDER, first_name)


def wave_schools_emails_send(
    *, school_ids: Sequence[int], wave_school_ids: Sequence[int], kind: str, now: dt.datetime | None = None
) -> int:
    """Write the PENDING e-mails of one kind of these open moments to the outbox, chunk by chunk
    (settings.BAROMETER_EMAIL_CHUNK e-mails), each chunk in one transaction, and enqueue the
    outbox's relay of its messages after every chunk. Safe to run twice at once or after a crash. Returns how many
    this run wrote."""
    if kind not in EmailKind.values:
        raise ValueError(f"unknown e-mail kind {kind!r}")
    # Closed moments are left out: no more links to a questionnaire nobody can answer.
    moments = _open_wave_schools(school_ids=school_ids, wave_school_ids=wave_school_ids)
    if not moments:
        return 0
    texts = _texts(moments=moments, kind=kind)
    schools = sorted({moment.school_id for moment in moments})
    written, after = 0, 0
    while True:
        count, last, relay = _chunk_send(
            schools=schools, texts=texts, kind=kind, after=after, now=now or timezone.now()
        )
        written += count
        if relay:
            outbox.outbox_relay_enqueue(relay)
        if last is None:
            return written
        after = last


def invitation_emails_send(*, school_id: int, wave_school_id: int, kind: str, now: dt.datetime | None = None) -> int:
    """Write one school's PENDING e-mails of one kind to the outbox (see `wave_schools_emails_send`)."""
    return wave_schools_emails_send(school_ids=[school_id], wave_school_ids=[wave_school_id], kind=kind, now=now)


OUTBOX_COLUMNS = ("kind", "to", "subject", "body", "html", "message_id", "created_at", "attempts")


def _chunk_lock(*, schools: list[int], wave_school_ids: list[int], kind: str, after: int, limit: int) -> list[tuple]:
    """Lock the next `limit` PENDING e-mails of one kind of these moments (ids above `after`,
    skipping rows another sender holds) and read them with what the message needs: (id, school,
    invitation, moment, answered at, first name, address).

    Raw SQL so that the names are joined to the chunk after its LIMIT: joined before it (as the
    ORM writes it), every read joined all of the batch's pending e-mails to their teachers, some
    3,000 rows for 500 kept. The school ids are the ones the tenant-scoped read of the moments
    admitted: raw SQL does not pass through the scoped manager, so it names them itself."""
    quote = connection.ops.quote_name
    email, invitation = quote(InvitationEmail._meta.db_table), quote(Invitation._meta.db_table)
    user = quote(Invitation._meta.get_field("user").related_model._meta.db_table)
    # Keyset order, so rows that a concurrent sender holds (skipped here) are not read again and
    # again: this run walks forward once, the other run owns those rows. (SQLite has no row
    # locks; its writers take turns on the whole database.)
    lock = " FOR UPDATE SKIP LOCKED" if connection.features.has_select_for_update_skip_locked else ""
    sql = (
        "SELECT e.id, e.school_id, e.invitation_id, i.wave_school_id, i.answered_at, u.first_name, u.email "  # noqa: S608 - fixed SQL
        f"FROM (SELECT id, school_id, invitation_id FROM {email} "
        f"WHERE school_id IN ({_placeholders(schools)}) AND kind = %s AND status = %s AND id > %s "
        f"AND invitation_id IN (SELECT id FROM {invitation} WHERE school_id IN ({_placeholders(schools)}) "
        f"AND wave_school_id IN ({_placeholders(wave_school_ids)})) "
        f"ORDER BY id LIMIT %s{lock}) e "
        f"JOIN {invitation} i ON i.id = e.invitation_id JOIN {user} u ON u.id = i.user_id "
        "ORDER BY e.id"
    )
    params = [*schools, kind, EmailStatus.PENDING.value, after, *schools, *wave_school_ids, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _chunk_send(
    *, schools: list[int], texts: dict[int, tuple[str, str]], kind: str, after: int, now: dt.datetime
) -> tuple[int, int | None, list[int]]:
    """Write the next chunk of PENDING e-mails (ids above `after`) to the outbox and mark them
    SENT, in one transaction that holds their rows: a worker killed half-way leaves the whole
    chunk PENDING, and a concurrent sender skips the rows this one holds (and a row it finds SENT
    no longer matches). Returns how many it wrote, the last id it read (None when the walk is
    done) and the ids of the outbox messages it wrote."""
    chunk = settings.BAROMETER_EMAIL_CHUNK
    with transaction.atomic():
        emails = _chunk_lock(schools=schools, wave_school_ids=list(texts), kind=kind, after=after, limit=chunk)
        if not emails:
            return 0, None, []
        # Answered since the reminder was planned: no reminder (of any kind), and none later either
        # (reminders are only planned for invitations not answered).
        answered = [row[0] for row in emails if kind != EmailKind.INVITE and row[4] is not None]
        created_at = connection.ops.adapt_datetimefield_value(timezone.now())
        messages = []
        for pk, _school_id, invitation_id, wave_school_id, answered_at, first_name, to in emails:
            if kind != EmailKind.INVITE and answered_at is not None:
                continue
            subject, body = _personal(texts[wave_school_id], first_name=first_name)
            message_id = mail.message_id(invitation_id=invitation_id, kind=kind)
            messages.append((pk, (mail.OUTBOX_KIND, to, subject, body, "", message_id, created_at, 0)))
        written = _insert(OutboxMessage, columns=OUTBOX_COLUMNS, rows=[row for _pk, row in messages], returning=("id",))
        mail.emails_link_messages(
            InvitationEmail.objects.filter(pk__in=[pk for pk, _row in messages]),
            suffix=mail.message_id_suffix(kind=kind),
            status=EmailStatus.SENT,
            sent_at=now,
        )
        if answered:
            InvitationEmail.objects.filter(pk__in=answered).delete()
    last = emails[-1][0] if len(emails) == chunk else None
    return len(messages), last, [row[0] for row in written]
