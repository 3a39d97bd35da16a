"""A drawn barometer chart as the pages keep and serve it, apart from the drawing
(`barometer.charts`): a results snapshot holds these, and reading one back or serving its SVG
must not load matplotlib (seconds in every process that has not drawn yet).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.csp import CSP, build_policy

SVG_CSP = {"default-src": [CSP.NONE], "frame-ancestors": [CSP.NONE]}


@dataclass(frozen=True)
class Chart:
    """A drawn chart: the SVG, its <img alt>, and every figure as table rows (the first row is the
    header). `width` and `height` are the SVG's size in px, for the <img> attributes, so the page
    keeps the chart's space while it loads."""

    svg: bytes
    alt: str
    table: tuple[tuple[str, ...], ...]
    width: int
    height: int

    @property
    def header(self) -> tuple[str, ...]:
        return self.table[0]

    @property
    def rows(self) -> tuple[tuple[str, ...], ...]:
        return self.table[1:]


def svg_response(chart: Chart) -> HttpResponse:
    """The chart as its own response, for `<img src="….svg">`. Its CSP is the narrowest one,
    `default-src 'none'` (the SVG needs no style, font or script: see `barometer.charts`); the
    CSP middleware keeps a policy a response already has. Results are private to the people
    allowed to see them, so no shared cache may keep them, and the browser only briefly."""
    response = HttpResponse(chart.svg, content_type="image/svg+xml; charset=utf-8")
    # A plain str: the WSGI server refuses a header name of any other type (CSP is a StrEnum).
    response.headers[CSP.HEADER_ENFORCE.value] = build_policy(SVG_CSP)
    patch_cache_control(response, private=True, max_age=60)
    return response
