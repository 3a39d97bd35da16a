"""Writes about the school holidays of the three holiday regions: national data the foundation's
admins keep (add one holiday for one or more regions at once, change it, delete it).

The rules: a holiday ends on or after its first day and lasts at most ten weeks (the summer
holiday is six), and it does not overlap another holiday of the same region, so every day of a
calendar has at most one name. Each service validates and writes in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from schools.models import HolidayRegion, SchoolHoliday

LONGEST = dt.timedelta(weeks=10)


def _check(*, name: str, region: str, starts_on: dt.date, ends_on: dt.date, holiday_id: int | None = None) -> None:
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("De laatste dag ligt vóór de eerste dag.")})
    if ends_on - starts_on >= LONGEST:
        raise ValidationError({"ends_on": _("Een vakantie duurt hoogstens tien weken: kijk de data na.")})
    clash = (
        SchoolHoliday.objects.filter(holiday_region=region, starts_on__lte=ends_on, ends_on__gte=starts_on)
        .exclude(pk=holiday_id)
        .first()
    )
    if clash is not None:
        raise ValidationError(
            _("In %(region)s valt deze vakantie samen met de %(other)s (%(first)s t/m %(last)s).")
            % {
                "region": HolidayRegion(region).label,
                "other": clash.name.lower(),
                "first": clash.starts_on.strftime("%d-%m-%Y"),
                "last": clash.ends_on.strftime("%d-%m-%Y"),
            }
        )


def school_holiday_add(
    *, name: str, regions: Iterable[str], starts_on: dt.date, ends_on: dt.date
) -> list[SchoolHoliday]:
    """One holiday with the same dates in each of `regions`: all of them or none."""
    name = " ".join(name.split())
    regions = sorted(set(regions))
    if not regions:
        raise ValidationError({"regions": _("Kies minstens één vakantieregio.")})
    try:
        with transaction.atomic():
            made = []
            for region in regions:
                _check(name=name, region=region, starts_on=starts_on, ends_on=ends_on)
                made.append(
                    SchoolHoliday.objects.create(name=name, holiday_region=region, starts_on=starts_on, ends_on=ends_on)
                )
    except IntegrityError as error:  # two admins adding the same holiday at the same moment
        raise ValidationError(_("Deze vakantie is net al ingevoerd: laad de pagina opnieuw.")) from error
    return made


def school_holiday_update(*, holiday_id: int, name: str, starts_on: dt.date, ends_on: dt.date) -> SchoolHoliday:
    """A holiday's name and dates, in its own region."""
    name = " ".join(name.split())
    try:
        with transaction.atomic():
            holiday = SchoolHoliday.objects.select_for_update().get(pk=holiday_id)
            _check(
                name=name, region=holiday.holiday_region, starts_on=starts_on, ends_on=ends_on, holiday_id=holiday.pk
            )
            holiday.name, holiday.starts_on, holiday.ends_on = name, starts_on, ends_on
            holiday.save(update_fields=["name", "starts_on", "ends_on"])
    except IntegrityError as error:
        raise ValidationError(_("Deze vakantie is net al ingevoerd: laad de pagina opnieuw.")) from error
    return holiday


def school_holiday_delete(*, holiday_id: int) -> None:
    """Remove a holiday (gone already: nothing to do)."""
    SchoolHoliday.objects.filter(pk=holiday_id).delete()
