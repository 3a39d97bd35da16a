"""Schools plan in ISO weeks. A week is stored as the date of its Monday; people see "week 47"."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def monday_of(day: dt.date) -> dt.date:
    """The Monday of the ISO week `day` falls in."""
    return day - dt.timedelta(days=day.weekday())


def this_week() -> dt.date:
    """The Monday of the current week, in Europe/Amsterdam (a session at 00:30 on Monday counts
    for that Monday, not for the Sunday before in UTC)."""
    return monday_of(timezone.localdate())


def week_number(monday: dt.date) -> int:
    return monday.isocalendar().week


def week_label(monday: dt.date) -> str:
    """ "week 47" — with the year only when it is not the current one."""
    iso = monday.isocalendar()
    if iso.year == timezone.localdate().isocalendar().year:
        return f"week {iso.week}"
    return f"week {iso.week} ({iso.year})"


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
