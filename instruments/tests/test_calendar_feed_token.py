"""The private calendar feed's secret is stored as its SHA-256 digest only: the database holds no
working feed address, the owner sees the address once (when it is made or renewed), and the
migration that turned stored tokens into digests keeps subscribed feeds working."""

from __future__ import annotations

import hashlib
import importlib
import re

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client

from instruments.models import CalendarFeed
from instruments.tests.factories import member
from instruments.tests.test_lesson_visit import at, schedule
from leerkracht.roles import Role
from leerkracht.tests.test_security import inline_code

pytestmark = pytest.mark.django_db

FEED_PAGE = "/mijn/agenda/"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def jan(world):
    return member(world.home_team, first_name="Jan", last_name="de Vries")


def shown_token(html: str) -> str:
    return re.search(r"https?://testserver/agenda/([A-Za-z0-9_-]+)\.ics", html).group(1)


def stored_values() -> list[str]:
    """Every value of every column of every feed row, as text (read past the model: raw SQL)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM instruments_calendarfeed")
        return [str(value) for row in cursor.fetchall() for value in row if value is not None]


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_the_database_holds_no_working_feed_address(client, world, jan, headers):
    schedule(by=world.users[Role.SCHOOLCOACH], visitor=jan, visited=world.users[Role.LERAAR], starts_at=at(7))
    client.force_login(jan)
    made = client.post(FEED_PAGE + "maken/", **headers)
    assert made.status_code == 200
    token = shown_token(made.content.decode())
    assert Client().get(f"/agenda/{token}.ics").status_code == 200
    values = stored_values()
    assert values and not [value for value in values if token in value]
    assert hashlib.sha256(token.encode()).hexdigest() in values
    for value in values:  # nothing the database holds opens a feed
        if re.fullmatch(r"[A-Za-z0-9_-]+", value):
            assert Client().get(f"/agenda/{value}.ics").status_code == 404, value


def test_the_address_is_shown_once_and_afterwards_the_page_offers_to_renew_it(client, jan):
    client.force_login(jan)
    made = client.post(FEED_PAGE + "maken/", **HTMX)
    html = made.content.decode()
    token = shown_token(html)
    assert "no-store" in made["Cache-Control"]
    assert f"webcal://testserver/agenda/{token}.ics" in html
    assert re.search(r'role="status"[^>]*>[^<]*Kopieer het adres nu', html)
    later = client.get(FEED_PAGE)
    page = later.content.decode()
    assert token not in page
    assert not re.search(r"/agenda/[^/\"]+\.ics", page), "no feed address at all"
    assert "Je hebt een agenda-adres" in page
    renew = r'<form method="post" action="/mijn/agenda/vernieuwen/"[^>]*>\s*<input [^>]*>\s*<button type="submit"[^>]*>'
    assert re.search(renew + "Nieuw adres maken</button>", page)
    assert re.search(r'<form method="post" action="/mijn/agenda/intrekken/"', page)
    assert inline_code(page) == []
    # Renewing shows the new address once; the old one stops.
    renewed = client.post(FEED_PAGE + "vernieuwen/").content.decode()
    new = shown_token(renewed)
    assert new != token and "Je nieuwe agenda-adres staat hieronder" in renewed
    assert Client().get(f"/agenda/{token}.ics").status_code == 404
    assert Client().get(f"/agenda/{new}.ics").status_code == 200
    # Making it again while one is live shows no address: the live one stays, unseen.
    again = client.post(FEED_PAGE + "maken/", **HTMX).content.decode()
    assert not re.search(r"/agenda/[^/\"]+\.ics", again) and "Je hebt een agenda-adres" in again


def test_the_migration_turns_a_stored_token_into_its_digest_and_the_subscribed_feed_keeps_working(jan):
    """A feed made before the change held its token in plain: the column (renamed) still holds it
    when the data step runs. After it, the column holds the digest and the old address works;
    running the step twice changes nothing."""
    migration = importlib.import_module("instruments.migrations.0006_calendar_feed_token_digest")
    old = "Oud-adres_al-in-agenda-apps_" + "x" * 15
    feed = CalendarFeed.objects.create(user=jan, token_digest="placeholder")
    CalendarFeed.objects.filter(pk=feed.pk).update(token_digest=old)
    migration.feed_tokens_to_digests(apps, None)
    feed.refresh_from_db()
    assert feed.token_digest == hashlib.sha256(old.encode()).hexdigest()
    assert Client().get(f"/agenda/{old}.ics").status_code == 200
    migration.feed_tokens_to_digests(apps, None)
    assert CalendarFeed.objects.get(pk=feed.pk).token_digest == hashlib.sha256(old.encode()).hexdigest()
    assert Client().get(f"/agenda/{old}.ics").status_code == 200
