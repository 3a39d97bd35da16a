"""What a browser or a proxy may keep. Pages with personal or school data are kept by no cache at
all (`private, no-store`): on a shared school computer the back button after logging out, or the
browser's disk, must not show them again. Static files keep WhiteNoise's own caching. A view that
chose its own (the board's polled presentation, charts, QR codes, the calendar feed) keeps it,
and it is always `private`."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from leerkracht.roles import Role

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}

# Routes whose views set their own Cache-Control, with why (see each view).
OWN_CACHING = {
    "presentatie/inhoud/": "polled with the ETag presentation.js keeps: 304 while nothing changed",
    "/grafiek.svg": "a goal's chart, with its version in the URL",
    "/grafiek/": "the barometer's result charts",
    "/qr.svg": "the QR code of a round's short address",
    ".ics": "the calendar feed, read by calendar apps",
}


def directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def test_a_logged_in_page_and_its_htmx_partial_are_private_and_not_stored(client, world):
    client.force_login(world.users[Role.SCHOOLCOACH])
    for headers in ({}, HTMX):
        response = client.get(f"/school/{world.home.pk}/teams/", **headers)
        assert response.status_code == 200
        assert directives(response) == {"private", "no-store"}, headers


def test_the_board_page_and_the_presentation_page_are_not_stored(client, world):
    board = world.boards[world.home.pk].board
    client.force_login(world.users[Role.LERAAR])
    for path in ("", "presentatie/"):
        response = client.get(f"/school/{board.school_id}/borden/{board.pk}/{path}")
        assert response.status_code == 200
        assert directives(response) == {"private", "no-store"}, path


def test_error_pages_and_the_redirect_to_login_are_not_stored(client, world):
    assert directives(client.get(f"/school/{world.home.pk}/teams/")) == {"private", "no-store"}, "to the login"
    assert directives(client.get("/inloggen/")) >= {"private", "no-store"}, "Django's never_cache, kept"
    client.force_login(world.users[Role.LERAAR])
    response = client.get(f"/school/{world.foreign.pk}/teams/")
    assert response.status_code == 404
    assert directives(response) == {"private", "no-store"}


def test_pupil_and_barometer_answer_pages_are_not_stored(client, world):
    """Anonymous, but personal: a pupil's answer or a person's questionnaire on a shared device."""
    code = world.instruments[world.home.pk].feedback_round.code
    for path in ("/stem/", f"/stem/{code}/", "/barometer/antwoorden/onbekend/"):
        response = client.get(path)
        assert "no-store" in directives(response) and "private" in directives(response), path


def test_the_board_presentation_still_gets_its_304_and_keeps_its_own_caching(client, world):
    """presentation.js asks with the ETag it holds (its fetch bypasses the browser's cache), and the
    view answers 304 while the board is unchanged: the view's own `private, no-cache` stays."""
    board = world.boards[world.home.pk].board
    url = f"/school/{board.school_id}/borden/{board.pk}/presentatie/inhoud/"
    client.force_login(world.users[Role.LERAAR])
    first = client.get(url, **HTMX)
    assert first.status_code == 200 and first["ETag"]
    assert directives(first) == {"private", "no-cache"}
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"], **HTMX)
    assert again.status_code == 304 and again.content == b""
    assert directives(again) == {"private", "no-cache"}


@override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True)
def test_a_static_file_keeps_whitenoises_caching():
    """WhiteNoise answers before our middleware runs: its header is left as it is (public, with a
    max-age; in production the hashed names are cached for good)."""
    response = Client().get("/static/js/presentation.js")
    assert response.status_code == 200
    assert "no-store" not in directives(response) and "private" not in directives(response)
    assert "public" in directives(response)
    assert any(d.startswith("max-age=") for d in directives(response))


def test_every_route_is_private_and_only_the_named_ones_may_be_kept(client, world):
    """Walk the URLconf as teacher, schoolcoach and no one, as page and as htmx partial: every
    answer is `private`, and `no-store` unless the route is one that chose its own caching."""
    from leerkracht.tests.test_url_sweep import fill, home_ids, our_routes

    ids = home_ids(world)
    checked, problems = 0, []
    for person in (None, world.users[Role.LERAAR], world.users[Role.SCHOOLCOACH]):
        client.logout()
        if person is not None:
            client.force_login(person)
        for route, _callback, _namespaces in our_routes():
            if "logout" in route or "uitloggen" in route:
                continue
            url = fill(route, ids)
            for headers in ({}, HTMX):
                response = client.get(url, **headers)
                checked += 1
                found = directives(response)
                own = any(part in url for part in OWN_CACHING) and response.status_code in (200, 304)
                if "private" not in found or ("no-store" not in found and not own):
                    problems.append(f"{url} {headers} as {person}: {response.status_code} {sorted(found)}")
    assert problems == []
    assert checked > 300, f"only {checked} answers: the walk is not reaching the routes"
