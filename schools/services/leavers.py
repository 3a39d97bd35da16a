"""Erasing the personal data of people who left (AVG/GDPR: kept no longer than needed).

A person removed from a school keeps their User row: what they wrote on boards, in lesson designs
and visits points at it, and the school names them "oud-collega" from the day they left
(schools.selectors.display_name). Once they have no place anywhere any more and
LEAVER_RETENTION_DAYS have passed since they left their last school, the beat erases what
identifies them: name and address on the account, the address on their invitations and in the
rows of people files, and the e-mails to them still in the outbox. The row itself stays, so every
board history still reads, with "oud-collega" as its author (User.full_name).

Platform-wide, run by the beat: it reads past the tenant scope on purpose (`unscoped`), over the
rows of the people it erases only.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, QuerySet, Value
from django.db.models.functions import Cast, Concat, Lower
from django.utils import timezone

from leerkracht.models import OutboxMessage
from schools.models import (
    FormerStaff,
    ImportStatus,
    InvitationStatus,
    PeopleImport,
    RegionMembership,
    School,
    SchoolGroupMembership,
    SchoolMembership,
    StaffInvitation,
    TeamMembership,
    User,
)

BATCH = 500
ERASED_DOMAIN = "gewist.invalid"  # RFC 2606: never a real address, so nothing is ever sent to it


def erased_email(user_id: int) -> str:
    """The address an erased account keeps: unique (the column is), and no address at all."""
    return f"gewist-{user_id}@{ERASED_DOMAIN}"


def _erased_email_sql(user_field: str):
    return Concat(Value("gewist-"), Cast(user_field, CharField()), Value(f"@{ERASED_DOMAIN}"), output_field=CharField())


def leavers_due(*, now: dt.datetime) -> QuerySet[User]:
    """The people whose data is due for erasure: not erased yet, left a school (FormerStaff) and
    the latest of those departures is more than LEAVER_RETENTION_DAYS ago, and no place anywhere
    any more (no role or team in a school, no regional or bestuur role, guiding no school, no open
    invitation, not an admin). One query; a person who came back is not in it."""
    cutoff = now - dt.timedelta(days=settings.LEAVER_RETENTION_DAYS)
    person = OuterRef("pk")
    return (
        User.objects.filter(erased_at__isnull=True, is_superuser=False)
        .filter(Exists(FormerStaff.unscoped.filter(user_id=person)))
        .exclude(Exists(FormerStaff.unscoped.filter(user_id=person, left_at__gte=cutoff)))
        .exclude(Exists(SchoolMembership.unscoped.filter(user_id=person)))
        .exclude(Exists(TeamMembership.unscoped.filter(user_id=person)))
        .exclude(Exists(RegionMembership.objects.filter(user_id=person)))
        .exclude(Exists(SchoolGroupMembership.objects.filter(user_id=person)))
        .exclude(Exists(School.unscoped.filter(expertcoach_id=person)))
        .exclude(Exists(StaffInvitation.unscoped.filter(user_id=person, status=InvitationStatus.PENDING)))
    )


def leavers_erase(*, now: dt.datetime | None = None) -> int:
    """Erase the personal data of every leaver due (see `leavers_due`), BATCH people per
    transaction, a fixed number of queries per batch (and one write per people file that named
    one of them). Idempotent: an erased person is not due
    again. Returns how many were erased."""
    now = now or timezone.now()
    erased, after = 0, 0
    while True:
        batch = list(leavers_due(now=now).filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not batch:
            return erased
        erased += _erase_batch(batch, now=now)
        after = batch[-1]
        if len(batch) < BATCH:
            return erased


@transaction.atomic
def _erase_batch(user_ids: list[int], *, now: dt.datetime) -> int:
    # Locked and asked again: a person invited back since the batch was read is left alone.
    people = list(
        leavers_due(now=now).filter(pk__in=user_ids).select_for_update(of=("self",)).values_list("pk", "email")
    )
    if not people:
        return 0
    ids = [pk for pk, _email in people]
    emails = {email.lower(): pk for pk, email in people}
    # E-mails to them not sent yet are not sent; the ones sent are forgotten now rather than at
    # the outbox's own retention (their bodies name the person).
    OutboxMessage.objects.annotate(to_lower=Lower("to")).filter(to_lower__in=list(emails)).delete()
    StaffInvitation.unscoped.filter(user_id__in=ids).update(
        email=_erased_email_sql("user_id"), nonce="", token_digest=None
    )
    _erase_from_people_files(emails, user_ids=ids)
    User.objects.filter(pk__in=ids).update(
        first_name="",
        last_name="",
        email=_erased_email_sql("pk"),
        password=make_password(None),  # unusable: nobody logs in as an erased person
        is_active=False,
        erased_at=now,
    )
    return len(ids)


def _erase_from_people_files(emails: dict[str, int], *, user_ids: list[int]) -> None:
    """Blank the rows of people files that named these people, in the schools they left (the
    only schools whose files can hold them: a file adds people to its own school). Running
    imports are left alone: they do not hold a leaver of more than the retention."""
    school_ids = FormerStaff.unscoped.filter(user_id__in=user_ids).values("school_id")
    imports = (
        PeopleImport.unscoped.filter(school_id__in=school_ids)
        .exclude(status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING])
        .only("id", "rows")
    )
    for people_import in imports.iterator(chunk_size=20):
        changed = False
        for row in people_import.rows:
            user_id = emails.get(str(row.get("email", "")).strip().lower())
            if user_id is not None:
                row.update(email=erased_email(user_id), first_name="", last_name="")
                changed = True
        if changed:
            people_import.save(update_fields=["rows"])
