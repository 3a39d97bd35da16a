"""The registry of "Mijn week": sections that apps above the instruments add to a person's week.

The instruments own the page (instruments/views/week.py) and its own sections; an app above
them (the barometer: "een open vragenlijst wacht op je") registers a section here from its
AppConfig.ready, so the instruments never import it (leerkracht/tests/test_layers.py).

A section names the template it is drawn with (included by templates/instruments/my_week.html)
and a loader
`load(*, access, school_id) -> dict` whose result is that template's context. A loader runs
a fixed number of queries (the page's count is pinned) and reads only the person's own things.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class WeekSection:
    name: str  # the element id of the section on the page
    template: str
    load: Callable[..., dict]
    order: int = 100  # after the instruments' own sections (which come first)


_SECTIONS: dict[str, WeekSection] = {}


def section(*, name: str, template: str, load: Callable[..., dict], order: int = 100) -> None:
    """Register a section of "Mijn week" (once per name: a second registration replaces it, so
    a reloaded app does not show its section twice)."""
    _SECTIONS[name] = WeekSection(name=name, template=template, load=load, order=order)


def sections() -> list[WeekSection]:
    """The registered sections, in their order."""
    return sorted(_SECTIONS.values(), key=lambda registered: (registered.order, registered.name))
