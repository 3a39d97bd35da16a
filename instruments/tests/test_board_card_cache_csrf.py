"""The board's card cache stores cards with a placeholder where the CSRF token goes and puts the
viewer's token in on the way out. A card's own text must never be able to ask for that token:
whatever a teacher types, it is shown as typed, and the token appears only where the template
put it (the forms' hidden inputs and the htmx header on <body>)."""

from __future__ import annotations

import re

import pytest
from django.utils.html import escape

from instruments.services import board as services
from instruments.templatetags import instruments as tags
from leerkracht.roles import Role

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
OLD_PLACEHOLDER = "csrf-placeholder-8c0e2f4a"  # the fixed string the cache used to put in


def bait() -> str:
    """Card text holding the old placeholder and the one the cache uses now."""
    return f"Let op {OLD_PLACEHOLDER} en {tags._CSRF_PLACEHOLDER} hier"


@pytest.fixture
def home(world):
    return world.boards[world.home.pk]


@pytest.fixture
def teacher(world):
    return world.users[Role.LERAAR]


@pytest.fixture
def baited(home, teacher):
    """A goal, an action, a knelpunt and a success whose titles hold the placeholders."""
    board = home.board
    services.goal_create(board=board, user=teacher, big_goal=bait())
    services.action_create(board=board, user=teacher, title=bait(), owners=[teacher])
    services.obstacle_create(board=board, user=teacher, title=bait(), description=bait())
    services.success_create(board=board, user=teacher, title=bait())
    return home


def board_url(contents, path: str = "") -> str:
    return f"/school/{contents.board.school_id}/borden/{contents.board.pk}/{path}"


def assert_token_only_in_its_places(html: str, *, page: bool = True) -> None:
    """The CSRF token is in the hidden inputs (and, on a whole page, the <body>'s htmx header)
    and nowhere else; no placeholder is left outside the cards' text."""
    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]*)"', html))
    assert len(tokens) <= 1, f"one token on the page, not {tokens}"
    rest = html.replace(escape(bait()), "")
    for token in tokens:
        assert re.fullmatch(r"[A-Za-z0-9]{64}", token), f"a real token in the hidden inputs, not {token!r}"
        rest = rest.replace(f'name="csrfmiddlewaretoken" value="{token}"', "")
        if page:
            rest = rest.replace(f'hx-headers=\'{{"X-CSRFToken": "{token}"}}\'', "", 1)
        assert token not in rest, "the token is shown outside the forms' hidden inputs and the htmx header"
    assert OLD_PLACEHOLDER not in rest and str(tags._CSRF_PLACEHOLDER) not in rest, "a placeholder left over"


def test_card_text_holding_the_placeholders_is_shown_literally_on_the_board(client, baited, teacher):
    """Rendered twice: the first request fills the card cache, the second reads from it."""
    client.force_login(teacher)
    for _ in range(2):
        html = client.get(board_url(baited)).content.decode()
        assert html.count(escape(bait())) >= 5, "goal, action, knelpunt (title and text) and success"
        assert_token_only_in_its_places(html)


def test_card_text_holding_the_placeholders_is_shown_literally_in_a_cards_partial(client, baited, teacher):
    """One card as htmx fetches it (after "cancel" on its edit form): the same cached card."""
    from instruments.models import Action, Goal, Obstacle, Success

    client.force_login(teacher)
    client.get(board_url(baited))  # fills the cache
    title = escape(bait())
    cards = {"doelen": Goal, "acties": Action, "knelpunten": Obstacle, "successen": Success}
    for path, model in cards.items():
        card = model.objects.filter(board=baited.board).latest("pk")
        html = client.get(board_url(baited, f"{path}/{card.pk}/"), **HTMX).content.decode()
        assert title in html, path
        assert_token_only_in_its_places(html, page=False)


def test_card_text_holding_the_placeholders_is_shown_literally_on_the_presentation_screen(client, baited, teacher):
    """The classroom screen, its first page and the polled content."""
    client.force_login(teacher)
    client.get(board_url(baited))  # the board's cards are in the cache
    page = client.get(board_url(baited, "presentatie/")).content.decode()
    assert page.count(escape(bait())) >= 4, "goal, action, knelpunt and success"
    assert_token_only_in_its_places(page)
    content = client.get(board_url(baited, "presentatie/inhoud/"), **HTMX).content.decode()
    assert content.count(escape(bait())) >= 4
    assert_token_only_in_its_places(content, page=False)


def test_the_placeholder_cannot_survive_html_escaping():
    """Typed text is escaped before it reaches the cached card; the placeholder holds characters
    escaping always changes, so no typed text can produce it."""
    placeholder = str(tags._CSRF_PLACEHOLDER)
    assert escape(placeholder) != placeholder
    assert placeholder not in escape(placeholder * 2)
