"""The lesson visit calendar as a model (instruments/lesson_visit_calendar.py), without a request:
which period an address asks for, its neighbours and the views its buttons switch to, its bounds
in Amsterdam time, and the grid of weeks and days at a month's edges, in ISO week 53 and across
the changes of the clocks. The last tests fetch it through its selector."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from instruments import lesson_visit_calendar as calendar
from instruments.models import LessonVisit, VisitStatus
from instruments.selectors import lesson_visit as selectors
from instruments.tests.factories import member
from leerkracht import clock
from leerkracht.roles import Role
from schools.access import compute_access

UTC = dt.UTC


def amsterdam(*args: int) -> dt.datetime:
    """An Amsterdam wall-clock time as an aware instant (the first one where it happens twice)."""
    return clock.instant(dt.date(*args[:3]), dt.time(*args[3:]))


def visit(starts_at: dt.datetime, status: str = VisitStatus.PLANNED) -> SimpleNamespace:
    """What the grid reads of a visit: when it starts and whether it goes on."""
    return SimpleNamespace(starts_at=starts_at, status=status)


def squares(cal: calendar.Calendar) -> dict[dt.date, list]:
    """Each day of the grid with the visits on it."""
    return {day.date: day.visits for week in cal.weeks for day in week.days}


# --- The period an address asks for ---------------------------------------------------------------


def test_a_month_runs_from_its_first_to_its_last_day_with_its_neighbours():
    period = calendar.period_of(month="2026-02")
    assert (period.kind, period.first, period.last) == ("maand", dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert (period.value, period.previous, period.next) == ("2026-02", "2026-01", "2026-03")
    assert period.label == "februari 2026"
    assert calendar.period_of(month="2028-2").last == dt.date(2028, 2, 29), "a leap year"


def test_a_month_at_the_turn_of_the_year_links_to_the_other_year():
    december, january = calendar.period_of(month="2026-12"), calendar.period_of(month="2026-01")
    assert (december.last, december.next) == (dt.date(2026, 12, 31), "2027-01")
    assert january.previous == "2025-12"


def test_a_week_runs_from_monday_to_sunday_with_its_neighbours():
    period = calendar.period_of(week="2026-W48")
    assert (period.kind, period.first, period.last) == ("week", dt.date(2026, 11, 23), dt.date(2026, 11, 29))
    assert (period.value, period.previous, period.next) == ("2026-W48", "2026-W47", "2026-W49")
    assert period.label == "week 48 · 23–29 november 2026"
    assert calendar.period_of(week="2026-W9").value == "2026-W09"


def test_iso_week_53_exists_in_2026_and_runs_into_2027():
    period = calendar.period_of(week="2026-W53")
    assert (period.first, period.last) == (dt.date(2026, 12, 28), dt.date(2027, 1, 3))
    assert (period.previous, period.next) == ("2026-W52", "2027-W01")
    assert period.label == "week 53 · 28 december – 3 januari 2027"
    assert calendar.period_of(week="2027-W01").previous == "2026-W53"
    assert calendar.period_of(week="2020-W52").next == "2020-W53"


def test_week_53_of_a_year_that_has_52_is_no_week():
    assert calendar.period_of(week="2025-W53") == calendar.week_period(clock.this_week())
    assert calendar.period_of(week="2025-W52").next == "2026-W01"


@pytest.mark.parametrize(
    "query",
    [
        {"week": "2026-W99", "month": "x"},
        {"week": "9999-W52"},
        {"week": "0001-W01"},
        {"month": "2026-13"},
        {"month": "1999-12"},
        {"week": " ", "month": ""},
        {},
    ],
)
def test_an_unreadable_or_unbounded_period_is_this_week(query):
    assert calendar.period_of(**query) == calendar.week_period(clock.this_week())


def test_a_month_goes_before_a_week_when_both_are_asked():
    assert calendar.period_of(week="2026-W48", month="2026-03").value == "2026-03"


# --- Where the buttons go --------------------------------------------------------------------------


def test_a_week_switches_to_the_month_holding_its_thursday():
    assert calendar.period_of(week="2026-W49").month_query == {"maand": "2026-12"}  # 30 Nov – 6 Dec
    assert calendar.period_of(week="2026-W01").month_query == {"maand": "2026-01"}  # 29 Dec – 4 Jan
    assert calendar.period_of(week="2026-W53").month_query == {"maand": "2026-12"}  # 28 Dec – 3 Jan
    assert calendar.period_of(week="2027-W05").month_query == {"maand": "2027-02"}  # 1 – 7 Feb


def test_a_month_switches_to_the_week_of_its_first_day():
    assert calendar.period_of(month="2026-03").week_query == {"week": "2026-W09"}  # Sunday 1 March
    assert calendar.period_of(month="2027-01").week_query == {"week": "2026-W53"}  # Friday 1 January
    assert calendar.period_of(month="2026-03").month_query == {"maand": "2026-03"}


def test_previous_next_and_today_stay_in_the_kind_of_period():
    week, month = calendar.period_of(week="2026-W48"), calendar.period_of(month="2026-11")
    assert (week.previous_query, week.next_query, week.query) == (
        {"week": "2026-W47"},
        {"week": "2026-W49"},
        {"week": "2026-W48"},
    )
    assert (month.previous_query, month.next_query) == ({"maand": "2026-10"}, {"maand": "2026-12"})
    assert week.today_query == {}, "this week is the calendar without a parameter"
    assert month.today_query == {"maand": f"{clock.today():%Y-%m}"}


# --- Bounds through the time module --------------------------------------------------------------


def test_a_week_with_the_spring_change_is_an_hour_short():
    start, end = calendar.period_of(week="2026-W13").bounds  # 23–29 March, clocks go forward on the 29th
    assert (start, end) == (dt.datetime(2026, 3, 22, 23, tzinfo=UTC), dt.datetime(2026, 3, 29, 22, tzinfo=UTC))
    assert end.astimezone(UTC) - start.astimezone(UTC) == dt.timedelta(days=7, hours=-1)
    assert (start, end) == clock.day_bounds(dt.date(2026, 3, 23), dt.date(2026, 3, 29))


def test_a_week_with_the_autumn_change_is_an_hour_long():
    start, end = calendar.period_of(week="2026-W43").bounds  # 19–25 October, clocks go back on the 25th
    assert (start, end) == (dt.datetime(2026, 10, 18, 22, tzinfo=UTC), dt.datetime(2026, 10, 25, 23, tzinfo=UTC))
    assert end.astimezone(UTC) - start.astimezone(UTC) == dt.timedelta(days=7, hours=1)


def test_a_month_is_bounded_by_amsterdam_midnights():
    assert calendar.period_of(month="2026-03").bounds == (
        dt.datetime(2026, 2, 28, 23, tzinfo=UTC),  # winter time
        dt.datetime(2026, 3, 31, 22, tzinfo=UTC),  # summer time
    )


# --- The grid ---------------------------------------------------------------------------------------


def test_a_month_grid_fills_its_first_and_last_weeks_with_days_outside_it():
    grid = calendar.calendar_of(calendar.period_of(month="2026-02"), [], weekend=True)
    assert [week.monday for week in grid.weeks] == [
        dt.date(2026, 1, 26),
        dt.date(2026, 2, 2),
        dt.date(2026, 2, 9),
        dt.date(2026, 2, 16),
        dt.date(2026, 2, 23),
    ]
    days = [day for week in grid.weeks for day in week.days]
    assert [day.date for day in days if not day.in_period] == [dt.date(2026, 1, d) for d in range(26, 32)] + [
        dt.date(2026, 3, 1)
    ]
    assert all(len(week.days) == 7 for week in grid.weeks)


def test_a_month_from_monday_to_sunday_is_exactly_its_weeks():
    grid = calendar.calendar_of(calendar.period_of(month="2027-02"), [])
    assert [week.monday for week in grid.weeks] == [dt.date(2027, 2, d) for d in (1, 8, 15, 22)]
    assert all(day.in_period for week in grid.weeks for day in week.days)


def test_a_visit_in_the_days_around_a_month_is_not_drawn_on_its_grid():
    """The first week of February shows 26–31 January, but a visit on 30 January belongs to the
    January calendar: the February one leaves that square empty."""
    january = visit(amsterdam(2026, 1, 30, 10))
    february = visit(amsterdam(2026, 2, 2, 10))
    grid = calendar.calendar_of(calendar.period_of(month="2026-02"), [january, february])
    assert squares(grid)[dt.date(2026, 1, 30)] == []
    assert squares(grid)[dt.date(2026, 2, 2)] == [february]
    assert [week.has_visits for week in grid.weeks] == [False, True, False, False, False]


def test_visits_fall_on_their_amsterdam_day_across_the_spring_change():
    early = visit(amsterdam(2026, 3, 29, 0, 30))  # 23:30 UTC on Saturday
    after = visit(amsterdam(2026, 3, 29, 3, 30))  # the first hour of summer time
    late = visit(amsterdam(2026, 3, 29, 23, 30))  # 21:30 UTC
    monday = visit(amsterdam(2026, 3, 23, 0, 30))  # 23:30 UTC on Sunday the 22nd
    grid = calendar.calendar_of(calendar.period_of(week="2026-W13"), [monday, early, after, late])
    assert squares(grid)[dt.date(2026, 3, 23)] == [monday]
    assert squares(grid)[dt.date(2026, 3, 28)] == []
    assert squares(grid)[dt.date(2026, 3, 29)] == [early, after, late]


def test_visits_fall_on_their_amsterdam_day_across_the_autumn_change():
    first = visit(amsterdam(2026, 10, 25, 2, 30))  # the first 02:30, in summer time: 00:30 UTC
    second = visit(dt.datetime(2026, 10, 25, 1, 30, tzinfo=UTC))  # the second 02:30, in winter time
    late = visit(amsterdam(2026, 10, 25, 23, 30))  # 22:30 UTC
    grid = calendar.calendar_of(calendar.period_of(week="2026-W43"), [first, second, late])
    assert squares(grid)[dt.date(2026, 10, 25)] == [first, second, late]
    following = visit(amsterdam(2026, 10, 26, 0, 30))  # 23:30 UTC on Sunday
    next_week = calendar.calendar_of(calendar.period_of(week="2026-W44"), [following])
    assert squares(next_week)[dt.date(2026, 10, 26)] == [following]


def test_a_week_53_grid_spans_the_turn_of_the_year():
    new_year = visit(amsterdam(2027, 1, 1, 0, 30))  # 23:30 UTC on 31 December
    grid = calendar.calendar_of(calendar.period_of(week="2026-W53"), [new_year], weekend=True)
    assert [day.date for day in grid.weeks[0].days] == [dt.date(2026, 12, 28) + dt.timedelta(days=n) for n in range(7)]
    assert squares(grid)[dt.date(2027, 1, 1)] == [new_year] and squares(grid)[dt.date(2026, 12, 31)] == []
    assert all(day.in_period for day in grid.weeks[0].days)


def test_today_is_marked_and_only_visits_that_go_on_are_counted():
    period = calendar.period_of(week="2026-W48")
    planned = visit(amsterdam(2026, 11, 24, 9))
    cancelled = visit(amsterdam(2026, 11, 25, 9), VisitStatus.CANCELLED)
    not_held = visit(amsterdam(2026, 11, 26, 9), VisitStatus.NOT_HELD)
    grid = calendar.calendar_of(period, [planned, cancelled, not_held], today=dt.date(2026, 11, 25))
    assert [day.date for week in grid.weeks for day in week.days if day.is_today] == [dt.date(2026, 11, 25)]
    assert (grid.visit_count, grid.any_visits) == (1, True)
    assert squares(grid)[dt.date(2026, 11, 25)] == [cancelled], "shown, not counted"
    only_cancelled = calendar.calendar_of(period, [cancelled])
    assert (only_cancelled.visit_count, only_cancelled.any_visits) == (0, True)
    assert calendar.calendar_of(period, []).any_visits is False


def test_a_week_shows_monday_to_friday_unless_the_weekend_is_asked_for():
    grid = calendar.calendar_of(calendar.period_of(week="2026-W48"), [])
    assert [day.date for day in grid.weeks[0].days] == [dt.date(2026, 11, 23) + dt.timedelta(days=n) for n in range(5)]
    assert grid.show_weekend is False
    asked = calendar.calendar_of(calendar.period_of(week="2026-W48"), [], weekend=True)
    assert [day.date.isoweekday() for day in asked.weeks[0].days] == [1, 2, 3, 4, 5, 6, 7]
    month = calendar.calendar_of(calendar.period_of(month="2026-11"), [])
    assert all(len(week.days) == 5 for week in month.weeks)
    assert not any(day.is_weekend for week in month.weeks for day in week.days)


def test_a_visit_on_a_saturday_brings_the_weekend_back_so_it_is_never_hidden():
    saturday = visit(amsterdam(2026, 11, 28, 10))
    grid = calendar.calendar_of(calendar.period_of(week="2026-W48"), [saturday])
    assert grid.show_weekend is True
    assert squares(grid)[dt.date(2026, 11, 28)] == [saturday]
    # A Saturday visit outside the month (in the days that fill its last week) does not count.
    outside = calendar.calendar_of(calendar.period_of(month="2026-12"), [visit(amsterdam(2027, 1, 2, 10))])
    assert outside.show_weekend is False


def test_days_in_a_school_holiday_carry_its_name_only_inside_the_period():
    holidays = {dt.date(2026, 12, 21) + dt.timedelta(days=n): "Kerstvakantie" for n in range(14)}
    grid = calendar.calendar_of(calendar.period_of(month="2026-12"), [], holidays=holidays)
    marked = [day.date for week in grid.weeks for day in week.days if day.holiday]
    assert marked == [d for d in sorted(holidays) if d.month == 12 and d.isoweekday() <= 5]
    assert {day.holiday for week in grid.weeks for day in week.days if day.holiday} == {"Kerstvakantie"}


# --- Through the selector ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_selector_reads_the_visits_between_the_periods_amsterdam_midnights(world):
    """A visit at 00:30 on the Monday after the spring change's week is the next week's, one at
    23:30 on the Sunday before it is the week before's: UTC would put each in the other week."""
    coach = world.users[Role.SCHOOLCOACH]
    jan = member(world.home_team, first_name="Jan", last_name="de Vries")
    fatma = member(world.home_team, first_name="Fatma", last_name="Yilmaz")

    def planned(starts_at: dt.datetime) -> LessonVisit:
        return LessonVisit.objects.create(
            school=world.home,
            visitor=jan,
            visited=fatma,
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(minutes=50),
            scheduled_by=jan,
        )

    before = planned(amsterdam(2026, 3, 22, 23, 30))
    inside = [planned(amsterdam(2026, 3, 23, 0, 30)), planned(amsterdam(2026, 3, 29, 23, 30))]
    after = planned(amsterdam(2026, 3, 30, 0, 30))
    access = compute_access(coach)
    week = selectors.lesson_visit_calendar(
        access=access, school_id=world.home.pk, period=calendar.period_of(week="2026-W13")
    )
    assert [v for day in squares(week).values() for v in day] == inside
    assert week.visit_count == 2
    march = selectors.lesson_visit_calendar(
        access=access, school_id=world.home.pk, period=calendar.period_of(month="2026-03")
    )
    assert [v for day in squares(march).values() for v in day] == [before, *inside, after]
    others = selectors.lesson_visit_calendar(
        access=access,
        school_id=world.home.pk,
        period=calendar.period_of(week="2026-W13"),
        person_id=coach.pk,
    )
    assert others.any_visits is False, "one person's visits only"
