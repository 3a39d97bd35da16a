"""Time as the schools live it (leerkracht.clock): Amsterdam days and hours across the changes of
daylight saving time, ISO weeks, school years and calendar months."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from leerkracht import clock


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (dt.date(2025, 8, 31), 6, dt.date(2026, 2, 28)),  # February is shorter: its last day
        (dt.date(2027, 8, 31), 6, dt.date(2028, 2, 29)),  # a leap year's last day
        (dt.date(2026, 1, 31), 3, dt.date(2026, 4, 30)),
        (dt.date(2026, 3, 15), 6, dt.date(2026, 9, 15)),
        (dt.date(2026, 9, 1), 6, dt.date(2027, 3, 1)),  # over the year's end
        (dt.date(2026, 12, 31), 12, dt.date(2027, 12, 31)),
    ],
)
def test_months_after_start_are_calendar_months_clamped_to_the_month_end(start, months, expected):
    assert clock.add_months(start, months) == expected


@pytest.mark.parametrize(
    ("day", "at", "expected"),
    [
        # The night of 29 March 2026 skips 02:00–03:00: 02:30 does not exist and moves forward to
        # 03:30 summer time (read with the winter offset, +01:00).
        (dt.date(2026, 3, 29), dt.time(2, 30), utc(2026, 3, 29, 1, 30)),
        (dt.date(2026, 3, 29), dt.time(1, 59), utc(2026, 3, 29, 0, 59)),
        (dt.date(2026, 3, 29), dt.time(3, 0), utc(2026, 3, 29, 1, 0)),
        # The night of 25 October 2026 repeats 02:00–03:00: 02:30 happens twice; the first one
        # (summer time, +02:00) is taken.
        (dt.date(2026, 10, 25), dt.time(2, 30), utc(2026, 10, 25, 0, 30)),
        (dt.date(2026, 10, 25), dt.time(3, 0), utc(2026, 10, 25, 2, 0)),
        # Ordinary days either side.
        (dt.date(2026, 3, 28), dt.time(2, 30), utc(2026, 3, 28, 1, 30)),
        (dt.date(2026, 10, 26), dt.time(2, 30), utc(2026, 10, 26, 1, 30)),
        (dt.date(2026, 7, 1), dt.time(7, 30), utc(2026, 7, 1, 5, 30)),
    ],
)
def test_an_amsterdam_date_and_hour_is_one_utc_instant_also_across_a_clock_change(day, at, expected):
    assert clock.instant(day, at) == expected


def test_a_day_runs_from_amsterdam_midnight_to_the_next_also_on_the_short_and_the_long_night():
    assert clock.day_bounds(dt.date(2026, 3, 29), dt.date(2026, 3, 29)) == (
        utc(2026, 3, 28, 23, 0),  # winter time at midnight
        utc(2026, 3, 29, 22, 0),  # summer time the next midnight: a day of 23 hours
    )
    start, end = clock.day_bounds(dt.date(2026, 10, 25), dt.date(2026, 10, 25))
    assert end.astimezone(dt.UTC) - start.astimezone(dt.UTC) == dt.timedelta(hours=25)  # a day of 25 hours
    assert clock.period_bounds(since=dt.date(2026, 12, 1), until=dt.date(2026, 12, 8)) == (
        utc(2026, 11, 30, 23, 0),
        utc(2026, 12, 7, 23, 0),
    )
    with pytest.raises(ValueError, match="ends after it starts"):
        clock.period_bounds(since=dt.date(2026, 12, 8), until=dt.date(2026, 12, 8))


def test_today_and_this_week_are_amsterdams_at_half_past_midnight_on_monday(settings):
    settings.USE_TZ = True
    monday_0030 = utc(2026, 11, 29, 23, 30)  # Monday 30 November 00:30 in Amsterdam; Sunday in UTC
    assert clock.local(monday_0030).date() == dt.date(2026, 11, 30)
    assert timezone.localdate(monday_0030, timezone=clock.AMSTERDAM) == dt.date(2026, 11, 30)
    assert clock.monday_of(dt.date(2026, 12, 6)) == dt.date(2026, 11, 30)  # a Sunday: its week's Monday


@pytest.mark.parametrize(
    ("value", "monday"),
    [
        ("2026-W49", dt.date(2026, 11, 30)),
        ("2026-12-03", dt.date(2026, 11, 30)),
        ("2026-W53", dt.date(2026, 12, 28)),  # 2026 has 53 ISO weeks
        ("2027-W53", None),  # 2027 does not
        ("week 49", None),
        ("", None),
    ],
)
def test_a_week_is_read_from_a_week_field_or_a_date(value, monday):
    assert clock.parse_week(value) == monday
    if monday is not None:
        assert clock.parse_week(clock.week_input_value(monday)) == monday


def test_weeks_between_lists_each_monday_once_both_ends_included():
    assert clock.weeks_between(dt.date(2026, 12, 3), dt.date(2026, 12, 16)) == [
        dt.date(2026, 11, 30),
        dt.date(2026, 12, 7),
        dt.date(2026, 12, 14),
    ]
    assert clock.weeks_between(dt.date(2026, 12, 16), dt.date(2026, 12, 3)) == []


@pytest.mark.parametrize(
    ("day", "year"),
    [(dt.date(2026, 7, 31), 2025), (dt.date(2026, 8, 1), 2026), (dt.date(2027, 1, 15), 2026)],
)
def test_a_school_year_starts_on_the_first_of_august(day, year):
    assert clock.school_year(day) == year


def test_a_school_years_days_are_the_days_school_year_names_it_by():
    """From 1 August to 31 July, both included: the days before and after belong to the
    neighbouring years (a leap year's 29 February inside)."""
    first, last = clock.school_year_days(2027)
    assert (first, last) == (dt.date(2027, 8, 1), dt.date(2028, 7, 31))
    assert clock.school_year(first) == clock.school_year(last) == 2027
    assert clock.school_year(first - dt.timedelta(days=1)) == 2026
    assert clock.school_year(last + dt.timedelta(days=1)) == 2028
    assert clock.school_year_label(2026) == "2026–2027"


def test_months_later_keeps_the_amsterdam_hour_across_a_clock_change():
    # A startdag in summer time, six months later in winter time: 07:30 both times.
    assert clock.months_later(dt.date(2026, 8, 31), 6, at=dt.time(7, 30)) == utc(2027, 2, 28, 6, 30)
    assert clock.months_later(dt.date(2026, 11, 2), 6, at=dt.time(7, 30)) == utc(2027, 5, 2, 5, 30)
