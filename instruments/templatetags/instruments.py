"""Small filters for the board's templates: weeks, Dutch numbers, action columns and moves."""

from __future__ import annotations

import functools
import hashlib
import secrets
from decimal import Decimal

from django import template
from django.core.cache import caches
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from instruments.models import ActionStatus
from instruments.selectors.board import goal_chart_version
from leerkracht import clock

register = template.Library()


@register.filter
def week(monday) -> str:
    """A stored week (its Monday) as "week 47"."""
    if not monday:
        return ""
    if isinstance(monday, str):
        import datetime as dt

        monday = dt.date.fromisoformat(monday)
    return clock.week_label(monday)


@register.simple_tag
def measurement_week_options(goal, form) -> list[tuple[str, str, bool]]:
    """(value, label, selected) of the weeks a goal's measurement can be for: what was sent when
    the form comes back with an error, this week otherwise."""
    from instruments.forms.board import measurement_weeks, week_choices, week_of

    sent = form["week"].data if form.is_bound else clock.this_week()
    chosen = clock.week_input_value(monday) if (monday := week_of(sent)) else ""
    choices = week_choices(measurement_weeks(goal.cycle), chosen=monday)
    return [(value, label, value == chosen) for value, label in choices]


@register.filter
def num(value) -> str:
    """A decimal the Dutch way, without trailing zeros: 12,5 — not 12.50."""
    if value is None or value == "":
        return ""
    value = Decimal(str(value))
    text = f"{value.normalize():f}"
    return text.replace(".", ",")


@register.filter
def action_columns(page) -> list[tuple[str, str, list]]:
    """(status, label, actions) for the three columns, in board order."""
    return [(status, str(label), page.actions[status]) for status, label in ActionStatus.choices]


@register.filter
def is_overdue(action) -> bool:
    return bool(action.due_week) and action.status != ActionStatus.DONE and action.due_week < clock.this_week()


MOVES = {
    ActionStatus.TODO: [(ActionStatus.DOING, gettext_noop("Start")), (ActionStatus.DONE, gettext_noop("Klaar"))],
    ActionStatus.DOING: [
        (ActionStatus.TODO, gettext_noop("Terug naar te doen")),
        (ActionStatus.DONE, gettext_noop("Klaar")),
    ],
    ActionStatus.DONE: [(ActionStatus.DOING, gettext_noop("Toch nog bezig"))],
}


@register.filter
def moves(action) -> list[tuple[str, str]]:
    """Where an action can go from its column, with the button's words."""
    return [(status.value, _(label)) for status, label in MOVES[ActionStatus(action.status)]]


@register.filter
def equals(value, other) -> bool:
    return value is not None and value == other


@register.filter
def chart_version(goal) -> str:
    """The version of a goal's chart, for its URL (`selectors.board.goal_chart_version`)."""
    return goal_chart_version(goal)


@register.filter
def cache_key(objects) -> str:
    """A list of rows as part of a cache key: each one's id, version and name."""
    return ";".join(f"{o.pk}.{getattr(o, 'version', '')}.{o}" for o in objects)


# --- Card URLs ---------------------------------------------------------------------------------
# A busy board renders a few hundred card links; reversing each one took a third of the page's
# time. Each route is reversed once per process with placeholder ids, then filled in: urls.py
# stays the only place that knows the paths.
_PLACEHOLDERS = {"school_id": 7_000_000_001, "board_id": 7_000_000_002, "card": 7_000_000_003}
_CARD_KWARG = {
    "goal": "goal_id",
    "measurement": "goal_id",
    "action": "action_id",
    "obstacle": "obstacle_id",
    "success": "success_id",
    "session": "session_id",
}


@functools.cache
def _card_pattern(name: str) -> str:
    kwarg = _CARD_KWARG[name.split("_")[0]]
    return reverse(
        f"instruments:{name}",
        kwargs={
            "school_id": _PLACEHOLDERS["school_id"],
            "board_id": _PLACEHOLDERS["board_id"],
            kwarg: _PLACEHOLDERS["card"],
        },
    )


@register.filter
def card_url(card, name: str) -> str:
    """The URL of route `instruments:<name>` for a card (goal, action, obstacle, success, session)
    of its board: `{{ action|card_url:"action_move" }}`."""
    return (
        _card_pattern(name)
        .replace(f"/{_PLACEHOLDERS['school_id']}/", f"/{card.school_id}/")
        .replace(f"/{_PLACEHOLDERS['board_id']}/", f"/{card.board_id}/")
        .replace(f"/{_PLACEHOLDERS['card']}/", f"/{card.pk}/")
    )


# --- Rendered cards, cached -------------------------------------------------------------------
# A busy board is mostly cards that did not change since the last time anyone looked. Each card
# is cached under a key made of everything it shows (its id and version, its owners' names, its
# goal's version, the week, whether the viewer may edit...): a changed card gets a new key, so a
# stale one is never read. The CSRF token differs per person, so cards are stored with a
# placeholder in its place and the viewer's own token is put in on the way out.
# Security: the placeholder must be impossible to type. A fixed word could be put in a card's
# title, and every viewer of the board would then see their own token in that card. This one is
# random per process (no one can know it) and holds `<` and `"`, which autoescaping always turns
# into entities, so no escaped text can contain it; it is passed in as safe so `{% csrf_token %}`
# writes it as it is. It is part of the cache key as well: a cache shared between processes would
# otherwise hand one process's placeholder to another, which would not replace it.
_CSRF_PLACEHOLDER = mark_safe(f'<"csrf-{secrets.token_hex(16)}">')  # noqa: S308 (ours, see above)


class CardCacheNode(template.Node):
    def __init__(self, nodelist, parts, live):
        self.nodelist, self.parts, self.live = nodelist, parts, live

    def render(self, context):
        if self.live is not None and self.live.resolve(context):
            return self.nodelist.render(context)  # a card showing this request's form and errors
        raw = "\x1f".join([_CSRF_PLACEHOLDER, *(str(part.resolve(context)) for part in self.parts)])
        key = "card:" + hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()
        fragments = caches["fragments"]
        html = fragments.get(key)
        if html is None:
            with context.push(csrf_token=_CSRF_PLACEHOLDER):
                html = self.nodelist.render(context)
            fragments.set(key, html)
        token = context.get("csrf_token")
        return mark_safe(html.replace(_CSRF_PLACEHOLDER, escape(token) if token else ""))  # noqa: S308 (rendered by us)


@register.tag
def cardcache(parser, token):
    """`{% cardcache "action" action.pk action.version … live=expr %}…{% endcardcache %}`: render
    once per distinct set of parts; `live` true renders without the cache."""
    bits = token.split_contents()[1:]
    live = None
    parts = []
    for bit in bits:
        if bit.startswith("live="):
            live = parser.compile_filter(bit[len("live=") :])
        else:
            parts.append(parser.compile_filter(bit))
    nodelist = parser.parse(("endcardcache",))
    parser.delete_first_token()
    return CardCacheNode(nodelist, parts, live)


@register.filter
def board_summary(page) -> dict[str, int]:
    """The counts on the board sections' summary lines (on a phone each section folds to that
    line), from what the page already loaded: no query of its own, and worked out once per page
    however many sections show it."""
    summary = getattr(page, "_summary", None)
    if summary is not None:
        return summary
    actions = page.actions
    this_week = clock.this_week()
    open_actions = (*actions[ActionStatus.TODO], *actions[ActionStatus.DOING])
    summary = {
        "successes": len(page.successes),
        "goals": len(page.goals),
        "measured": sum(1 for goal in page.goals if goal.latest_week == this_week),
        "todo": len(actions[ActionStatus.TODO]),
        "doing": len(actions[ActionStatus.DOING]),
        "done": len(actions[ActionStatus.DONE]),
        # is_overdue's rule, with this week worked out once.
        "overdue": sum(1 for action in open_actions if action.due_week and action.due_week < this_week),
        "obstacles": len(page.obstacles),
    }
    page._summary = summary
    return summary
