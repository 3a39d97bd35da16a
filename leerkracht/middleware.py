"""Every request passes the central access rule here, before its view runs.

1. The user's `Access` is computed (lazily, once) and hung on `request.access`.
2. A tenant scope with the user's visible schools is opened around the whole response, template
   rendering included, so tenant-owned models cannot be read past it.
3. For each of our routes the view's declaration decides: public, personal (login only), or a
   capability checked against the node the URL names (school, bestuur, region or the platform).
   A node the user cannot see answers 404 — the same as a missing one; a visible node where the
   user's role is too weak answers 403. An undeclared view is refused: deny by default.
"""

from __future__ import annotations

import json

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import BadRequest, ImproperlyConfigured, PermissionDenied, SuspiciousOperation
from django.http import Http404
from django.utils.cache import patch_cache_control
from django.utils.functional import SimpleLazyObject
from django_htmx.http import HttpResponseClientRedirect

from leerkracht import tenancy
from leerkracht.access import NODE_KWARGS, NOT_FOUND_MESSAGE, access_for, node_exists, view_declaration
from leerkracht.http import MAX_ID
from leerkracht.roles import Level

# Views that live outside our URLconf's rule: Django's admin has its own (superusers only:
# `User.is_staff` is `is_admin`, see schools/models.py) and static files are public.
EXEMPT_NAMESPACES = {"admin"}


class TenancyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.access = SimpleLazyObject(lambda: access_for(getattr(request, "user", None)))
        with tenancy.scope(school_ids=lambda: request.access.visible_school_ids()):
            response = self.get_response(request)
            # Template responses are rendered by the handler before they reach us; a streaming
            # response is consumed later and must open its own scope.
            return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or EXEMPT_NAMESPACES.intersection(match.namespaces):
            return None
        kind, capability = view_declaration(view_func)
        if kind == "public":
            return None
        if kind == "undeclared":
            raise ImproperlyConfigured(
                f"The view for route {match.route!r} declares no access rule: "
                "decorate it with @requires(Capability.…), @personal or @public."
            )
        if not request.user.is_authenticated:
            if match.namespace == "api":
                return None  # DRF answers unauthenticated API calls itself (403, JSON)
            if getattr(request, "htmx", False):
                # A partial would swap the login page into a fragment: send the browser there.
                login = redirect_to_login(request.htmx.current_url_abs_path or "/")
                return HttpResponseClientRedirect(login.url)
            return redirect_to_login(request.get_full_path())
        if kind == "personal":
            return None
        level, node_id = node_of(view_kwargs)
        if level is not Level.PLATFORM and not request.access.sees(level, node_id):
            raise Http404(NOT_FOUND_MESSAGE)
        if request.access.is_admin and not node_exists(level, node_id):
            # Everyone else's visible nodes come from their memberships and so exist; an admin
            # "sees" every id, so a missing one must be caught here rather than in each view.
            raise Http404(NOT_FOUND_MESSAGE)
        if level is not capability.level and not (level is Level.SCHOOL and capability.level is Level.TEAM):
            raise ImproperlyConfigured(
                f"Route {match.route!r} names a {level} but its view requires {capability}, "
                f"a capability on the {capability.level} level."
            )
        if not request.access.can(capability, node_id=node_id):
            if level is Level.PLATFORM:
                # The platform node exists for everyone; only admins see its pages.
                raise Http404(NOT_FOUND_MESSAGE)
            raise PermissionDenied
        return None


def node_of(view_kwargs) -> tuple[Level, int | None]:
    """The most specific node a route's keyword arguments name; the platform if none."""
    for kwarg, level in NODE_KWARGS.items():
        if kwarg in view_kwargs:
            return level, int(view_kwargs[kwarg])
    return Level.PLATFORM, None


class RefuseBadInputMiddleware:
    """Input no page of ours can take is refused before any view or access check reads it, with
    the platform's own page, inside the security headers:

    - A NUL character in the path, the query string, a form field (its name or its value) or a
      JSON body answers 400. No address or text of ours has one, and PostgreSQL cannot store or
      compare text holding one: passed on, it raised in the database and answered 500
      (`/stem/%00/`, `/agenda/%00.ics`, `?q=%00`, a card's title). Forms refuse one in their text
      fields too, but not every value a view reads goes through a form field that checks.
    - A body that cannot be read answers 400: a form sent in a charset other than UTF-8, a broken
      multipart body, a Content-Type header that cannot be parsed (`leerkracht.http.Request`).
      Read here first, the error is answered here rather than by whichever reader meets it
      first (the CSRF check, a view, an error page).
    - An id in the path that no row can have (0, or past a 64-bit key) answers 404, the same as
      a missing one: `<int:…>` takes any run of digits, and SQLite cannot even compare a column
      with a number that large (it raised OverflowError: 500).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if getattr(request, "unreadable_content_type", False):
            raise BadRequest("A Content-Type header that cannot be parsed")
        if "\x00" in request.path or _holds_nul(request.GET):
            raise SuspiciousOperation("NUL character in the path or query string")
        if request.method == "POST" and _holds_nul(request.POST):  # raises BadRequest if unreadable
            raise SuspiciousOperation("NUL character in a form field")
        if _json_body_holds_nul(request):
            raise SuspiciousOperation("NUL character in a JSON body")
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if any(isinstance(value, int) and not 0 < value <= MAX_ID for value in view_kwargs.values()):
            raise Http404(NOT_FOUND_MESSAGE)
        return None


def _holds_nul(data) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in data.lists())


def _json_body_holds_nul(request) -> bool:
    if not (request.content_type == "application/json" or request.content_type.endswith("+json")):
        return False
    body = request.body
    if b"\\u0000" not in body:
        return False  # JSON can only carry a NUL escaped (a raw one is invalid: its parser refuses it)
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return False  # not JSON we can read: the view's parser refuses it itself
    # Walked without recursion: nesting as deep as the parser allows must not overflow the stack.
    pending = [data]
    while pending:
        value = pending.pop()
        if isinstance(value, str) and "\x00" in value:
            return True
        if isinstance(value, dict):
            pending.extend(value)
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False


class CacheControlMiddleware:
    """Nothing we render is kept by a cache unless its view says otherwise: an answer without a
    Cache-Control of its own gets `private, no-store`.

    Our pages carry personal or school data, and the platform is used on shared school computers:
    `no-store` keeps them out of the browser's disk cache and out of the back button after
    logging out (`private` alone would still let the browser keep them). Public pages are no
    exception: the login page has nothing worth caching, and the pupil and barometer answer pages
    hold a person's answers on a shared device (their views say so themselves as well).

    A view that set its own header keeps it. The board's presentation screen polls its content
    with `private, no-cache` and an ETag: presentation.js keeps the ETag itself, sends it as
    If-None-Match and fetches with the `no-store` cache mode, so the 304 comes from the server
    comparing tags, not from the browser's cache, and the poller writes nothing to disk.
    `no-cache` there only says what the answer is (revalidate each time, no shared cache). Charts,
    QR codes and the calendar feed are `private` with a short max-age (see their views).

    Static files never reach this: WhiteNoise, above it in MIDDLEWARE, answers them first with
    its own long caching."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response
