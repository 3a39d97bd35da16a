"""School holidays: the admins keep them per holiday region, each school's calendar marks those of
its region (its own, or its province's), and the rules refuse what would make a day ambiguous."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from leerkracht.roles import Role
from schools import selectors
from schools.models import HolidayRegion, Province, SchoolHoliday
from schools.services import holidays as services

pytestmark = pytest.mark.django_db

LIST = reverse("schools:holiday_list")
CHRISTMAS = (dt.date(2026, 12, 19), dt.date(2027, 1, 3))


def christmas(*regions: str) -> list[SchoolHoliday]:
    return services.school_holiday_add(
        name="Kerstvakantie", regions=regions or HolidayRegion.values, starts_on=CHRISTMAS[0], ends_on=CHRISTMAS[1]
    )


# --- Which region a school is in ------------------------------------------------------------------


def test_a_school_is_in_its_provinces_region_unless_it_has_its_own(world):
    school = world.home
    assert school.province == Province.UTRECHT
    assert school.holiday_region_in_effect == HolidayRegion.MIDDEN
    school.holiday_region = HolidayRegion.NOORD  # Eemnes, in Utrecht, is in region noord
    assert school.holiday_region_in_effect == HolidayRegion.NOORD


def test_the_calendar_reads_the_holidays_of_the_schools_own_region_in_one_query(world):
    services.school_holiday_add(
        name="Herfstvakantie", regions=["zuid"], starts_on=dt.date(2026, 10, 10), ends_on=dt.date(2026, 10, 18)
    )
    services.school_holiday_add(
        name="Herfstvakantie", regions=["midden"], starts_on=dt.date(2026, 10, 17), ends_on=dt.date(2026, 10, 25)
    )
    with CaptureQueriesContext(connection) as queries:
        days = selectors.school_holidays_by_day(
            school_id=world.home.pk, first=dt.date(2026, 10, 12), last=dt.date(2026, 10, 18)
        )
    assert len(queries) == 1
    assert days == {dt.date(2026, 10, d): "Herfstvakantie" for d in (17, 18)}, "midden, from the province"
    world.home.holiday_region = HolidayRegion.ZUID
    world.home.save(update_fields=["holiday_region"])
    days = selectors.school_holidays_by_day(
        school_id=world.home.pk, first=dt.date(2026, 10, 12), last=dt.date(2026, 10, 18)
    )
    assert sorted(days) == [dt.date(2026, 10, d) for d in range(12, 19)], "its own region now: zuid"


# --- The rules -------------------------------------------------------------------------------------


def test_one_holiday_for_three_regions_makes_three_rows():
    made = christmas()
    assert sorted(h.holiday_region for h in made) == ["midden", "noord", "zuid"]
    assert {(h.name, h.starts_on, h.ends_on) for h in made} == {("Kerstvakantie", *CHRISTMAS)}


def test_a_holiday_that_ends_before_it_starts_or_lasts_too_long_is_refused():
    with pytest.raises(ValidationError) as backwards:
        services.school_holiday_add(
            name="X", regions=["noord"], starts_on=dt.date(2027, 1, 3), ends_on=dt.date(2027, 1, 2)
        )
    assert "ends_on" in backwards.value.message_dict
    with pytest.raises(ValidationError) as long:
        services.school_holiday_add(
            name="X", regions=["noord"], starts_on=dt.date(2027, 7, 1), ends_on=dt.date(2027, 9, 30)
        )
    assert "tien weken" in str(long.value)
    assert not SchoolHoliday.objects.exists()


def test_an_overlap_in_one_region_refuses_the_whole_holiday():
    christmas("midden")
    with pytest.raises(ValidationError, match="regio midden"):
        services.school_holiday_add(
            name="Extra", regions=["noord", "midden"], starts_on=dt.date(2027, 1, 3), ends_on=dt.date(2027, 1, 4)
        )
    assert list(SchoolHoliday.objects.values_list("holiday_region", flat=True)) == ["midden"], "noord not made either"


def test_changing_a_holiday_may_keep_its_own_days_but_not_take_anothers():
    (noord,) = christmas("noord")
    services.school_holiday_add(
        name="Voorjaarsvakantie", regions=["noord"], starts_on=dt.date(2027, 2, 20), ends_on=dt.date(2027, 2, 28)
    )
    moved = services.school_holiday_update(
        holiday_id=noord.pk, name=" Kerst  vakantie ", starts_on=dt.date(2026, 12, 20), ends_on=dt.date(2027, 1, 3)
    )
    assert (moved.name, moved.starts_on) == ("Kerst vakantie", dt.date(2026, 12, 20))
    with pytest.raises(ValidationError, match="voorjaarsvakantie"):
        services.school_holiday_update(
            holiday_id=noord.pk, name="Kerst", starts_on=dt.date(2026, 12, 20), ends_on=dt.date(2027, 2, 21)
        )


# --- The pages -------------------------------------------------------------------------------------


def test_an_admin_adds_a_holiday_for_two_regions_from_the_list(client, world):
    client.force_login(world.users[Role.ADMIN])
    page = client.get(LIST + "?jaar=2026")
    assert page.status_code == 200
    assert b"Nog geen vakanties in dit schooljaar" in page.content
    response = client.post(
        LIST + "?jaar=2026",
        {"name": "Kerstvakantie", "regions": ["noord", "zuid"], "starts_on": "2026-12-19", "ends_on": "2027-01-03"},
    )
    assert response.status_code == 302 and response["Location"] == LIST + "?jaar=2026"
    assert sorted(SchoolHoliday.objects.values_list("holiday_region", flat=True)) == ["noord", "zuid"]
    listed = client.get(response["Location"]).content.decode()
    assert listed.count("19 december 2026 t/m 3 januari 2027") == 2


def test_a_refused_holiday_keeps_what_was_typed_and_says_why(client, world):
    christmas("noord")
    client.force_login(world.users[Role.ADMIN])
    response = client.post(
        LIST, {"name": "Wintersport", "regions": ["noord"], "starts_on": "2026-12-28", "ends_on": "2027-01-08"}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "valt deze vakantie samen met de kerstvakantie" in page
    assert 'value="Wintersport"' in page and 'value="2027-01-08"' in page
    bad = client.post(LIST, {"name": "", "regions": [], "starts_on": "morgen", "ends_on": ""})
    assert bad.status_code == 422
    assert "Kies minstens één vakantieregio." in bad.content.decode() and 'value="morgen"' in bad.content.decode()


def test_an_admin_changes_and_deletes_a_holiday(client, world):
    (noord,) = christmas("noord")
    client.force_login(world.users[Role.ADMIN])
    edit = reverse("schools:holiday_edit", kwargs={"holiday_id": noord.pk})
    form = client.get(edit)
    assert form.status_code == 200 and 'name="regions"' not in form.content.decode(), "one region per holiday"
    response = client.post(edit, {"name": "Kerstvakantie", "starts_on": "2026-12-21", "ends_on": "2027-01-03"})
    assert response.status_code == 302
    noord.refresh_from_db()
    assert noord.starts_on == dt.date(2026, 12, 21)
    assert client.get(reverse("schools:holiday_delete", kwargs={"holiday_id": noord.pk})).status_code == 405
    assert client.post(reverse("schools:holiday_delete", kwargs={"holiday_id": noord.pk})).status_code == 302
    assert not SchoolHoliday.objects.exists()
    assert client.get(edit).status_code == 404


@pytest.mark.parametrize("role", [Role.SCHOOLCOACH, Role.SCHOOLLEIDER, Role.EXPERTCOACH, Role.LERAAR])
def test_nobody_but_the_admin_keeps_the_holidays(client, world, role):
    (noord,) = christmas("noord")
    client.force_login(world.users[role])
    # The holidays are a platform page: to anyone else it does not exist (as the national overview).
    assert client.get(LIST).status_code == 404
    delete = reverse("schools:holiday_delete", kwargs={"holiday_id": noord.pk})
    assert client.post(delete).status_code == 404
    assert SchoolHoliday.objects.filter(pk=noord.pk).exists()


def test_the_national_overview_links_to_the_holidays(client, world):
    client.force_login(world.users[Role.ADMIN])
    assert f'href="{LIST}"' in client.get(reverse("schools:national_overview")).content.decode()


@pytest.mark.pins_queries("schools:holiday_delete")
@pytest.mark.parametrize("size", [0, 1])
def test_the_holiday_writes_take_a_fixed_number_of_queries(client, world, size):
    for year in range(2027, 2027 + 10 * size):
        services.school_holiday_add(
            name="Kerstvakantie",
            regions=HolidayRegion.values,
            starts_on=dt.date(year, 12, 20),
            ends_on=dt.date(year, 12, 31),
        )
    (noord,) = christmas("noord")
    client.force_login(world.users[Role.ADMIN])
    client.get(LIST)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("schools:holiday_delete", kwargs={"holiday_id": noord.pk}))
    assert (response.status_code, len(queries)) == (302, 4)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST + "?jaar=2027")
    assert (response.status_code, len(queries)) == (200, 5)
