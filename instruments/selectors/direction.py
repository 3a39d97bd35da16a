"""Reads of the school's direction: its ambition and its themes, for the page where its leader
sets them. The school is the one in the URL, admitted by the central rule (capability by
possession: every read here is of that school only)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

from instruments.models import Ambition, Theme
from leerkracht import clock
from schools.models import School


@dataclass(frozen=True)
class SchoolYearThemes:
    """One school year and the school's themes in it, by the day they start."""

    year: int  # named by its first calendar year: 2026 is 2026–2027
    themes: list[Theme]

    @property
    def label(self) -> str:
        return clock.school_year_label(self.year)

    @property
    def first_day(self) -> dt.date:
        return clock.school_year_days(self.year)[0]

    @property
    def last_day(self) -> dt.date:
        return clock.school_year_days(self.year)[1]

    @property
    def full(self) -> bool:
        return len(self.themes) >= Theme.MAX_PER_SCHOOL_YEAR


class SchoolDirection:
    """The school's ambition and its themes of this school year and the next. Each is read (one
    query) the first time it is asked for: a partial that shows one of them pays for that one."""

    def __init__(self, school: School):
        self.school = school

    @cached_property
    def ambition(self) -> Ambition | None:
        return Ambition.objects.filter(school_id=self.school.pk).select_related("updated_by").first()

    @cached_property
    def years(self) -> list[SchoolYearThemes]:
        years = direction_years()
        themes = list(Theme.objects.filter(school_id=self.school.pk, school_year__in=years).order_by("starts_on", "id"))
        return [SchoolYearThemes(year=year, themes=[t for t in themes if t.school_year == year]) for year in years]

    @property
    def full(self) -> bool:
        """Whether no school year shown has room for another theme."""
        return all(year.full for year in self.years)


def direction_years() -> list[int]:
    """The school years whose themes a leader sets: this one and the next."""
    this_year = clock.school_year()
    return [this_year, this_year + 1]


def school_direction(*, school: School) -> SchoolDirection:
    """The school's ambition and its themes of this school year and the next (a query each)."""
    return SchoolDirection(school)


def theme_get(*, school: School, theme_id: int) -> Theme:
    """A theme of this school (DoesNotExist → the view says it is gone, as for another school's)."""
    return Theme.objects.get(school_id=school.pk, pk=theme_id)
