"""Reads of the lesson visit instrument. None of them touches `LessonVisitNotes` except
`lesson_visit_notes_get`, which the view calls only after `lesson_visit_content_visible`: the
calendar, detail, rhythm, reminder and feed read the visit alone (DESIGN.md §5)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import DateTimeField, F, Func, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from instruments import lesson_visit_calendar as calendar
from instruments.access import readable_lesson_designs, visible_lesson_visits
from instruments.models import CalendarFeed, LessonDesign, LessonVisit, LessonVisitNotes, VisitStatus
from instruments.models.lesson_visit import calendar_feed_digest
from instruments.selectors import metrics
from leerkracht import tenancy
from leerkracht.access import Access
from schools.access import compute_access
from schools.models import User
from schools.selectors import TEACHER_ROLES, display_name_sql, school_holidays_by_day, school_staff

RHYTHM_WEEKS = 8
RHYTHM_TARGET = RHYTHM_WEEKS * metrics.DAYS_PER_WEEK // metrics.VISIT_EVERY_DAYS  # 4: the programme's rhythm
# How far ahead a planned visit counts towards the rhythm: half the window looked back on. A plan
# further out is an intention that often moves; counting it would let one far-off date hide a
# teacher who falls behind now.
RHYTHM_AHEAD_WEEKS = 4
FEED_PAST_DAYS = 180  # a calendar app needs the recent past, not years of it


def lesson_visit_staff(*, access: Access, school_id: int) -> list[User]:
    """The people a visit in this school can be planned for: its school roles and the members of
    its teams, by name (one query)."""
    return list(
        school_staff(school_id=school_id)
        .only("id", "first_name", "last_name", "erased_at")
        .order_by("last_name", "first_name")
    )


DESIGN_CHOICES = 200  # a select, not a library: the newest ones cover the designs a visit is about


def lesson_visit_designs(*, access: Access, school_id: int) -> list[LessonDesign]:
    """The lesson designs of the school this user may read, to link a visit to, newest first
    (one query). The library's rule: a teacher would otherwise see the titles of another team's
    unshared designs."""
    designs = readable_lesson_designs(access, school_id=school_id)
    return list(designs.only("id", "title").order_by("-id")[:DESIGN_CHOICES])


def lesson_visit_calendar(
    *,
    access: Access,
    school_id: int,
    period: calendar.Period,
    person_id: int | None = None,
    weekend: bool = False,
) -> calendar.Calendar:
    """The school's visits in `period` (Amsterdam days) this user may see, optionally those of one
    person (as visitor or visited), laid out as the calendar's weeks with the school holidays of
    the school's region marked (two queries)."""
    start, end = period.bounds
    visits = visible_lesson_visits(access, school_id=school_id).filter(starts_at__gte=start, starts_at__lt=end)
    if person_id is not None:
        visits = visits.filter(Q(visitor_id=person_id) | Q(visited_id=person_id))
    visits = visits.select_related("visitor", "visited", "group").order_by("starts_at", "pk")
    holidays = school_holidays_by_day(school_id=school_id, first=period.first, last=period.last)
    return calendar.calendar_of(period, visits, holidays=holidays, weekend=weekend)


def lesson_visit_notes_get(*, visit: LessonVisit) -> LessonVisitNotes | None:
    """The notes of a visit; call only after `lesson_visit_content_visible` said yes."""
    return LessonVisitNotes.objects.filter(visit=visit, school_id=visit.school_id).first()


@dataclass(frozen=True)
class RhythmRow:
    person: User
    held: int
    planned: int
    last_visit: dt.datetime | None
    behind: int

    @property
    def counted(self) -> int:
        """Held and planned together: what the target is measured against."""
        return self.held + self.planned


def lesson_visit_rhythm(*, access: Access, school_id: int) -> list[RhythmRow]:
    """Per teacher of the school: the visits they took part in (visitor or visited) in the last
    eight weeks and those planned for the coming four, against the target of four; furthest behind
    first (one query). Held: begun, neither cancelled nor marked not held (the instruments' rule in
    `metrics`). Planned: status planned and not yet begun, so a visit whose time has come counts as
    held until someone says it did not go on, and never twice. The coming four weeks and not more:
    the schoolcoach's question is who needs a visit soon, and a plan far ahead often moves."""
    now = timezone.now()
    since = now - dt.timedelta(weeks=RHYTHM_WEEKS)
    until = now + dt.timedelta(weeks=RHYTHM_AHEAD_WEEKS)
    theirs = Q(visitor_id=OuterRef("pk")) | Q(visited_id=OuterRef("pk"))
    # A visit done by the instruments' own rule (metrics), the one the school's rhythm and the
    # barometer's staircase count with.
    done = metrics.lesson_visits_done(school_ids=[school_id], start=since, end=now).filter(theirs).order_by()
    to_come = (
        LessonVisit.objects.filter(
            school_id=school_id, status=VisitStatus.PLANNED, starts_at__gte=now, starts_at__lt=until
        )
        .filter(theirs)
        .order_by()
    )
    # COUNT and MAX as plain functions: the subquery then has no GROUP BY and answers one row.
    held_count = done.annotate(n=Func("pk", function="COUNT")).values("n")
    planned_count = to_come.annotate(n=Func("pk", function="COUNT")).values("n")
    last_visit = done.annotate(last=Func("starts_at", function="MAX")).values("last")
    people = (
        school_staff(school_id=school_id, roles=TEACHER_ROLES)
        .annotate(
            held_count=Coalesce(Subquery(held_count, output_field=IntegerField()), Value(0)),
            planned_count=Coalesce(Subquery(planned_count, output_field=IntegerField()), Value(0)),
            last_visit=Subquery(last_visit, output_field=DateTimeField()),
        )
        .annotate(counted=F("held_count") + F("planned_count"))
        .only("id", "first_name", "last_name", "erased_at")
        .order_by("counted", "held_count", "last_visit", "last_name", "first_name")
    )
    return [
        RhythmRow(
            person=person,
            held=person.held_count,
            planned=person.planned_count,
            last_visit=person.last_visit,
            behind=max(RHYTHM_TARGET - person.counted, 0),
        )
        for person in people
    ]


def calendar_feed_live(*, user: User) -> CalendarFeed | None:
    """The person's own live feed, if they made one."""
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()


@dataclass(frozen=True)
class FeedContents:
    user: User
    visits: list[LessonVisit]


def calendar_feed_contents(*, token: str) -> FeedContents | None:
    """The visits of the person whose live feed `token` opens, in every school they work in;
    None for an unknown or revoked token alike. Looked up by the token's digest: the database
    holds no token."""
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token_digest=calendar_feed_digest(token), revoked_at__isnull=True)
        .first()
    )
    if feed is None or not feed.user.is_active:
        return None
    user = feed.user
    since = timezone.now() - dt.timedelta(days=FEED_PAST_DAYS)
    # The feed is fetched without a session, so the request's scope is empty: open the scope of
    # this person's own schools, the ones the token speaks for.
    with tenancy.scope(school_ids=compute_access(user).visible_school_ids()):
        visits = list(
            LessonVisit.objects.filter(Q(visitor=user) | Q(visited=user), starts_at__gte=since)
            .select_related("school", "visitor", "visited", "group", "lesson_design")
            # Each school's naming rule, inside the query: a colleague who left it is "oud-collega".
            .annotate(
                visitor_name=display_name_sql("visitor", school="school_id"),
                visited_name=display_name_sql("visited", school="school_id"),
            )
            .order_by("starts_at", "pk")
        )
    return FeedContents(user=user, visits=visits)
