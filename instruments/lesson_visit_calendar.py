"""The lesson visit calendar as a model, apart from the page: the week or month it shows (read from
the address's ?week=2026-W48 or ?maand=2026-11), the periods its buttons go to, and the grid of
weeks and days with the visits that fall on each day.

No request and no database: the view reads the query string and builds the addresses, the
selector (`lesson_visit_calendar`) fetches the visits between the period's bounds, and this module
lays them out. Days, weeks and bounds are Amsterdam's, through `leerkracht.clock`: a visit at 00:30
on Monday is on Monday's square, in winter and in summer time alike.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import formats
from django.utils.translation import gettext as _

from instruments.models import VISIT_DID_NOT_HAPPEN, LessonVisit
from leerkracht import clock
from leerkracht.http import FIRST_DAY, LAST_DAY

WEEK = "week"  # the kinds of period are the query parameters' names
MONTH = "maand"
WEEK_PATTERN = re.compile(r"^(\d{4})-W(\d{1,2})$")
MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{1,2})$")


@dataclass
class Day:
    date: dt.date
    in_period: bool
    is_today: bool
    visits: list[LessonVisit] = field(default_factory=list)
    holiday: str = ""  # the name of the school holiday this day falls in, in the school's region

    @property
    def is_weekend(self) -> bool:
        return self.date.isoweekday() > 5


@dataclass
class Week:
    monday: dt.date
    days: list[Day]

    @property
    def has_visits(self) -> bool:
        return any(day.visits for day in self.days)


@dataclass(frozen=True)
class Period:
    """The week or month the calendar shows, and its neighbours as query values."""

    kind: str  # WEEK or MONTH
    first: dt.date
    last: dt.date
    value: str
    previous: str
    next: str
    label: str

    @property
    def mondays(self) -> list[dt.date]:
        """The Mondays of the weeks the grid shows: a month's first and last weeks whole."""
        return clock.weeks_between(self.first, self.last)

    @property
    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """The instants from Amsterdam midnight before the first day to the one after the last."""
        return clock.day_bounds(self.first, self.last)

    # The query each of the calendar's buttons asks for.

    @property
    def query(self) -> dict[str, str]:
        return {self.kind: self.value}

    @property
    def previous_query(self) -> dict[str, str]:
        return {self.kind: self.previous}

    @property
    def next_query(self) -> dict[str, str]:
        return {self.kind: self.next}

    @property
    def today_query(self) -> dict[str, str]:
        """This week (the calendar's default, no parameter) or this month."""
        return {MONTH: f"{clock.today():%Y-%m}"} if self.kind == MONTH else {}

    @property
    def week_query(self) -> dict[str, str]:
        """The week view: this week, or the first week of this month."""
        return {WEEK: clock.week_input_value(clock.monday_of(self.first))}

    @property
    def month_query(self) -> dict[str, str]:
        """The month view: this month, or the month that holds this week's Thursday (as an ISO
        week belongs to the year of its Thursday)."""
        if self.kind == MONTH:
            return self.query
        return {MONTH: f"{self.first + dt.timedelta(days=3):%Y-%m}"}


def week_period(monday: dt.date) -> Period:
    """The ISO week that starts on `monday`."""
    sunday = monday + dt.timedelta(days=6)
    span = (
        f"{monday.day}–{formats.date_format(sunday, 'j F Y')}"
        if monday.month == sunday.month
        else f"{formats.date_format(monday, 'j F')} – {formats.date_format(sunday, 'j F Y')}"
    )
    return Period(
        kind=WEEK,
        first=monday,
        last=sunday,
        value=clock.week_input_value(monday),
        previous=clock.week_input_value(monday - dt.timedelta(weeks=1)),
        next=clock.week_input_value(monday + dt.timedelta(weeks=1)),
        label=_("week %(number)s · %(span)s") % {"number": clock.week_number(monday), "span": span},
    )


def month_period(first: dt.date) -> Period:
    """The calendar month that starts on `first`."""
    following = clock.add_months(first, 1)
    preceding = clock.add_months(first, -1)
    return Period(
        kind=MONTH,
        first=first,
        last=following - dt.timedelta(days=1),
        value=f"{first:%Y-%m}",
        previous=f"{preceding:%Y-%m}",
        next=f"{following:%Y-%m}",
        label=formats.date_format(first, "F Y"),
    )


def period_of(*, week: str = "", month: str = "") -> Period:
    """The period asked for: a month ("2026-11") before a week ("2026-W48", ISO); this week when
    neither is there or readable."""
    if match := MONTH_PATTERN.match(month.strip()):
        year, number = int(match[1]), int(match[2])
        if 1 <= number <= 12 and FIRST_DAY.year <= year <= LAST_DAY.year:
            return month_period(dt.date(year, number, 1))
    match = WEEK_PATTERN.match(week.strip())
    if match and FIRST_DAY.year <= int(match[1]) <= LAST_DAY.year:
        # Bounded like the month: the first and last weeks a date can hold have no neighbour.
        try:
            return week_period(dt.date.fromisocalendar(int(match[1]), int(match[2]), 1))
        except ValueError:  # week 53 of a year that has 52
            pass
    return week_period(clock.this_week())


@dataclass(frozen=True)
class Calendar:
    """A period laid out as weeks of seven days, with what the page says about its visits."""

    period: Period
    weeks: list[Week]
    visit_count: int  # the visits that go on (cancelled and not held ones are shown, not counted)
    any_visits: bool
    show_weekend: bool  # False: each week shows Monday to Friday only


def calendar_of(
    period: Period,
    visits: Iterable[LessonVisit],
    *,
    today: dt.date | None = None,
    holidays: dict[dt.date, str] | None = None,
    weekend: bool = False,
) -> Calendar:
    """The grid of `period` with each visit on its Amsterdam day and each day's school holiday;
    the days before and after a month that fill its first and last weeks stay empty.

    Schools work Monday to Friday, so Saturday and Sunday are left out unless `weekend` asks for
    them, or a visit in the period falls on one: a visit is never hidden by the layout."""
    visits = list(visits)
    today = today or clock.today()
    holidays = holidays or {}
    by_day: dict[dt.date, list[LessonVisit]] = {}
    for visit in visits:
        by_day.setdefault(clock.local(visit.starts_at).date(), []).append(visit)
    show_weekend = weekend or any(day.isoweekday() > 5 and period.first <= day <= period.last for day in by_day)
    weeks = []
    for monday in period.mondays:
        days = []
        for offset in range(7 if show_weekend else 5):
            day = monday + dt.timedelta(days=offset)
            inside = period.first <= day <= period.last
            days.append(
                Day(
                    day,
                    inside,
                    day == today,
                    by_day.get(day, []) if inside else [],
                    holidays.get(day, "") if inside else "",
                )
            )
        weeks.append(Week(monday, days))
    return Calendar(
        period=period,
        weeks=weeks,
        visit_count=sum(1 for visit in visits if visit.status not in VISIT_DID_NOT_HAPPEN),
        any_visits=bool(visits),
        show_weekend=show_weekend,
    )
