"""The menu offers the instruments of the school in the URL, by what the user may open there."""

import re

import pytest

from leerkracht.roles import Role

pytestmark = pytest.mark.django_db

LABELS = ["Borden", "Lesontwerpen", "Lesbezoeken", "Stem van de leerling"]


def menu(response) -> list[str]:
    nav = re.search(rb'<nav class="main-nav".*?</nav>', response.content, re.S).group(0).decode()
    return re.findall(r"<a [^>]*>([^<]+)</a>", nav)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.LERAAR, LABELS),
        (Role.SCHOOLCOACH, LABELS),
        (Role.SCHOOLLEIDER, LABELS),
        # Coaches from outside the school read boards, designs and visits; rounds are a teacher's.
        (Role.EXPERTCOACH, LABELS[:3]),
        (Role.VERANDERCOACH, LABELS[:3]),
        (Role.BESTUURDER, []),
    ],
)
def test_the_menu_offers_the_schools_instruments_by_role(client, world, role, expected):
    client.force_login(world.users[role])
    # A page each of them may open: the team list, or for the bestuurder the school's figures.
    page = "" if role is Role.BESTUURDER else "teams/"
    response = client.get(f"/school/{world.home.pk}/{page}")
    assert response.status_code == 200
    assert [label for label in menu(response) if label in LABELS] == expected


def test_the_menu_marks_the_instrument_of_the_page(client, world):
    client.force_login(world.users[Role.LERAAR])
    response = client.get(f"/school/{world.home.pk}/lesbezoeken/")
    current = re.findall(rb'aria-current="page">([^<]+)<', response.content)
    assert b"Lesbezoeken" in current and b"Lesontwerpen" not in current


def test_the_rhythm_of_all_four_instruments_marks_none_of_them(client, world):
    client.force_login(world.users[Role.SCHOOLCOACH])
    response = client.get(f"/school/{world.home.pk}/ritme/")
    assert response.status_code == 200
    current = {label.decode() for label in re.findall(rb'aria-current="page">([^<]+)<', response.content)}
    assert not current & set(LABELS), "no instrument in the menu is marked as the page"


def test_pages_outside_a_school_offer_no_instruments(client, world):
    client.force_login(world.users[Role.LERAAR])
    response = client.get("/mijn-scholen/")
    assert not set(menu(response)) & set(LABELS)
