"""The demo school's direction: its ambition and this school year's two themes (rekenen until
Christmas, then begrijpend lezen), set by the demo school leader through the services, so that
every board of the school shows them. Idempotent: a school with an ambition, or with themes this
school year, keeps what it has."""

from __future__ import annotations

import datetime as dt

from instruments.models import Ambition, Theme
from instruments.services import direction as services
from leerkracht import clock
from schools.demo import DEMO_SCHOOLLEIDER
from schools.models import School, User

AMBITION = (
    "Al onze leerlingen lezen en rekenen met plezier en zelfvertrouwen. Ze weten wat ze leren en "
    "waarom, en leraren leren elke week van en met elkaar."
)


def seed_direction(*, school: School) -> None:
    """The ambition and this school year's themes of the demo school, unless it has them."""
    leader = User.objects.filter(email=DEMO_SCHOOLLEIDER.email).first()
    if not Ambition.objects.filter(school=school).exists():
        services.ambition_set(school_id=school.pk, user=leader, text=AMBITION, version=0)
    year = clock.school_year()
    if Theme.objects.filter(school=school, school_year=year).exists():
        return
    first_day, last_day = clock.school_year_days(year)
    for name, starts_on, ends_on in (
        ("Rekenen", first_day, dt.date(year, 12, 19)),
        ("Begrijpend lezen", dt.date(year + 1, 1, 5), last_day),
    ):
        services.theme_add(
            school_id=school.pk, user=leader, name=name, school_year=year, starts_on=starts_on, ends_on=ends_on
        )
