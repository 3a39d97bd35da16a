"""Bad input never answers 500: every route of the URLconf, asked with what a careless client or a
scanner sends, answers a 4xx, a redirect or a page, and every HTML page it answers with a 4xx or a
redirect is our own (base.html, with the security headers), never Django's plain or technical one.

The routes are found by walking the URLconf (test_url_sweep.py), so a new route is swept without
being listed. Each is asked, as an anonymous visitor and as a teacher, a schoolcoach and an admin,
with the home school's ids (so that the view itself runs, not only the access rule) and:

- in the query string: a NUL character (in a value and as a name), overlong non-ASCII text with
  bytes that are not UTF-8, a negative and a too large number, and dates at both ends of the
  calendar and past them, in every parameter a view reads (found in the views' source);
- in a form body: the same, in the fields of the forms our pages offer for that route (found in
  the pages; the other fields keep what the page filled in, so the form gets as far as the view's
  own work), a NUL in a JSON body, and bodies in a charset we do not read: UTF-7 (which spells a
  NUL without one, in a multipart body too) and an unknown charset with bytes that are not UTF-8;
- in the path: the route's own id as 0 and as too large for the database, and overlong, non-ASCII
  and NUL text where the route takes text (and, asked once per route, a negative id).

What cannot depend on the input is asked once: a route the central access rule refuses the role
gets one probe per method (the refusal comes before any view reads anything), a method the route
does not take gets none after its 405, and a view that reads no query parameter gets only the NUL
in its query string. Each page a role may open is asked as is once, for the module, which is where
the form fields come from. A failure names the role, the route, the input and what came back.

The world is written once for the module, in a transaction rolled back after its last test; each
test runs in a savepoint inside it, so what one test's POSTs change is gone for the next.
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, quote_plus, urlsplit

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.test import Client, RequestFactory
from django.urls import Resolver404, resolve

from leerkracht.access import view_declaration
from leerkracht.middleware import TenancyMiddleware
from leerkracht.roles import Role
from leerkracht.tests.test_url_sweep import home_ids, our_routes
from schools.access import compute_access

ROLES = ["anonymous", Role.LERAAR, Role.SCHOOLCOACH, Role.ADMIN]
ROUTES = [route for route, _, _ in our_routes()]

# Only base.html draws this: an error or redirect page without it is Django's own plain or
# technical page (no navigation, no Dutch, no way back), not ours.
OUR_PAGE = b'<a class="skip-link" href="#main">'

HUGE = "99999999999999999999"  # past a 64-bit integer
TEXT = "ëñ💥\u202e" + "x" * 10_000  # non-ASCII and overlong at once
NUL = "a\x00b"
NUMBERS = ["-1", HUGE]
# Dates by the format a parameter or field takes (its name or its input type says which): at the
# calendar's upper end, at its lower end, and past both (a week 99, a month 13, a 5-digit year).
DATES = {
    "upper": {"week": "9999-W52", "month": "9999-12", "date": "9999-12-31", "time": "23:59"},
    "lower": {"week": "0001-W01", "month": "0001-01", "date": "0001-01-01", "time": "00:00"},
    "past": {"week": "9999-W99", "month": "0000-13", "date": "99999-01-01", "time": "25:61"},
}

# Query parameters read by helpers the views hand `request.GET` to (the calendar's period), and
# names a client might guess; the views' own are found in their source.
EXTRA_QUERY_NAMES = {"week", "maand", "datum", "date", "month", "from", "page", "pagina", "limit", "offset"}

FORM = "application/x-www-form-urlencoded"


def date_format_of(name: str, input_type: str = "") -> str:
    for kind in ("week", "month", "time"):
        if kind in input_type:
            return kind
    if "week" in name:
        return "week"
    if "maand" in name or "month" in name:
        return "month"
    return "date"


# --- What the views read -------------------------------------------------------------------------


def query_names() -> list[str]:
    """Every query parameter a view reads: the literal names in `request.GET.get("…")`,
    `request.GET["…"]` and `"…" in request.GET`, and the fields of every form built from
    `request.GET` (the list filters, the wave preview)."""
    names = set(EXTRA_QUERY_NAMES)
    base = Path(settings.BASE_DIR)
    for path in sorted([*base.glob("*/views.py"), *base.glob("*/views/*.py"), *base.glob("*/api/*.py")]):
        module = ".".join(path.relative_to(base).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
                if node.func.attr == "get" and _is_query(node.func.value):
                    names |= _literal(node.args[0])
            elif isinstance(node, ast.Subscript) and _is_query(node.value):
                names |= _literal(node.slice)
            elif isinstance(node, ast.Compare) and any(_is_query(c) for c in node.comparators):
                names |= _literal(node.left)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args and _is_query(node.args[0]):
                form = getattr(importlib.import_module(module), node.func.id, None)
                names |= set(getattr(form, "base_fields", {}))
    return sorted(names)


def reads_query(callback) -> bool:
    """Whether a view reads the query string: its own body, or a function of its module it calls,
    names `….GET` (or DRF's `query_params`). A view not written here (Django's sign-in and password
    pages, DRF's generic views) is taken to read it."""
    view = inspect.unwrap(callback)
    path = Path(inspect.getsourcefile(view))
    if not inspect.isfunction(view) or not path.is_relative_to(settings.BASE_DIR) or ".venv" in path.parts:
        return True
    functions = module_functions(path)
    if view.__name__ not in functions:
        return True  # made by a function (a card's view): not followed, taken to read it
    pending, seen = [view.__name__], set()
    while pending:
        name = pending.pop()
        seen.add(name)
        for node in ast.walk(functions[name]):
            if _is_query(node):
                return True
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in functions:
                pending += [node.func.id] if node.func.id not in seen else []
    return False


@functools.cache
def module_functions(path: Path) -> dict[str, ast.FunctionDef]:
    return {node.name: node for node in ast.parse(path.read_text()).body if isinstance(node, ast.FunctionDef)}


def _is_query(node) -> bool:
    return isinstance(node, ast.Attribute) and node.attr in {"GET", "query_params"}


def _literal(node) -> set[str]:
    return {node.value} if isinstance(node, ast.Constant) and isinstance(node.value, str) else set()


# --- What our pages offer ------------------------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # the input's type ("text", "number", "date", "checkbox", …), "select" or "textarea"
    values: list[str] = field(default_factory=list)  # what a browser sends for it as the page is


class Forms(HTMLParser):
    """The fields of every form on a page, by the URL the form is sent to, with the values a
    browser would send as the page was drawn (checked boxes, the text of a textarea, the selected
    option), except that a select left on its empty option takes its last real one: two selects
    of people then name two people, and the form gets past its own checks to the view."""

    def __init__(self, page_url: str):
        super().__init__()
        self.page_url = page_url
        self.found: dict[str, dict[str, Field]] = {}
        self.form: dict[str, Field] | None = None
        self.select: Field | None = None
        self.last_option: str | None = None
        self.textarea: Field | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if tag == "form":
            action = attrs.get("hx-post") or attrs.get("action") or self.page_url
            if attrs.get("method", "get").lower() == "post" or "hx-post" in attrs:
                self.form = self.found.setdefault(action, {})
            return
        if self.form is not None and tag in ("button", "input") and attrs.get("formaction"):
            # One form with a URL per button: the form's fields are sent to each button's URL too.
            self.found[attrs["formaction"]] = self.form
        if self.form is None or not attrs.get("name"):
            if tag == "option" and self.select is not None:
                self._option(attrs)
            return
        name = attrs["name"]
        if tag == "input":
            kind = attrs.get("type", "text").lower()
            entry = self.form.setdefault(name, Field(name, kind))
            if kind in {"checkbox", "radio"}:
                if "checked" in attrs or (kind == "radio" and not entry.values):
                    entry.values = [*entry.values, attrs.get("value", "on")] if kind == "checkbox" else [attrs["value"]]
            elif kind not in {"submit", "button", "file"}:
                entry.values = [attrs.get("value", "")]
        elif tag == "select":
            self.select = self.form.setdefault(name, Field(name, "select"))
            self.last_option = None
        elif tag == "textarea":
            self.textarea = self.form.setdefault(name, Field(name, "textarea", [""]))
        elif tag == "button" and attrs.get("value"):
            self.form.setdefault(name, Field(name, "button", [attrs["value"]]))

    def _option(self, attrs):
        value = attrs.get("value", "")
        if "selected" in attrs and value:
            self.select.values = [value]
        elif value:
            self.last_option = value

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea.values = [self.textarea.values[0] + data]

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select" and self.select is not None:
            if not self.select.values and self.last_option is not None:
                self.select.values = [self.last_option]
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def route_of(url: str) -> str | None:
    try:
        return resolve(urlsplit(url).path).route
    except Resolver404:
        return None


# --- The probes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    label: str
    method: str
    url: str
    body: bytes = b""
    content_type: str = "application/octet-stream"


def fill(route: str, ids: dict, **bad: str) -> str:
    """The route's URL with the given ids, some replaced by bad values, quoted as a client would."""

    def value(match):
        name = match.group(2)
        return quote(str(bad[name] if name in bad else ids[name]), safe="")

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", value, route)


def converters(route: str) -> list[tuple[str, str]]:
    return [(converter or "str", name) for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", route)]


def shown(value: str) -> str:
    return repr(value) if len(value) < 30 else f"{value[:6]!r}…({len(value)} chars)"


@functools.cache
def quoted(text: str) -> str:
    return quote_plus(text)


def form_encode(pairs) -> str:
    """As urllib's urlencode, with each text quoted once for the module: quoting the 10,000
    characters of every field anew cost more than sending them."""
    return "&".join(f"{quoted(name)}={quoted(value)}" for name, value in pairs)


def query_probes(url: str, names: list[str]) -> list[Probe]:
    """Bad values in every parameter a view reads; the first two are all a view that reads none
    is asked (the first also tells a route that takes no GET: 405)."""
    probes = [
        Probe("?*=-1", "GET", f"{url}?{form_encode([(n, '-1') for n in names])}"),
        Probe("?*=NUL, ?NUL=", "GET", f"{url}?%00=1&{form_encode([(n, NUL) for n in names])}"),
        Probe(f"?*={HUGE}", "GET", f"{url}?{form_encode([(n, HUGE) for n in names])}"),
    ]
    text = form_encode([(n, TEXT) for n in names]).replace("%C3%AB", "%FF%FE")
    probes.append(Probe("?*=non-ASCII, not UTF-8, 10,000 chars", "GET", f"{url}?{text}"))
    for end, formats in DATES.items():
        pairs = [(n, formats[date_format_of(n)]) for n in names]
        label = f"?*=dates {end} ({formats['week']}, {formats['month']}, {formats['date']})"
        probes.append(Probe(label, "GET", f"{url}?{form_encode(pairs)}"))
    return probes


def submission(fields: dict[str, Field], kinds: set[str] | None, value) -> list[tuple[str, str]]:
    """The form as the page filled it in, with `value` (a string, or a function of the field) in
    every field of the given kinds (all fields when None)."""
    pairs = []
    for entry in fields.values():
        if kinds is None or entry.kind in kinds:
            bad = value(entry) if callable(value) else value
            pairs += [(entry.name, bad)] * max(len(entry.values), 1)
        else:
            pairs += [(entry.name, v) for v in entry.values]
    return pairs


TEXT_KINDS = {"text", "textarea", "search", "email", "url", "tel", "password", "hidden", "select", "radio", "checkbox"}
NUMBER_KINDS = {"number", "range", "hidden", "select", "radio", "checkbox", "text"}
DATE_KINDS = {"date", "week", "month", "time", "datetime-local", "text"}


def multipart(pairs) -> bytes:
    parts = [f'--b\r\nContent-Disposition: form-data; name="{n}"\r\n\r\n{v}\r\n'.encode() for n, v in pairs]
    return b"".join(parts) + b"--b--\r\n"


def post_probes(url: str, fields: dict[str, Field]) -> Iterator[Probe]:
    for number in NUMBERS:  # first: a route that takes no POST answers 405 here, and is left
        yield Probe(
            f"fields={number}", "POST", url, form_encode(submission(fields, NUMBER_KINDS, number)).encode(), FORM
        )
    yield Probe("fields=NUL, NUL=", "POST", url, b"%00=1&" + form_encode(submission(fields, None, NUL)).encode(), FORM)
    # Overlong non-ASCII text, with bytes that are not UTF-8 in a charset nobody knows: Django
    # reads such a form as UTF-8, and bytes it cannot decode as Latin-1.
    text = form_encode(submission(fields, TEXT_KINDS, TEXT)).encode().replace(b"%C3%AB", b"\xff\xfe")
    yield Probe("fields=non-ASCII, 10,000 chars, charset=unknown, not UTF-8", "POST", url, text, f"{FORM}; charset=x")
    for end in ("upper", "lower"):
        pairs = submission(
            fields, DATE_KINDS, lambda entry, end=end: DATES[end][date_format_of(entry.name, entry.kind)]
        )
        yield Probe(f"fields=dates {end}", "POST", url, form_encode(pairs).encode(), FORM)
    names = list(fields) or ["x"]
    yield Probe("JSON fields=NUL", "POST", url, json.dumps(dict.fromkeys(names, NUL)).encode(), "application/json")
    utf7 = form_encode(submission(fields, TEXT_KINDS, "ë")).encode()
    yield Probe("charset=utf-7", "POST", url, utf7, f"{FORM}; charset=utf-7")
    spelled = multipart(submission(fields, TEXT_KINDS, "+AAA-"))  # a NUL, spelled in UTF-7
    yield Probe("multipart charset=utf-7 NUL", "POST", url, spelled, "multipart/form-data; boundary=b; charset=utf-7")


def path_probes(route: str, ids: dict, method: str, *, negative: bool) -> Iterator[Probe]:
    """Bad values for the route's own id (the last one: those before it name the school and the
    objects other routes name last) and for every text in its path, by one method it takes; with
    `negative`, a negative id too (no route matches it: the same 404 for every role)."""
    kwargs = converters(route)
    ints = [name for converter, name in kwargs if converter == "int"]
    if ints and negative:
        yield Probe(f"<{ints[-1]}>=-1", "GET", fill(route, ids, **{ints[-1]: "-1"}))
    texts = ["x" * 10_000, TEXT[:4], "\x00"]
    for converter, name in kwargs:
        for value in texts if converter != "int" else [HUGE, "0"] if name == ints[-1] else []:
            yield Probe(f"<{name}>={shown(value)}", method, fill(route, ids, **{name: value}))


# --- The world -----------------------------------------------------------------------------------


@dataclass
class Sweep:
    world: object
    ids: dict
    query_names: list[str]
    sessions: dict  # role → the session key of a login made once for the module
    clients: dict  # role → a test client, reused by every test (its cookies set anew for each)
    fields: dict[str, dict[str, Field]]  # route → the fields of the forms sent to it
    pages: dict[tuple[str, str], tuple[int, str | None]]  # (role, route) → the plain GET's status, problem

    def fields_for(self, route: str) -> dict[str, Field]:
        """The route's form fields as our pages offer them; a route no page offers a form for
        gets every field name any page has, empty."""
        if route in self.fields:
            return self.fields[route]
        names = {name for found in self.fields.values() for name in found}
        return {name: Field(name, "text") for name in sorted(names)}


@pytest.fixture(scope="module")
def sweep(django_db_setup, django_db_blocker, world_snapshot) -> Iterator[Sweep]:
    """The world, written once for the module inside a transaction rolled back after its last
    test (each test's own transaction nests inside it as a savepoint); a login per role; each
    page the access rule admits a role to, asked as is; and the fields of every form on them."""
    from leerkracht.tenancy import scopes_disabled

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with scopes_disabled():
                world = world_snapshot.restore()
                ids = home_ids(world)
            sessions, fields, pages = {}, {}, {}
            logging.disable(logging.CRITICAL)
            for role in ROLES:
                user = None if role == "anonymous" else world.users[role]
                client = Client(raise_request_exception=False)
                if user is not None:
                    client.force_login(user)
                    sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
                for route, callback, namespaces in our_routes():
                    url = fill(route, ids)
                    if "api" in namespaces or refusal(user, url, callback, namespaces):
                        continue
                    response = client.get(url)
                    pages[role, route] = (response.status_code, problem_with(response))
                    if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
                        forms = Forms(url)
                        forms.feed(response.content.decode())
                        for action, found in forms.found.items():
                            if (target := route_of(action)) and target != "uitloggen/":
                                fields.setdefault(target, {}).update(found)
            for found in fields.values():
                found.pop("csrfmiddlewaretoken", None)
            clients = {role: Client(raise_request_exception=False) for role in ROLES}
            sweep = Sweep(world, ids, query_names(), sessions, clients, fields, pages)
        except BaseException:
            atomic.__exit__(None, None, None)
            raise
        finally:
            logging.disable(logging.NOTSET)
    try:
        yield sweep
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def refusal(user, url: str, callback, namespaces) -> bool:
    """Whether the central access rule refuses `user` (None: anonymous) the route before its view
    runs: the middleware's own check, asked without a request."""
    kind, _ = view_declaration(callback)
    if user is None:
        return kind != "public" and "api" not in namespaces  # the API refuses by itself, as JSON
    request = RequestFactory().get(url)
    request.user, request.access, request.htmx = user, compute_access(user), False
    request.resolver_match = match = resolve(url)
    try:
        TenancyMiddleware(lambda request: None).process_view(request, match.func, match.args, match.kwargs)
    except (Http404, PermissionDenied):
        return True
    return False


# --- The test ------------------------------------------------------------------------------------


def problem_with(response) -> str | None:
    """Why an answer is wrong: a 500, or an HTML page that is not ours (or lacks our headers)."""
    status = response.status_code
    if status >= 500:
        exc = response.exc_info[1] if response.exc_info else None
        return f"answers {status} ({type(exc).__name__}: {str(exc)[:300]})" if exc else f"answers {status}"
    if status >= 300 and response.get("Content-Type", "").startswith("text/html"):
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if body.strip() and OUR_PAGE not in body:
            return f"answers {status} with a page that is not ours: {body[:120]!r}"
        if body.strip() and "Content-Security-Policy" not in response:
            return f"answers {status} without our security headers"
    return None


@pytest.fixture
def quiet():
    """The expected 400s and 404s would log a traceback each: that alone costs seconds."""
    logging.disable(logging.CRITICAL)
    yield
    logging.disable(logging.NOTSET)


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("role", ROLES)
def test_bad_input_answers_no_500_and_only_our_pages(db, sweep, quiet, role, route):
    """Every probe of this route as this role: no 500, and every HTML page answered with a 4xx or
    a redirect is the platform's own, with its security headers."""
    callback, namespaces = next((cb, ns) for r, cb, ns in our_routes() if r == route)
    user = None if role == "anonymous" else sweep.world.users[role]
    client = sweep.clients[role]
    client.cookies.clear()
    if user is not None:
        client.cookies[settings.SESSION_COOKIE_NAME] = sweep.sessions[role]
    url = fill(route, sweep.ids)
    refused = refusal(user, url, callback, namespaces)
    failures, methods = [], []
    probes = query_probes(url, sweep.query_names)
    if (role, route) in sweep.pages:  # the page as is was asked once for the module
        status, problem = sweep.pages[role, route]
        failures += [f"GET as is: {problem}"] if problem else []
        probes = [] if status == 405 else probes if reads_query(callback) else probes[1:2]
    elif not refused and not reads_query(callback):
        probes = probes[:2]
    for method, asked in (("GET", probes), ("POST", post_probes(url, sweep.fields_for(route)))):
        for probe in asked:
            response = client.generic(probe.method, probe.url, data=probe.body, content_type=probe.content_type)
            if why := problem_with(response):
                failures.append(f"{probe.method} {probe.label}: {why}")
            if response.status_code == 405 or refused:
                break  # a method the route does not take; or refused, whatever the input
        if asked and (response.status_code != 405 or refused):
            methods.append(method)
        if user is not None and route == "uitloggen/":
            client.cookies[settings.SESSION_COOKIE_NAME] = sweep.sessions[role]  # signed out: back in
    for probe in path_probes(route, sweep.ids, methods[0] if methods else "GET", negative=user is None):
        response = client.generic(probe.method, probe.url, data=probe.body, content_type=probe.content_type)
        if why := problem_with(response):
            failures.append(f"{probe.method} {probe.label}: {why}")
    assert failures == [], f"{role} on /{route}:\n" + "\n".join(failures)


def test_the_sweep_reaches_the_views(db, sweep):
    """The sweep finds what it sends its input to: the calendar's and the lists' query parameters,
    the views that read them, and the forms of the board, the visits and the wave planning, with
    what their pages filled in."""
    callbacks = {route: callback for route, callback, _ in our_routes()}
    assert {"week", "maand", "pagina", "q", "meetmoment", "sorteer"} <= set(sweep.query_names)
    assert reads_query(callbacks["school/<int:school_id>/lesbezoeken/"])
    assert not reads_query(callbacks["school/<int:school_id>/lesbezoeken/<int:visit_id>/afzeggen/"])
    reschedule = sweep.fields["school/<int:school_id>/lesbezoeken/<int:visit_id>/verzetten/"]
    assert reschedule["starts_on"].kind == "date" and reschedule["starts_on"].values != [""]
    assert "new-owners" in sweep.fields["school/<int:school_id>/borden/<int:board_id>/acties/nieuw/"]
    assert "regions" in sweep.fields["barometer/meetmomenten/nieuw/"]
    assert len(sweep.fields) > 40, "the pages offered fewer forms than the sweep expects"
