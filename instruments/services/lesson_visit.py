"""Writes of the lesson visit instrument: schedule, reschedule and cancel a visit; once its time
has come, whether it took place; its notes and debrief; the reminder the day before; a person's
private calendar feed.

Privacy (DESIGN.md §5): notes and debrief are written only by the visitor and the visited teacher
(`lesson_visit_content_visible`); the reminder e-mail and the feed never carry them.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from instruments.access import lesson_visit_content_visible, lesson_visit_visible, readable_lesson_designs
from instruments.models import (
    VISIT_DID_NOT_HAPPEN,
    CalendarFeed,
    LessonVisit,
    LessonVisitNotes,
    LessonVisitReminder,
    ReminderStatus,
    VisitStatus,
)
from instruments.services.groups import pupil_group_get_or_create
from leerkracht import clock, mail
from leerkracht.access import Access
from leerkracht.conflicts import EditConflict, differing
from leerkracht.roles import Capability
from schools.models import User
from schools.selectors import school_staff

DEBRIEF_FIELDS = ("went_well", "learned", "next_step")
NOTES_FIELDS = ("observations", *DEBRIEF_FIELDS)


# --- Who may do what ---------------------------------------------------------------------------


def lesson_visit_may_change(*, access: Access, visit: LessonVisit) -> bool:
    """Whether this user may reschedule or cancel `visit`: who scheduled it, its visitor, its
    visited teacher, or a schoolcoach of its school."""
    return access.user_id in (visit.scheduled_by_id, visit.visitor_id, visit.visited_id) or access.can(
        Capability.LESSON_VISIT_SCHEDULE_ANY, node_id=visit.school_id
    )


def lesson_visit_may_record_outcome(*, access: Access, visit: LessonVisit) -> bool:
    """Whether this user may say whether `visit` took place: its visitor, its visited teacher, or
    a schoolcoach of its school (who keeps the rhythm going). A leader sees *that* visits
    happen but does not record it for others."""
    return access.user_id in (visit.visitor_id, visit.visited_id) or access.can(
        Capability.LESSON_VISIT_SCHEDULE_ANY, node_id=visit.school_id
    )


# --- Double bookings ---------------------------------------------------------------------------


def _span(starts_at: dt.datetime, ends_at: dt.datetime) -> str:
    """ "dinsdag 24 november om 10:00–10:50" in Europe/Amsterdam."""
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    day = formats.date_format(start, "l j F")
    return _("%(day)s om %(start)s–%(end)s") % {
        "day": day,
        "start": formats.time_format(start, "H:i"),
        "end": formats.time_format(end, "H:i"),
    }


def _clash_message(access: Access, person: User, clash: LessonVisit, *, school_id: int) -> str:
    """Why `person` cannot take the slot, saying of `clash` only what the planner may see."""
    when = _span(clash.starts_at, clash.ends_at)
    if not lesson_visit_visible(access, clash):
        # Privacy: a visit the planner may not open (it answers them 404) is not described, not
        # even as a visit: only that the person they chose is busy then.
        return _("%(name)s is op %(when)s niet beschikbaar.") % {"name": person.full_name, "when": when}
    if clash.school_id != school_id:
        # A person working in two schools: the other school's visit is named, not described.
        return _("%(name)s heeft op %(when)s al een lesbezoek op een andere school.") % {
            "name": person.full_name,
            "when": when,
        }
    if clash.visitor_id == person.pk:
        with_whom = _("bij %(name)s") % {"name": clash.visited.full_name}
    else:
        with_whom = _("%(name)s komt kijken") % {"name": clash.visitor.full_name}
    return _("%(name)s heeft op %(when)s al een lesbezoek (%(with_whom)s).") % {
        "name": person.full_name,
        "when": when,
        "with_whom": with_whom,
    }


def _refuse_double_booking(
    *,
    access: Access,
    school_id: int,
    people: dict[str, User],
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    exclude_id: int | None,
) -> None:
    """Refuse the slot when visitor or visited already has a visit that overlaps it, in either
    role. Runs after both people's rows are locked, so two schedulers cannot both pass."""
    ids = [user.pk for user in people.values()]
    # A person's visits in any of their schools clash: read across the tenant on purpose, and
    # describe only what the planner may see (see _clash_message).
    clashes = (
        LessonVisit.unscoped.filter(Q(visitor_id__in=ids) | Q(visited_id__in=ids))
        .exclude(status__in=VISIT_DID_NOT_HAPPEN)
        .filter(starts_at__lt=ends_at, ends_at__gt=starts_at)
        .select_related("visitor", "visited")
        .order_by("starts_at")
    )
    if exclude_id is not None:
        clashes = clashes.exclude(pk=exclude_id)
    errors: dict[str, list[str]] = {}
    for clash in clashes:
        for field, person in people.items():
            if person.pk in (clash.visitor_id, clash.visited_id) and field not in errors:
                errors[field] = [_clash_message(access, person, clash, school_id=school_id)]
    if errors:
        raise ValidationError(errors)


def _lock_people(*user_ids: int) -> dict[int, User]:
    """Lock both people's rows, lowest id first (the same order in every transaction, so two
    schedulers wait for each other instead of deadlocking)."""
    return {user.pk: user for user in User.objects.select_for_update().filter(pk__in=user_ids).order_by("pk")}


def _check_time(*, starts_at: dt.datetime, minutes: int, now: dt.datetime) -> dt.datetime:
    errors = {}
    if starts_at <= now:
        errors["starts_on"] = [_("Een lesbezoek plan je in de toekomst; deze dag en tijd zijn al voorbij.")]
    if not LessonVisit.MIN_MINUTES <= minutes <= LessonVisit.MAX_MINUTES:
        errors["minutes"] = [
            _("Een lesbezoek duurt %(min)s tot %(max)s minuten.")
            % {"min": LessonVisit.MIN_MINUTES, "max": LessonVisit.MAX_MINUTES}
        ]
    if errors:
        raise ValidationError(errors)
    return starts_at + dt.timedelta(minutes=minutes)


# --- Schedule, reschedule, cancel --------------------------------------------------------------


def lesson_visit_schedule(
    *,
    access: Access,
    school_id: int,
    user: User,
    visitor_id: int,
    visited_id: int,
    starts_at: dt.datetime,
    minutes: int,
    group_name: str = "",
    room: str = "",
    focus: str = "",
    lesson_design_id: int | None = None,
) -> LessonVisit:
    """Schedule a visit of `visitor_id` to `visited_id`'s lesson: a teacher for themselves, a
    schoolcoach for anyone in the school; refused in Dutch when a person is not of this school,
    visits themselves, the time is past or the slot clashes for either person."""
    if visitor_id == visited_id:
        raise ValidationError({"visited": [_("De bezoeker en de bezochte leraar zijn twee verschillende mensen.")]})
    if not access.can(Capability.LESSON_VISIT_SCHEDULE_ANY, node_id=school_id) and user.pk not in (
        visitor_id,
        visited_id,
    ):
        raise ValidationError(
            {"visitor": [_("Je plant alleen lesbezoeken waarbij je zelf bezoeker of bezochte leraar bent.")]}
        )
    ends_at = _check_time(starts_at=starts_at, minutes=minutes, now=timezone.now())
    staff = set(school_staff(school_id=school_id).filter(pk__in={visitor_id, visited_id}).values_list("pk", flat=True))
    errors = {
        field: [_("Kies iemand die op deze school werkt.")]
        for field, person_id in (("visitor", visitor_id), ("visited", visited_id))
        if person_id not in staff
    }
    design = None
    if lesson_design_id is not None:
        # Only a design this person may read: linking one must not reveal (or lean on) another
        # team's unshared work. Missing, foreign and unreadable get the same message.
        design = readable_lesson_designs(access, school_id=school_id).filter(pk=lesson_design_id).first()
        if design is None:
            errors["lesson_design"] = [_("Kies een lesontwerp van deze school.")]
    if errors:
        raise ValidationError(errors)
    group = pupil_group_get_or_create(school_id=school_id, name=group_name) if group_name.strip() else None

    with transaction.atomic():
        locked = _lock_people(visitor_id, visited_id)
        _refuse_double_booking(
            access=access,
            school_id=school_id,
            people={"visitor": locked[visitor_id], "visited": locked[visited_id]},
            starts_at=starts_at,
            ends_at=ends_at,
            exclude_id=None,
        )
        return LessonVisit.objects.create(
            school_id=school_id,
            visitor_id=visitor_id,
            visited_id=visited_id,
            starts_at=starts_at,
            ends_at=ends_at,
            group=group,
            room=room.strip(),
            focus=focus.strip(),
            lesson_design=design,
            scheduled_by=user,
        )


def lesson_visit_reschedule(
    *,
    access: Access,
    visit: LessonVisit,
    user: User,
    version: int,
    starts_at: dt.datetime,
    minutes: int,
    room: str = "",
) -> LessonVisit:
    """Move a planned visit to another time (and room), with the same checks as scheduling;
    `EditConflict` when it changed since the form was opened (a stale version: someone moved or
    cancelled it). A clash with another visit is no edit conflict: a ValidationError naming it."""
    if not lesson_visit_may_change(access=access, visit=visit):
        raise PermissionDenied
    ends_at = _check_time(starts_at=starts_at, minutes=minutes, now=timezone.now())
    with transaction.atomic():
        locked = _lock_people(visit.visitor_id, visit.visited_id)
        current = (
            LessonVisit.objects.select_for_update(of=("self",))
            .select_related("updated_by", "scheduled_by")
            .get(pk=visit.pk, school_id=visit.school_id)
        )
        if current.version != version:
            raise _visit_conflict(current, starts_at=starts_at, ends_at=ends_at, room=room)
        if current.status != VisitStatus.PLANNED:
            raise ValidationError(_("Alleen een gepland lesbezoek kun je verzetten."))
        if current.has_begun:
            raise _begun()
        _refuse_double_booking(
            access=access,
            school_id=visit.school_id,
            people={"visitor": locked[visit.visitor_id], "visited": locked[visit.visited_id]},
            starts_at=starts_at,
            ends_at=ends_at,
            exclude_id=visit.pk,
        )
        current.starts_at, current.ends_at, current.room = starts_at, ends_at, room.strip()
        _saved_by(current, user)
        current.save(update_fields=["starts_at", "ends_at", "room", *SAVED_FIELDS])
        # Reminders follow the new day: a visit moved to tomorrow is reminded again.
        LessonVisitReminder.objects.filter(visit=current, school_id=current.school_id).delete()
        return current


# What every change of a visit writes besides itself: a new version, and who saved it when (what
# an edit conflict tells the next person).
SAVED_FIELDS = ("version", "updated_by", "updated_at")


def _saved_by(visit: LessonVisit, user: User) -> None:
    visit.version += 1
    visit.updated_by, visit.updated_at = user, timezone.now()


def _when(starts_at: dt.datetime, ends_at: dt.datetime) -> str:
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    return f"{formats.date_format(start, 'l j F')}, {start:%H:%M}–{end:%H:%M}"


def _visit_conflict(current: LessonVisit, *, starts_at: dt.datetime, ends_at: dt.datetime, room: str) -> EditConflict:
    """What differs between the stored visit and the move this person typed."""
    stored = {
        "starts_at": _when(current.starts_at, current.ends_at),
        "room": current.room,
        "status": current.get_status_display(),
    }
    typed = {"starts_at": _when(starts_at, ends_at), "room": room, "status": VisitStatus.PLANNED.label}
    labels = {"starts_at": _("wanneer"), "room": _("lokaal"), "status": _("status")}
    saver = current.updated_by or current.scheduled_by
    return EditConflict(
        version=current.version,
        fields=differing(stored, typed, labels),
        saved_by=saver.full_name if saver else "",
        saved_at=current.updated_at or current.created_at,
    )


def lesson_visit_cancel(*, access: Access, visit: LessonVisit, user: User) -> LessonVisit:
    """Cancel a planned visit (it stays in the calendar, struck through, and leaves the feed as
    STATUS:CANCELLED); cancelling twice changes nothing. Once a visit has begun its page no
    longer offers this but asks whether it took place (`lesson_visit_mark_not_held`); a cancel
    sent anyway still means it did not."""
    if not lesson_visit_may_change(access=access, visit=visit):
        raise PermissionDenied
    with transaction.atomic():
        current = LessonVisit.objects.select_for_update().get(pk=visit.pk, school_id=visit.school_id)
        if current.status == VisitStatus.CANCELLED:
            return current
        if current.status != VisitStatus.PLANNED:
            raise ValidationError(_("Dit lesbezoek is al geweest; afzeggen kan niet meer."))
        current.status = VisitStatus.CANCELLED
        _saved_by(current, user)
        current.save(update_fields=["status", *SAVED_FIELDS])
        return current


# --- Whether it took place ---------------------------------------------------------------------


def _begun() -> ValidationError:
    # Once its time has come a visit is not moved or cancelled: it took place or it did not.
    return ValidationError(_("Dit lesbezoek is al begonnen: geef door of het heeft plaatsgevonden."))


def _outcome_target(*, access: Access, visit: LessonVisit) -> LessonVisit:
    """The visit's row, locked, once the checks every outcome shares have passed."""
    if not lesson_visit_may_record_outcome(access=access, visit=visit):
        raise PermissionDenied
    current = LessonVisit.objects.select_for_update().get(pk=visit.pk, school_id=visit.school_id)
    if current.status == VisitStatus.CANCELLED:
        raise ValidationError(_("Dit lesbezoek is afgezegd."))
    if not current.has_begun:
        raise ValidationError(_("Dit lesbezoek moet nog beginnen; daarna geef je door of het heeft plaatsgevonden."))
    return current


def lesson_visit_mark_held(*, access: Access, visit: LessonVisit, user: User) -> LessonVisit:
    """Record that a visit whose time has come took place (the debrief follows): by its visitor,
    visited teacher or a schoolcoach. Also corrects a visit marked "niet doorgegaan" by mistake;
    a visit already held or done stays as it is."""
    with transaction.atomic():
        current = _outcome_target(access=access, visit=visit)
        if current.status in (VisitStatus.HELD, VisitStatus.DONE):
            return current
        current.status = VisitStatus.HELD
        _saved_by(current, user)
        current.save(update_fields=["status", *SAVED_FIELDS])
        return current


def lesson_visit_mark_not_held(*, access: Access, visit: LessonVisit, user: User) -> LessonVisit:
    """Record that a visit whose time has come did not take place: it then counts nowhere (rhythm,
    reports) and blocks no one's calendar. Refused once observations or a debrief were written:
    those say it did take place. Marking twice changes nothing."""
    with transaction.atomic():
        current = _outcome_target(access=access, visit=visit)
        if current.status == VisitStatus.NOT_HELD:
            return current
        if current.observed_at or current.debriefed_at:
            raise ValidationError(
                _("Bij dit lesbezoek zijn al observaties of een nagesprek vastgelegd: het heeft plaatsgevonden.")
            )
        current.status = VisitStatus.NOT_HELD
        _saved_by(current, user)
        current.save(update_fields=["status", *SAVED_FIELDS])
        return current


# --- Notes and debrief -------------------------------------------------------------------------


def lesson_visit_notes_save(
    *,
    access: Access,
    visit: LessonVisit,
    user: User,
    version: int,
    observations: str,
    went_well: str,
    learned: str,
    next_step: str,
) -> LessonVisitNotes:
    """Save what the visitor observed and what the debrief brought (visitor and visited only);
    `version` is what the form showed (0: no notes yet), else `EditConflict`. Observations mark
    the visit observed (so it took place: held); a debrief marks it debriefed and done."""
    if not lesson_visit_content_visible(access, visit):
        raise PermissionDenied
    if visit.status == VisitStatus.CANCELLED:
        raise ValidationError(_("Dit lesbezoek is afgezegd; er is geen verslag bij."))
    if visit.status == VisitStatus.NOT_HELD:
        raise ValidationError(
            _("Dit lesbezoek is niet doorgegaan; er is geen verslag bij. Ging het toch door? Geef dat eerst door.")
        )
    if visit.starts_at > timezone.now():
        raise ValidationError(_("Het verslag vul je in zodra het lesbezoek begonnen is."))
    values = {
        "observations": observations.strip(),
        "went_well": went_well.strip(),
        "learned": learned.strip(),
        "next_step": next_step.strip(),
    }
    with transaction.atomic():
        current = LessonVisit.objects.select_for_update().get(pk=visit.pk, school_id=visit.school_id)
        notes = (
            LessonVisitNotes.objects.filter(visit=current, school_id=current.school_id)
            .select_related("updated_by")
            .first()
        )
        if (notes.version if notes else 0) != version:
            raise _notes_conflict(notes, values)
        if notes is None:
            notes = LessonVisitNotes(school_id=current.school_id, visit=current, version=0)
        for field, value in values.items():
            setattr(notes, field, value)
        notes.version += 1
        notes.updated_by = user
        notes.save()
        now = timezone.now()
        changed = []
        if values["observations"] and current.observed_at is None:
            current.observed_at = now
            changed.append("observed_at")
            if current.status == VisitStatus.PLANNED:
                current.status = VisitStatus.HELD
                changed.append("status")
        if any(values[field] for field in DEBRIEF_FIELDS) and current.debriefed_at is None:
            current.debriefed_at, current.status = now, VisitStatus.DONE
            changed += ["debriefed_at"] + ([] if "status" in changed else ["status"])
        if changed:
            current.save(update_fields=changed)
        return notes


def _notes_conflict(notes: LessonVisitNotes | None, typed: dict[str, str]) -> EditConflict:
    """What differs between the stored notes (none: deleted since) and what was typed."""
    stored = {field: getattr(notes, field) if notes else "" for field in NOTES_FIELDS}
    labels = {field: LessonVisitNotes._meta.get_field(field).verbose_name for field in NOTES_FIELDS}
    return EditConflict(
        version=notes.version if notes else 0,
        fields=differing(stored, typed, labels),
        saved_by=notes.updated_by.full_name if notes and notes.updated_by else "",
        saved_at=notes.updated_at if notes else None,
    )


# --- Reminder the day before -------------------------------------------------------------------


def lesson_visit_reminders_enqueue(*, now: dt.datetime | None = None) -> int:
    """Enqueue a reminder for every planned visit that starts tomorrow (an Amsterdam day), each in
    its own school's task. Returns how many visits were found."""
    from instruments import tasks  # the tasks call these services

    tomorrow = timezone.localdate(now) + dt.timedelta(days=1)
    start, end = clock.day_bounds(tomorrow, tomorrow)
    # A platform-wide sweep, so it reads past the tenant scope on purpose (ids only); each
    # reminder then runs inside its own school's scope.
    due = list(
        LessonVisit.unscoped.filter(status=VisitStatus.PLANNED, starts_at__gte=start, starts_at__lt=end)
        .order_by("starts_at")
        .values_list("school_id", "pk")
    )
    for school_id, visit_id in due:
        tasks.lesson_visit_remind.delay(school_id=school_id, visit_id=visit_id)
    return len(due)


def lesson_visit_remind(*, school_id: int, visit_id: int) -> int:
    """E-mail the visitor and the visited teacher of a planned visit (when, where, with whom and
    the focus; never the notes), each exactly once however often this runs: the reminder is marked
    SENT in the transaction that writes its message to the outbox, whose relay sends it after the
    commit. Returns how many e-mails this run wrote."""
    visit = (
        LessonVisit.objects.select_related("school", "visitor", "visited", "group")
        .filter(pk=visit_id, school_id=school_id, status=VisitStatus.PLANNED)
        .first()
    )
    if visit is None:
        return 0  # cancelled or done since the sweep: nothing to remind of
    sent = 0
    for person, other, role in ((visit.visitor, visit.visited, "visitor"), (visit.visited, visit.visitor, "visited")):
        LessonVisitReminder.objects.get_or_create(school_id=school_id, visit=visit, user=person)
        with transaction.atomic():
            # The row lock is the claim: a second run waits here, then finds it SENT.
            reminder = LessonVisitReminder.objects.select_for_update().get(visit=visit, user=person)
            if reminder.status == ReminderStatus.SENT:
                continue
            context = {
                "visit": visit,
                "person": person,
                "other": other,
                "role": role,
                "when": _span(visit.starts_at, visit.ends_at),
            }
            subject = (
                _("Morgen: lesbezoek bij %(name)s") if role == "visitor" else _("Morgen: %(name)s bezoekt je les")
            ) % {"name": other.full_name}
            body = render_to_string("instruments/lesson_visit_reminder_email.txt", context)
            reminder.message = mail.outbox_write(
                kind="lesson_visit_reminder", to=person.email, subject=subject, body=body
            )
            reminder.status, reminder.sent_at = ReminderStatus.SENT, timezone.now()
            reminder.save(update_fields=["status", "sent_at", "message"])
            sent += 1
    return sent


# --- The private calendar feed -----------------------------------------------------------------


def calendar_feed_create(*, user: User) -> CalendarFeed:
    """The person's live feed, made with a fresh secret token if they have none."""
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        live = CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()
        return live or CalendarFeed.objects.create(user=user, token=secrets.token_urlsafe(32))


def calendar_feed_renew(*, user: User) -> CalendarFeed:
    """Revoke the person's feed and give them a new one: the old URL stops working at once."""
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
        return CalendarFeed.objects.create(user=user, token=secrets.token_urlsafe(32))


def calendar_feed_revoke(*, user: User) -> int:
    """Revoke the person's feed; its URL then answers like one that never existed."""
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


def lesson_visits_cancel_for_leaver(*, school, user: User, removed_by: User | None, now: dt.datetime) -> int:
    """Cancel the visits still to come in `school` with `user` as visitor or visited, when they
    leave the school (`schools.signals.staff_left`): no reminder goes to them, and the colleague
    sees the visit struck through. Visits that took place stay as they are, notes included."""
    upcoming = LessonVisit.unscoped.filter(
        Q(visitor=user) | Q(visited=user), school=school, status=VisitStatus.PLANNED, starts_at__gte=now
    )
    return upcoming.update(
        status=VisitStatus.CANCELLED, version=F("version") + 1, updated_by=removed_by, updated_at=now
    )
