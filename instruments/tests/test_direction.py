"""The school's direction, set by its leader: the ambition and the themes of this school year and
the next. The services (each refusal, the happy paths, the edit conflict, a theme gone meanwhile),
the pages and their htmx partials, who may use them, the links that lead there, and the query
counts of every change at two data sizes."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from instruments.models import Ambition, Goal, Theme
from instruments.services import direction as services
from leerkracht import clock
from leerkracht.conflicts import EditConflict
from leerkracht.roles import Role

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
THIS_YEAR = clock.school_year()
NEXT_YEAR = THIS_YEAR + 1
FIRST_DAY, LAST_DAY = clock.school_year_days(THIS_YEAR)
NEXT_FIRST_DAY, NEXT_LAST_DAY = clock.school_year_days(NEXT_YEAR)


@pytest.fixture
def leader(world):
    return world.users[Role.SCHOOLLEIDER]


@pytest.fixture
def school(world):
    return world.home


@pytest.fixture
def theme(world):
    """The home school's theme of this school year (the whole year), from the shared world."""
    return world.instruments[world.home.pk].theme


@pytest.fixture
def leader_client(client, leader):
    client.force_login(leader)
    return client


def page_url(school) -> str:
    return reverse("instruments:school_direction", kwargs={"school_id": school.pk})


def ambition_url(school) -> str:
    return reverse("instruments:school_direction_ambition", kwargs={"school_id": school.pk})


def add_url(school) -> str:
    return reverse("instruments:school_direction_theme_add", kwargs={"school_id": school.pk})


def edit_url(theme) -> str:
    return reverse(
        "instruments:school_direction_theme_edit", kwargs={"school_id": theme.school_id, "theme_id": theme.pk}
    )


def delete_url(theme) -> str:
    return reverse(
        "instruments:school_direction_theme_delete", kwargs={"school_id": theme.school_id, "theme_id": theme.pk}
    )


def add_data(name="Rekenen", year=THIS_YEAR, starts_on=None, ends_on=None) -> dict:
    """The add form as a browser posts it (its fields carry the form's prefix)."""
    first, last = clock.school_year_days(year)
    return {
        "theme-name": name,
        "theme-school_year": str(year),
        "theme-starts_on": (starts_on or first).isoformat(),
        "theme-ends_on": (ends_on or first + dt.timedelta(days=120)).isoformat(),
    }


def edit_data(theme, version, **changes) -> dict:
    data = {
        "name": theme.name,
        "school_year": str(theme.school_year),
        "starts_on": theme.starts_on.isoformat(),
        "ends_on": theme.ends_on.isoformat(),
        "version": str(version),
    }
    return {**data, **{name: str(value) for name, value in changes.items()}}


def add_theme(school, name="Rekenen", year=THIS_YEAR, **days) -> Theme:
    first, _last = clock.school_year_days(year)
    return services.theme_add(
        school_id=school.pk,
        user=None,
        name=name,
        school_year=year,
        starts_on=days.get("starts_on", first),
        ends_on=days.get("ends_on", first + dt.timedelta(days=120)),
    )


def field_errors(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def hidden_version(html: str, name: str = "version") -> int:
    return int(re.search(rf'name="{name}" value="(\d+)"', html).group(1))


def the_box(html: str) -> str:
    boxes = re.findall(r'<div class="alert alert--warning conflict"[^>]*>.*?</dl>', html, re.S)
    assert len(boxes) == 1, f"one conflict box, found {len(boxes)}"
    return boxes[0]


# --- The ambition: the service --------------------------------------------------------------------


def test_ambition_set_writes_the_first_ambition_and_then_each_new_text_as_a_new_version(school, leader):
    first = services.ambition_set(
        school_id=school.pk, user=leader, text="  Elke leerling leest met plezier  ", version=0
    )
    assert (first.text, first.version, first.updated_by) == ("Elke leerling leest met plezier", 1, leader)
    second = services.ambition_set(school_id=school.pk, user=leader, text="Samen beter lezen", version=1)
    assert second.pk == first.pk and (second.text, second.version) == ("Samen beter lezen", 2)
    same = services.ambition_set(school_id=school.pk, user=leader, text="Samen beter lezen", version=2)
    assert same.version == 2, "the same text again writes nothing"
    assert Ambition.objects.filter(school=school).count() == 1


@pytest.mark.parametrize("text", ["", "   \r\n  "])
def test_ambition_set_refuses_an_empty_ambition(school, leader, text):
    with pytest.raises(ValidationError) as excinfo:
        services.ambition_set(school_id=school.pk, user=leader, text=text, version=0)
    assert field_errors(excinfo) == {"text": ["Schrijf de ambitie van de school op."]}
    assert not Ambition.objects.filter(school=school).exists()


def test_ambition_set_refuses_more_than_a_thousand_characters_and_says_how_many(school, leader):
    with pytest.raises(ValidationError) as excinfo:
        services.ambition_set(school_id=school.pk, user=leader, text="a" * 1001, version=0)
    assert field_errors(excinfo) == {
        "text": ["Een ambitie is hoogstens 1000 tekens; deze tekst heeft er 1001. Maak hem korter."]
    }
    assert not Ambition.objects.filter(school=school).exists()


def test_a_line_break_counts_as_one_character_as_the_browser_counts_it(school, leader):
    """A textarea of 1000 characters with line breaks arrives with CR LF (two each): it fits."""
    text = ("a" * 99 + "\r\n") * 10
    assert len(text) == 1000 + 10
    ambition = services.ambition_set(school_id=school.pk, user=leader, text=text, version=0)
    assert len(ambition.text) == 1000 - 1 and "\r" not in ambition.text  # the last break is trimmed


def test_ambition_set_from_an_older_version_with_another_text_is_a_conflict_and_writes_nothing(world, school, leader):
    admin = world.users[Role.ADMIN]
    services.ambition_set(school_id=school.pk, user=admin, text="Van het team: samen lezen", version=0)
    with pytest.raises(EditConflict) as raised:
        services.ambition_set(school_id=school.pk, user=leader, text="Van mij: elke dag lezen", version=0)
    conflict = raised.value
    assert [(f.field, f.theirs, f.yours) for f in conflict.fields] == [
        ("text", "Van het team: samen lezen", "Van mij: elke dag lezen")
    ]
    assert (conflict.version, conflict.saved_by) == (1, admin.full_name) and conflict.saved_at is not None
    assert Ambition.objects.get(school=school).text == "Van het team: samen lezen"
    # The same text from the older version is no conflict: nothing of theirs would be lost.
    same = services.ambition_set(school_id=school.pk, user=leader, text="Van het team: samen lezen", version=0)
    assert same.version == 1


# --- Themes: the services ---------------------------------------------------------------------------


def test_theme_add_adds_a_theme_inside_its_school_year(school, leader):
    theme = services.theme_add(
        school_id=school.pk,
        user=leader,
        name="  Rekenen ",
        school_year=NEXT_YEAR,
        starts_on=NEXT_FIRST_DAY,
        ends_on=NEXT_LAST_DAY,
    )
    assert (theme.name, theme.school_year, theme.version, theme.updated_by) == ("Rekenen", NEXT_YEAR, 1, leader)
    assert (theme.starts_on, theme.ends_on) == (NEXT_FIRST_DAY, NEXT_LAST_DAY), "both ends of the year fit"


@pytest.mark.parametrize("name", ["", "   "])
def test_theme_add_refuses_a_theme_without_a_name(school, leader, name):
    with pytest.raises(ValidationError) as excinfo:
        add_theme(school, name=name, year=NEXT_YEAR)
    assert field_errors(excinfo) == {"name": ["Geef het thema een naam."]}
    assert not Theme.objects.filter(school=school, school_year=NEXT_YEAR).exists()


def test_theme_add_refuses_an_end_before_the_start(school):
    with pytest.raises(ValidationError) as excinfo:
        add_theme(school, year=NEXT_YEAR, starts_on=dt.date(NEXT_YEAR, 10, 1), ends_on=dt.date(NEXT_YEAR, 9, 30))
    assert field_errors(excinfo) == {
        "ends_on": ["De laatste dag ligt vóór de eerste dag. Kies een einddatum op of na de begindatum."]
    }


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "outside"),
    [
        (NEXT_FIRST_DAY - dt.timedelta(days=1), NEXT_FIRST_DAY + dt.timedelta(days=30), ["starts_on"]),
        (NEXT_FIRST_DAY, NEXT_LAST_DAY + dt.timedelta(days=1), ["ends_on"]),
        (dt.date(NEXT_YEAR + 2, 1, 1), dt.date(NEXT_YEAR + 2, 2, 1), ["starts_on", "ends_on"]),
    ],
    ids=["starts the day before", "ends the day after", "another year altogether"],
)
def test_theme_add_refuses_a_period_outside_the_chosen_school_year(school, starts_on, ends_on, outside):
    with pytest.raises(ValidationError) as excinfo:
        add_theme(school, year=NEXT_YEAR, starts_on=starts_on, ends_on=ends_on)
    label = clock.school_year_label(NEXT_YEAR)
    message = f"Kies een dag in schooljaar {label}: van 1 augustus {NEXT_YEAR} tot en met 31 juli {NEXT_YEAR + 1}."
    assert field_errors(excinfo) == dict.fromkeys(outside, [message])


def test_theme_add_refuses_a_third_theme_in_a_school_year_but_the_next_year_has_room(school, theme):
    add_theme(school, name="Rekenen")  # the world's theme is the first of this year
    with pytest.raises(ValidationError) as excinfo:
        add_theme(school, name="Burgerschap")
    assert list(field_errors(excinfo)) == ["school_year"]
    assert "hoogstens twee thema's per schooljaar" in field_errors(excinfo)["school_year"][0]
    assert Theme.objects.filter(school=school, school_year=THIS_YEAR).count() == 2
    assert add_theme(school, name="Burgerschap", year=NEXT_YEAR).school_year == NEXT_YEAR


def test_the_admin_asks_the_same_rule_of_the_model(school, theme):
    """The rule of two is written once, in `Theme.clean`: the Django admin's form asks it too."""
    add_theme(school, name="Rekenen")
    third = Theme(school=school, name="Burgerschap", school_year=THIS_YEAR, starts_on=FIRST_DAY, ends_on=LAST_DAY)
    with pytest.raises(ValidationError, match="hoogstens twee"):
        third.full_clean()


def test_theme_update_writes_a_new_version_and_may_move_to_the_other_year(school, leader, theme):
    saved = services.theme_update(
        theme=theme,
        user=leader,
        version=1,
        name="Technisch lezen",
        school_year=NEXT_YEAR,
        starts_on=NEXT_FIRST_DAY,
        ends_on=NEXT_FIRST_DAY + dt.timedelta(days=60),
    )
    stored = Theme.objects.get(pk=theme.pk)
    assert (stored.name, stored.school_year, stored.version, stored.updated_by) == (
        "Technisch lezen",
        NEXT_YEAR,
        2,
        leader,
    )
    assert saved.version == 2


def test_theme_update_keeps_its_own_place_in_a_full_year_and_refuses_a_move_into_one(school, leader, theme):
    add_theme(school, name="Rekenen")
    kept = services.theme_update(
        theme=theme, user=leader, version=1, name="Lezen", school_year=THIS_YEAR, starts_on=FIRST_DAY, ends_on=LAST_DAY
    )
    assert kept.name == "Lezen", "a theme is not counted against itself"
    other = add_theme(school, name="Burgerschap", year=NEXT_YEAR)
    add_theme(school, name="Muziek", year=NEXT_YEAR)
    with pytest.raises(ValidationError) as excinfo:
        services.theme_update(
            theme=other,
            user=leader,
            version=1,
            name="Burgerschap",
            school_year=THIS_YEAR,
            starts_on=FIRST_DAY,
            ends_on=LAST_DAY,
        )
    assert "hoogstens twee" in field_errors(excinfo)["school_year"][0]
    assert Theme.objects.get(pk=other.pk).school_year == NEXT_YEAR


def test_theme_update_refuses_what_theme_add_refuses(school, leader, theme):
    with pytest.raises(ValidationError) as excinfo:
        services.theme_update(
            theme=theme,
            user=leader,
            version=1,
            name=" ",
            school_year=THIS_YEAR,
            starts_on=LAST_DAY,
            ends_on=FIRST_DAY,
        )
    assert list(field_errors(excinfo)) == ["name"]
    with pytest.raises(ValidationError) as excinfo:
        services.theme_update(
            theme=theme,
            user=leader,
            version=1,
            name="Lezen",
            school_year=THIS_YEAR,
            starts_on=LAST_DAY,
            ends_on=FIRST_DAY,
        )
    assert list(field_errors(excinfo)) == ["ends_on"]
    assert Theme.objects.get(pk=theme.pk).name == "Begrijpend lezen"


def test_theme_update_from_an_older_version_with_other_values_is_a_conflict(world, school, leader, theme):
    admin = world.users[Role.ADMIN]
    services.theme_update(
        theme=theme, user=admin, version=1, name="Rekenen", school_year=THIS_YEAR, starts_on=FIRST_DAY, ends_on=LAST_DAY
    )
    with pytest.raises(EditConflict) as raised:
        services.theme_update(
            theme=theme,
            user=leader,
            version=1,
            name="Lezen",
            school_year=THIS_YEAR,
            starts_on=FIRST_DAY,
            ends_on=dt.date(THIS_YEAR, 12, 20),
        )
    conflict = raised.value
    assert [(f.field, f.theirs, f.yours) for f in conflict.fields] == [
        ("name", "Rekenen", "Lezen"),
        ("ends_on", f"31 juli {THIS_YEAR + 1}", f"20 december {THIS_YEAR}"),
    ]
    assert (conflict.version, conflict.saved_by) == (2, admin.full_name)
    assert Theme.objects.get(pk=theme.pk).name == "Rekenen", "nothing was written"


def test_theme_update_and_delete_of_a_deleted_theme_say_it_is_gone(school, leader, theme):
    services.theme_delete(theme=theme)
    with pytest.raises(Theme.DoesNotExist):
        services.theme_update(
            theme=theme,
            user=leader,
            version=1,
            name="Lezen",
            school_year=THIS_YEAR,
            starts_on=FIRST_DAY,
            ends_on=LAST_DAY,
        )
    with pytest.raises(Theme.DoesNotExist):
        services.theme_delete(theme=theme)


def test_theme_delete_leaves_its_goals_on_their_boards_without_a_theme(world, school, theme):
    from instruments.services.board import goal_create

    board = world.boards[school.pk].board
    goal = goal_create(board=board, user=world.users[Role.LERAAR], big_goal="Beter begrijpend lezen", theme=theme)
    services.theme_delete(theme=theme)
    assert not Theme.objects.filter(pk=theme.pk).exists()
    assert Goal.objects.get(pk=goal.pk).theme_id is None


# --- Who may use the page ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.SCHOOLLEIDER, Role.ADMIN])
def test_the_leader_and_the_admin_open_the_page(client, world, school, theme, role):
    client.force_login(world.users[role])
    response = client.get(page_url(school))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="ambition"' in html and 'id="themes"' in html
    assert theme.name in html
    assert f"Schooljaar {clock.school_year_label(THIS_YEAR)}" in html
    assert f"Schooljaar {clock.school_year_label(NEXT_YEAR)}" in html


@pytest.mark.parametrize("role", [Role.SCHOOLCOACH, Role.LERAAR, Role.EXPERTCOACH, Role.VERANDERCOACH])
def test_other_roles_in_the_school_are_refused_every_route_with_403(client, world, school, theme, role):
    """A schoolcoach and a teacher of the home school (and the coaches who see it) may not set its
    direction: 403 on every route, reading or writing."""
    client.force_login(world.users[role])
    for url in (page_url(school), edit_url(theme), delete_url(theme)):
        assert client.get(url).status_code == 403, url
    for url in (ambition_url(school), add_url(school), edit_url(theme), delete_url(theme)):
        assert client.post(url, {}).status_code == 403, url
    assert Theme.objects.filter(pk=theme.pk).exists()


def test_the_leader_asking_another_schools_page_gets_404(leader_client, world):
    other = world.schools[1]  # same bestuur, not the leader's school
    foreign_theme = world.instruments[world.foreign.pk].theme
    for school in (other, world.foreign):
        assert leader_client.get(page_url(school)).status_code == 404
        assert leader_client.post(ambition_url(school), {"text": "x", "version": 0}).status_code == 404
    assert leader_client.get(edit_url(foreign_theme)).status_code == 404
    assert not Ambition.objects.filter(school__in=[other, world.foreign]).exists()


def test_another_schools_theme_through_the_own_schools_url_is_404_and_untouched(leader_client, world, school):
    foreign_theme = world.instruments[world.foreign.pk].theme
    url = reverse(
        "instruments:school_direction_theme_delete", kwargs={"school_id": school.pk, "theme_id": foreign_theme.pk}
    )
    for headers in ({}, HTMX):
        assert leader_client.post(url, **headers).status_code == 404
    assert Theme.objects.filter(pk=foreign_theme.pk).exists()


# --- The ambition on the page ------------------------------------------------------------------------


def test_saving_the_ambition_without_javascript_redirects_to_the_page_with_a_notice(leader_client, school):
    response = leader_client.post(ambition_url(school), {"text": "Elke leerling leest met plezier", "version": 0})
    assert response.status_code == 302 and response["Location"] == page_url(school) + "#ambition"
    assert Ambition.objects.get(school=school).text == "Elke leerling leest met plezier"
    page = leader_client.get(response["Location"]).content.decode()
    assert "De ambitie is opgeslagen." in page
    assert hidden_version(page) == 1, "the next save starts from the stored version"


def test_saving_the_ambition_with_htmx_answers_its_section(leader_client, school):
    response = leader_client.post(ambition_url(school), {"text": "Samen beter lezen", "version": 0}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert html.strip().startswith('<section id="ambition"')
    assert "De ambitie is opgeslagen." in html and 'role="status"' in html
    assert hidden_version(html) == 1 and "Samen beter lezen</textarea>" in html


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain form"])
def test_a_too_long_ambition_is_refused_in_dutch_and_keeps_what_was_typed(leader_client, school, htmx):
    typed = "Lezen " * 200  # 1200 characters
    response = leader_client.post(ambition_url(school), {"text": typed, "version": 0}, **(HTMX if htmx else {}))
    html = htmllib.unescape(response.content.decode())
    assert response.status_code == 422
    assert "Een ambitie is hoogstens 1000 tekens; deze tekst heeft er 1199. Maak hem korter." in html
    assert "data-error-summary" in html and 'aria-invalid="true"' in html
    assert typed.strip() in html, "the textarea keeps what was typed"
    assert ("<html" in html) is not htmx
    assert not Ambition.objects.filter(school=school).exists()


def test_an_empty_ambition_is_refused_with_its_message(leader_client, school):
    response = leader_client.post(ambition_url(school), {"text": "  ", "version": 0}, **HTMX)
    assert response.status_code == 422
    assert "Schrijf de ambitie van de school op." in response.content.decode()


def test_an_ambition_form_without_its_version_is_refused_at_the_top(leader_client, school):
    response = leader_client.post(ambition_url(school), {"text": "Samen lezen"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 422 and "Dit formulier is onvolledig verstuurd." in html
    assert "Samen lezen</textarea>" in html
    assert not Ambition.objects.filter(school=school).exists()


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain form"])
def test_two_people_editing_the_ambition_the_second_gets_the_conflict_and_both_texts_survive(
    world, school, leader, htmx
):
    """The leader and the admin open the page (no ambition yet: version 0); the admin saves
    first. The leader's save writes nothing and answers 409 with the shared box: the admin's text,
    who saved it, and the leader's own, which the form keeps; saving that form again wins."""
    admin = world.users[Role.ADMIN]
    first, second = Client(), Client()
    first.force_login(admin)
    second.force_login(leader)
    opened = [hidden_version(tab.get(page_url(school)).content.decode()) for tab in (first, second)]
    assert opened == [0, 0]
    theirs, yours = "Van de beheerder: samen lezen", "Van de schoolleider: elke dag lezen"
    assert first.post(ambition_url(school), {"text": theirs, "version": opened[0]}, **HTMX).status_code == 200

    headers = HTMX if htmx else {}
    response = second.post(ambition_url(school), {"text": yours, "version": opened[1]}, **headers)
    html = response.content.decode()
    assert response.status_code == 409
    box = the_box(html)
    assert "Iemand anders heeft de ambitie intussen opgeslagen" in box
    assert f'<q class="conflict__theirs">{theirs}</q>' in box and f'<q class="conflict__yours">{yours}</q>' in box
    assert f"Opgeslagen door {escape(admin.full_name)}" in box
    assert f"{yours}</textarea>" in html, "the form keeps what the leader typed"
    assert html.count("data-conflict") == 1, "the box sits in the ambition's form only"
    assert ("<html" in html) is not htmx
    assert Ambition.objects.get(school=school).text == theirs, "nothing was written"

    again = second.post(ambition_url(school), {"text": yours, "version": hidden_version(html)}, **headers)
    assert again.status_code == (200 if htmx else 302)
    assert Ambition.objects.get(school=school).text == yours


# --- Themes on the page ------------------------------------------------------------------------------


def test_adding_a_theme_with_htmx_answers_the_themes_with_it(leader_client, school):
    response = leader_client.post(add_url(school), add_data(name="Rekenen", year=NEXT_YEAR), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert html.strip().startswith('<section id="themes"')
    assert "Het thema ‘Rekenen’ is toegevoegd." in html
    added = Theme.objects.get(school=school, name="Rekenen")
    assert f'id="theme-{added.pk}"' in html
    assert 'name="theme-name" autocomplete="off"' in html and 'value="Rekenen"' not in html, "a fresh add form"


def test_adding_a_theme_without_javascript_redirects_to_the_themes(leader_client, school):
    response = leader_client.post(add_url(school), add_data(name="Rekenen", year=NEXT_YEAR))
    assert response.status_code == 302 and response["Location"] == page_url(school) + "#themes"
    assert Theme.objects.filter(school=school, name="Rekenen").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (add_data(name="  "), "Geef het thema een naam."),
        (
            add_data(starts_on=dt.date(THIS_YEAR, 11, 1), ends_on=dt.date(THIS_YEAR, 10, 1)),
            "De laatste dag ligt vóór de eerste dag.",
        ),
        (
            add_data(year=NEXT_YEAR, starts_on=dt.date(THIS_YEAR, 11, 1)),
            f"Kies een dag in schooljaar {clock.school_year_label(NEXT_YEAR)}",
        ),
        (add_data(starts_on=dt.date(2101, 1, 1)), "Kies een datum tussen 2000 en 2100."),
        ({**add_data(), "theme-school_year": "1999"}, "Kies een van de schooljaren uit de lijst."),
    ],
    ids=["empty name", "end before start", "outside the school year", "far future", "another school year"],
)
@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain form"])
def test_a_refused_theme_says_why_in_dutch_and_keeps_what_was_typed(leader_client, school, data, message, htmx):
    response = leader_client.post(add_url(school), data, **(HTMX if htmx else {}))
    html = htmllib.unescape(response.content.decode())
    assert response.status_code == 422
    assert message in html and "data-error-summary" in html
    for name in ("theme-starts_on", "theme-ends_on"):
        assert f'name="{name}" value="{data[name]}"' in html, f"{name} keeps what was typed"
    if data["theme-name"].strip():
        assert f'value="{data["theme-name"]}"' in html
    assert ("<html" in html) is not htmx
    assert Theme.objects.filter(school=school).count() == 1, "only the world's theme"


def test_a_third_theme_in_a_school_year_is_refused_on_the_form(leader_client, school, theme):
    add_theme(school, name="Rekenen")
    response = leader_client.post(add_url(school), add_data(name="Burgerschap"), **HTMX)
    html = htmllib.unescape(response.content.decode())
    assert response.status_code == 422
    assert "heeft al twee thema's: een school werkt aan hoogstens twee thema's per schooljaar" in html
    assert 'value="Burgerschap"' in html
    assert not Theme.objects.filter(name="Burgerschap").exists()


def test_when_both_years_are_full_the_page_says_so_instead_of_offering_the_form(leader_client, school, theme):
    add_theme(school, name="Rekenen")
    add_theme(school, name="Burgerschap", year=NEXT_YEAR)
    add_theme(school, name="Muziek", year=NEXT_YEAR)
    html = leader_client.get(page_url(school)).content.decode()
    assert "Beide schooljaren hebben al twee thema's." in html
    assert 'name="theme-name"' not in html


def test_a_themes_edit_form_takes_its_place_with_htmx_and_opens_in_the_page_without(leader_client, theme):
    fragment = leader_client.get(edit_url(theme), **HTMX)
    html = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in html
    assert html.strip().startswith(f'<li id="theme-{theme.pk}"')
    assert f'id="theme-{theme.pk}-name"' in html and 'value="Begrijpend lezen"' in html
    assert hidden_version(html) == 1
    page = leader_client.get(edit_url(theme))
    html = page.content.decode()
    assert page.status_code == 200 and "<html" in html
    assert f'action="{edit_url(theme)}"' in html and 'id="ambition"' in html


def test_saving_a_theme_with_htmx_answers_the_themes_with_its_new_name(leader_client, theme):
    response = leader_client.post(edit_url(theme), edit_data(theme, 1, name="Rekenen"), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and html.strip().startswith('<section id="themes"')
    assert "Het thema ‘Rekenen’ is opgeslagen." in html
    assert Theme.objects.get(pk=theme.pk).name == "Rekenen"
    plain = leader_client.post(edit_url(theme), edit_data(theme, 2, name="Lezen"))
    assert plain.status_code == 302 and Theme.objects.get(pk=theme.pk).name == "Lezen"


def test_a_refused_theme_edit_keeps_what_was_typed_in_its_own_form(leader_client, theme):
    data = edit_data(theme, 1, name="Lezen", ends_on=dt.date(THIS_YEAR, 8, 1), starts_on=dt.date(THIS_YEAR, 9, 1))
    response = leader_client.post(edit_url(theme), data, **HTMX)
    html = htmllib.unescape(response.content.decode())
    assert response.status_code == 422
    assert "De laatste dag ligt vóór de eerste dag." in html
    assert f'id="theme-{theme.pk}-name"' in html and 'value="Lezen"' in html
    assert Theme.objects.get(pk=theme.pk).name == "Begrijpend lezen"


def test_a_stale_theme_edit_answers_409_with_both_versions_in_its_form(world, leader_client, theme):
    admin = world.users[Role.ADMIN]
    services.theme_update(
        theme=theme, user=admin, version=1, name="Rekenen", school_year=THIS_YEAR, starts_on=FIRST_DAY, ends_on=LAST_DAY
    )
    response = leader_client.post(edit_url(theme), edit_data(theme, 1, name="Lezen"), **HTMX)
    html = response.content.decode()
    assert response.status_code == 409
    box = the_box(html)
    assert "Iemand anders heeft dit thema intussen veranderd" in box
    assert '<q class="conflict__theirs">Rekenen</q>' in box and '<q class="conflict__yours">Lezen</q>' in box
    assert f'<a href="#theme-{theme.pk}-name">' in box, "the field's name links to its input"
    assert f'id="theme-{theme.pk}-name"' in html and 'value="Lezen"' in html
    assert hidden_version(html) == 2
    assert Theme.objects.get(pk=theme.pk).name == "Rekenen"
    again = leader_client.post(edit_url(theme), edit_data(theme, 2, name="Lezen"), **HTMX)
    assert again.status_code == 200 and Theme.objects.get(pk=theme.pk).name == "Lezen"


def test_deleting_asks_first_then_deletes(leader_client, school, theme):
    question = leader_client.get(delete_url(theme), **HTMX)
    html = question.content.decode()
    assert question.status_code == 200 and html.strip().startswith(f'<li id="theme-{theme.pk}"')
    assert "Thema ‘Begrijpend lezen’ verwijderen?" in html and f'action="{delete_url(theme)}"' in html
    assert Theme.objects.filter(pk=theme.pk).exists(), "asking deletes nothing"
    page = leader_client.get(delete_url(theme))
    assert page.status_code == 200 and "Thema ‘Begrijpend lezen’ verwijderen?" in page.content.decode()

    response = leader_client.post(delete_url(theme), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and html.strip().startswith('<section id="themes"')
    assert "Het thema ‘Begrijpend lezen’ is verwijderd." in html and f'id="theme-{theme.pk}"' not in html
    assert not Theme.objects.filter(pk=theme.pk).exists()


def test_deleting_without_javascript_redirects_to_the_themes(leader_client, school, theme):
    response = leader_client.post(delete_url(theme))
    assert response.status_code == 302 and response["Location"] == page_url(school) + "#themes"
    assert not Theme.objects.filter(pk=theme.pk).exists()


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain form"])
def test_a_theme_deleted_in_another_tab_says_it_is_gone_and_keeps_what_was_typed(leader_client, theme, htmx):
    """The first tab deletes the theme; the second saves its edit form. Nothing is written, and
    the answer (404, as for any missing theme) says the theme no longer exists, with what was
    typed waiting in the form that adds a theme; htmx swaps it over the themes."""
    opened = hidden_version(leader_client.get(edit_url(theme), **HTMX).content.decode())
    services.theme_delete(theme=theme)
    headers = HTMX if htmx else {}
    response = leader_client.post(edit_url(theme), edit_data(theme, opened, name="Technisch lezen"), **headers)
    html = htmllib.unescape(response.content.decode())
    assert response.status_code == 404 and response["X-Gone"] == "1"
    assert "Dit thema bestaat niet meer" in html and "Iemand anders heeft het intussen verwijderd." in html
    assert 'name="theme-name" value="Technisch lezen"' in html, "what was typed waits in the add form"
    if htmx:
        assert response["HX-Retarget"] == "#themes" and response["HX-Reswap"] == "outerHTML"
        assert html.strip().startswith('<section id="themes"')
    else:
        assert "<html" in html and 'class="skip-link"' in html
    assert not Theme.objects.filter(name="Technisch lezen").exists()
    again = leader_client.post(delete_url(theme), **headers)
    assert again.status_code == 404 and "Dit thema bestaat niet meer" in again.content.decode()


# --- Links that lead here ----------------------------------------------------------------------------


def test_the_school_overview_links_here_for_the_leader_only(client, world, school):
    link = f'href="{page_url(school)}"'
    client.force_login(world.users[Role.SCHOOLLEIDER])
    assert link in client.get(f"/school/{school.pk}/").content.decode()
    for role in (Role.SCHOOLCOACH, Role.EXPERTCOACH):
        client.force_login(world.users[role])
        assert link not in client.get(f"/school/{school.pk}/").content.decode()


def test_the_board_links_here_where_it_shows_the_direction_for_the_leader_only(client, world, school, theme):
    board = world.boards[school.pk].board
    url = f"/school/{school.pk}/borden/{board.pk}/"
    client.force_login(world.users[Role.SCHOOLLEIDER])
    html = client.get(url).content.decode()
    assert "Ambitie en thema's aanpassen" in html and f'href="{page_url(school)}"' in html
    assert "Thema: Begrijpend lezen" in html
    for role in (Role.LERAAR, Role.SCHOOLCOACH):
        client.force_login(world.users[role])
        assert f'href="{page_url(school)}"' not in client.get(url).content.decode()


def test_a_renamed_theme_shows_its_new_name_on_the_goals_of_the_board(client, world, school, theme, leader):
    """A goal's card is cached by what it shows: the name of its theme is part of that."""
    from instruments.services.board import goal_create

    board = world.boards[school.pk].board
    goal_create(board=board, user=world.users[Role.LERAAR], big_goal="Beter begrijpend lezen", theme=theme)
    client.force_login(world.users[Role.LERAAR])
    url = f"/school/{school.pk}/borden/{board.pk}/"
    assert '<span class="badge badge--theme">Begrijpend lezen</span>' in client.get(url).content.decode()
    services.theme_update(
        theme=theme,
        user=leader,
        version=1,
        name="Leesbegrip",
        school_year=THIS_YEAR,
        starts_on=FIRST_DAY,
        ends_on=LAST_DAY,
    )
    html = client.get(url).content.decode()
    assert '<span class="badge badge--theme">Leesbegrip</span>' in html
    assert '<span class="badge badge--theme">Begrijpend lezen</span>' not in html


# --- Query counts: the same at two data sizes -----------------------------------------------------------


# The leader's requests, each at both data sizes: the page and the two theme forms; then each
# change. Every one starts with four: the session, the user, their access, the school in the URL.
PAGE_QUERIES = 7  # + the menu's schools, the ambition, the themes
EDIT_FORM_QUERIES = 5  # + the theme
DELETE_FORM_QUERIES = 5  # + the theme
AMBITION_SAVE_QUERIES = 11  # + savepoint, lock, ambition, write, release; the section's ambition, the
# school's leavers (to name who saved it)
AMBITION_REDIRECT_QUERIES = 9  # the same without drawing the section
THEME_ADD_QUERIES = 10  # + savepoint, lock, the rule's count, insert, release; the themes
THEME_REFUSED_QUERIES = 5  # refused by the form: + the themes
THEME_SAVE_QUERIES = 12  # + the theme; savepoint, lock, theme, count, update, release; the themes
THEME_DELETE_QUERIES = 12  # + the theme; savepoint, lock, theme, its goals unlinked, delete, release; the themes


@pytest.fixture
def counted(leader_client, django_assert_num_queries):
    """Count the queries of one request of the leader's (the caches cold, as for a first visit)."""
    from django.core.cache import caches

    def count(expected: int, method: str, url: str, data=None, **headers):
        for cache in caches.all():
            cache.clear()
        with django_assert_num_queries(expected):
            response = getattr(leader_client, method)(url, data or {}, **headers)
        return response

    return count


def _no_themes(school):
    Theme.objects.filter(school=school).delete()


def _two_themes(school):
    add_theme(school, name="Rekenen", year=NEXT_YEAR)


@pytest.mark.parametrize("setup", [_no_themes, _two_themes], ids=["no themes", "two themes"])
def test_the_page_and_its_theme_forms_cost_a_fixed_number_of_queries(counted, school, theme, setup):
    setup(school)
    assert counted(PAGE_QUERIES, "get", page_url(school)).status_code == 200
    if setup is _two_themes:
        assert counted(EDIT_FORM_QUERIES, "get", edit_url(theme), **HTMX).status_code == 200
        assert counted(DELETE_FORM_QUERIES, "get", delete_url(theme), **HTMX).status_code == 200


@pytest.mark.pins_queries("instruments:school_direction_ambition")
@pytest.mark.parametrize("setup", [_no_themes, _two_themes], ids=["no themes", "two themes"])
def test_saving_the_ambition_costs_a_fixed_number_of_queries(counted, school, setup):
    setup(school)
    response = counted(
        AMBITION_SAVE_QUERIES, "post", ambition_url(school), {"text": "Samen lezen", "version": 0}, **HTMX
    )
    assert response.status_code == 200
    plain = counted(AMBITION_REDIRECT_QUERIES, "post", ambition_url(school), {"text": "Samen", "version": 1})
    assert plain.status_code == 302


@pytest.mark.pins_queries("instruments:school_direction_theme_add")
@pytest.mark.parametrize("setup", [_no_themes, _two_themes], ids=["no themes", "two themes"])
def test_adding_a_theme_costs_a_fixed_number_of_queries(counted, school, setup):
    setup(school)
    response = counted(THEME_ADD_QUERIES, "post", add_url(school), add_data(name="Muziek", year=NEXT_YEAR), **HTMX)
    assert response.status_code == 200
    refused = counted(THEME_REFUSED_QUERIES, "post", add_url(school), add_data(name=""), **HTMX)
    assert refused.status_code == 422


@pytest.mark.parametrize("setup", [_no_themes, _two_themes], ids=["no themes", "two themes"])
def test_saving_and_deleting_a_theme_cost_a_fixed_number_of_queries(counted, school, setup):
    setup(school)
    theme = add_theme(school, name="Muziek", year=NEXT_YEAR, ends_on=NEXT_FIRST_DAY + dt.timedelta(days=10))
    saved = counted(THEME_SAVE_QUERIES, "post", edit_url(theme), edit_data(theme, 1, name="Dans"), **HTMX)
    assert saved.status_code == 200
    deleted = counted(THEME_DELETE_QUERIES, "post", delete_url(theme), **HTMX)
    assert deleted.status_code == 200
