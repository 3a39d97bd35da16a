"""Time as the schools live it: Europe/Amsterdam dates and hours, UTC in the database.

One module for every question of time the platform asks: what day it is here, the instants a
day or a period begins and ends, ISO weeks (a week is stored as the date of its Monday; people
see "week 47"), school years (1 August to 31 July, named by their first year) and calendar
months ("six months after the startdag, at the same hour"). The apps import it; none keeps a
copy of a rule written here.

Daylight saving: midnight exists on every Amsterdam day (clocks change at 02:00 and 03:00), so
day and period bounds never meet a gap or a fold. A wall-clock hour can: `instant` documents how
it decides those two cases, once for everyone.
"""

from __future__ import annotations

import calendar
import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.formats import date_format

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


# --- Days and instants -------------------------------------------------------------------------


def today() -> dt.date:
    """Today's date in Amsterdam (not in UTC: at 00:30 on Monday it is Monday)."""
    return timezone.localdate(timezone=AMSTERDAM)


def local(moment: dt.datetime) -> dt.datetime:
    """An aware instant as Amsterdam's clock shows it."""
    return moment.astimezone(AMSTERDAM)


def instant(day: dt.date, at: dt.time) -> dt.datetime:
    """The UTC instant of an Amsterdam date and wall-clock time.

    zoneinfo with fold=0 decides the two daylight-saving cases, and we keep its choice:
    - a time that does not exist (29 March 2026 02:30, in the hour skipped from 02:00 to 03:00)
      is read with the offset before the change (+01:00), i.e. 01:30 UTC = 03:30 summer time:
      the moment moves forward by the length of the gap;
    - a time that happens twice (25 October 2026 02:30, in the hour repeated from 03:00 back to
      02:00) is the first occurrence, in summer time (+02:00), i.e. 00:30 UTC.
    Either way one date and hour give one instant, so a wave school opens once.
    """
    moment = dt.datetime.combine(day, at.replace(tzinfo=None), tzinfo=AMSTERDAM)  # fold=0
    return moment.astimezone(dt.UTC)


def day_start(day: dt.date) -> dt.datetime:
    """Amsterdam midnight at the start of `day` (aware)."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=AMSTERDAM)


def period_bounds(*, since: dt.date, until: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The instants of Amsterdam midnight at the start of `since` and of `until`: the period
    [since, until). A session at 00:30 on the first day counts, one at 23:30 the evening before
    does not, in winter and summer alike."""
    if until <= since:
        raise ValueError(f"A period ends after it starts: since={since}, until={until}.")
    return day_start(since), day_start(until)


def day_bounds(first_day: dt.date, last_day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """From the start of `first_day` to the end of `last_day`, both included: a visit at 00:30
    on Monday belongs to Monday, not to Sunday in UTC."""
    return day_start(first_day), day_start(last_day + dt.timedelta(days=1))


# --- ISO weeks ---------------------------------------------------------------------------------


def monday_of(day: dt.date) -> dt.date:
    """The Monday of the ISO week `day` falls in."""
    return day - dt.timedelta(days=day.weekday())


def this_week() -> dt.date:
    """The Monday of the current week, in Amsterdam (a session at 00:30 on Monday counts for
    that Monday, not for the Sunday before in UTC)."""
    return monday_of(today())


def week_number(monday: dt.date) -> int:
    return monday.isocalendar().week


def week_label(monday: dt.date) -> str:
    """ "week 47" — with the year only when it is not the current one."""
    iso = monday.isocalendar()
    if iso.year == today().isocalendar().year:
        return f"week {iso.week}"
    return f"week {iso.week} ({iso.year})"


def week_days_label(monday: dt.date) -> str:
    """ "week 49 (1–5 dec)": the week with its school days, so a week number needs no calendar.
    The year is added when it is not the current one ("week 1 (4–8 jan 2027)")."""
    friday = monday + dt.timedelta(days=4)
    first = str(monday.day) if monday.month == friday.month else date_format(monday, "j b")
    days = f"{first}–{date_format(friday, 'j b')}"
    if friday.year != today().year:
        days = f"{days} {friday.year}"
    return f"week {monday.isocalendar().week} ({days})"


def weeks_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """Mondays from `first` to `last`, both included."""
    count = (monday_of(last) - monday_of(first)).days // 7 + 1
    return [monday_of(first) + dt.timedelta(weeks=n) for n in range(max(count, 0))]


def parse_week(value: str) -> dt.date | None:
    """An <input type="week"> value ("2026-W47") or a date ("2026-11-16") → that week's Monday."""
    value = (value or "").strip()
    try:
        if "-W" in value:
            year, week = value.split("-W")
            return dt.date.fromisocalendar(int(year), int(week), 1)
        return monday_of(dt.date.fromisoformat(value))
    except ValueError:
        return None


def week_input_value(monday: dt.date | None) -> str:
    """The value an <input type="week"> shows for a stored week."""
    if monday is None:
        return ""
    iso = monday.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


# --- School years and months -------------------------------------------------------------------


SCHOOL_YEAR_STARTS = (8, 1)  # month and day: a school year runs from 1 August to 31 July


def school_year(day: dt.date | None = None) -> int:
    """The school year a date falls in, by its first calendar year (1 August to 31 July)."""
    day = day or today()
    return day.year if (day.month, day.day) >= SCHOOL_YEAR_STARTS else day.year - 1


def school_year_days(year: int) -> tuple[dt.date, dt.date]:
    """The first and the last day of school year `year` (named by its first calendar year)."""
    month, day = SCHOOL_YEAR_STARTS
    first = dt.date(year, month, day)
    return first, dt.date(year + 1, month, day) - dt.timedelta(days=1)


def school_year_label(year: int) -> str:
    """ "2026–2027": a school year as people name it."""
    return f"{year}–{year + 1}"


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus calendar months, clamped to the end of a shorter month (31 August + 6 months is
    28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_later(day: dt.date, months: int, *, at: dt.time) -> dt.datetime:
    """The instant `months` calendar months after `day`, at the Amsterdam hour `at` (the hour is
    kept across a change of daylight saving time; see `instant` for the hours that do not exist
    or happen twice)."""
    return instant(add_months(day, months), at)
