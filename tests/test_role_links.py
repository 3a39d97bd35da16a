"""No link a role cannot follow: every demo account walks the pages it reaches from its landing
page and nothing it is shown answers 403 or 404.

The walk follows what a page offers the person reading it: links (`<a href>`), htmx GET targets
(`hx-get`, fetched as htmx fetches them) and GET forms. A POST form or an `hx-post` (`hx-put`,
`hx-patch`, `hx-delete`) target is not followed, since a GET says nothing about it. Instead the
central access rule is asked whether it admits the person (`TenancyMiddleware.process_view`, the
check every request passes), and the target is sent an empty body inside a savepoint that is
rolled back, so an object-level check in the view (`access_<entity>_by_id`) is covered too without
changing the data the walk goes on reading.

Pages of the same route are walked a few times per role (`PER_ROUTE`), not once per id: the
demo has hundreds of cards, visits and teams, and each route's rule is the same for all of them.
A route asked with other query parameters (the calendar by `?week=` or by `?maand=`) counts as
another page: it is drawn differently.
The Django admin (`/beheer/`) is Django's own: an admin's link to it is checked to open, and any
other role must not be shown it at all.

The browser accessibility test (tests/browser/test_accessibility.py) walks the same way to find
every page of every role.
"""

from __future__ import annotations

import io
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import transaction
from django.http import Http404
from django.test import Client, RequestFactory
from django.urls import Resolver404, resolve, reverse

from leerkracht.middleware import TenancyMiddleware
from leerkracht.tenancy import scopes_disabled
from schools import demo
from schools.access import compute_access

# Every demo account of the README, by the role it shows.
DEMO_ROLES: dict[str, str] = {
    "admin": demo.DEMO_ADMIN.email,
    "expertcoach": demo.DEMO_EXPERTCOACH.email,
    "verandercoach": demo.DEMO_VERANDERCOACH.email,
    "bestuurder": demo.DEMO_BESTUURDER.email,
    "schoolleider": demo.DEMO_SCHOOLLEIDER.email,
    "schoolcoach": demo.DEMO_SCHOOLCOACH.email,
    "leraar": demo.DEMO_LERAAR.email,
    "leraar2": demo.DEMO_LERAAR2.email,
}
DEMO_SCHOOLS = 3  # the demo accounts all work in the first three schools (schools/demo.py)
PER_ROUTE = 3  # URLs walked per route and role: the first few ids, not every card
MAX_REQUESTS = 600  # per role; a walk that needs more has found an endless family of URLs
REFUSED = {403, 404}
UNSAFE_METHODS = ("post", "put", "patch", "delete")


def seed_demo_data() -> None:
    """The README's demo: people, a board in use with the other instruments, closed barometer
    waves (the three management commands `bin/start` runs)."""
    with scopes_disabled():
        call_command("seed_demo", schools=DEMO_SCHOOLS, stdout=io.StringIO())
        call_command("seed_demo_boards", stdout=io.StringIO())
        call_command("seed_demo_barometer", stdout=io.StringIO())


# --- Reading a page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """Something a page offers: where it leads, how it is used (`link`, `hx-get`, `form-get`,
    or an unsafe method's name) and the page that offered it."""

    url: str
    kind: str
    source: str

    @property
    def method(self) -> str:
        return self.kind if self.kind in UNSAFE_METHODS else "get"


class TargetParser(HTMLParser):
    """Collects the targets of `<a href>`, `<form action method>`, a button's `formaction` (sent
    by its form's method) and `hx-<method>` attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []  # (kind, raw url)
        self.form_kind = "form-get"  # how the form being read is sent

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "a" and "href" in attributes:
            self.found.append(("link", attributes["href"]))
        if tag == "form":
            method = (attributes.get("method") or "get").lower()
            self.form_kind = "form-get" if method == "get" else method
            # A form without an action submits to the page it is on.
            self.found.append((self.form_kind, attributes.get("action", "")))
        if tag in ("button", "input") and "formaction" in attributes:
            # One form with a URL per button: each button's URL is a target too, sent as its form is.
            self.found.append((self.form_kind, attributes["formaction"]))
        if "hx-get" in attributes:
            self.found.append(("hx-get", attributes["hx-get"]))
        for method in UNSAFE_METHODS:
            if f"hx-{method}" in attributes:
                self.found.append((method, attributes[f"hx-{method}"]))

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.form_kind = "form-get"


def internal(url: str, base: str) -> str | None:
    """`url` made absolute against `base`, as a path with query; None for anything that is not a
    page of ours to walk (another host, mailto:, a fragment on the same page, static files)."""
    if url.startswith("#") or url.lower().startswith(("mailto:", "tel:", "javascript:", "data:")):
        return None
    parts = urlsplit(urljoin("http://testserver" + base, url))
    if parts.scheme not in ("http", "https") or parts.netloc != "testserver":
        return None
    if parts.path.startswith(settings.STATIC_URL):
        return None
    return urlunsplit(("", "", parts.path, parts.query, ""))


def targets_of(html: str, page: str) -> list[Target]:
    parser = TargetParser()
    parser.feed(html)
    targets = []
    for kind, raw in parser.found:
        url = internal(raw, page)
        if url is not None:
            targets.append(Target(url=url, kind=kind, source=page))
    return targets


# --- The walk ---------------------------------------------------------------------------------


@dataclass
class Walk:
    """What one person met: the pages (full HTML pages answered 200, without htmx), how many
    URLs were asked in all, and every target that refused them."""

    role: str
    pages: list[str] = field(default_factory=list)
    requests: int = 0
    problems: list[str] = field(default_factory=list)


def route_of(url: str) -> str | None:
    try:
        return resolve(urlsplit(url).path).view_name
    except Resolver404:
        return None


def page_kind(url: str) -> tuple[str | None, tuple[str, ...]]:
    """A URL's route and the names (not the values) of its query parameters."""
    return route_of(url), tuple(sorted(parse_qs(urlsplit(url).query, keep_blank_values=True)))


def rule_refusal(user, target: Target) -> int | None:
    """What the central access rule answers `user` for `target` before its view runs: 403, 404,
    or None when it admits them (the middleware's own check, not a copy of it)."""
    path = urlsplit(target.url).path
    request = getattr(RequestFactory(), target.method)(target.url)
    request.user = user
    request.access = compute_access(user)
    request.htmx = False
    try:
        request.resolver_match = match = resolve(path)
    except Resolver404:
        return 404
    try:
        TenancyMiddleware(lambda request: None).process_view(request, match.func, match.args, match.kwargs)
    except Http404:
        return 404
    except PermissionDenied:
        return 403
    return None


def empty_submission(client: Client, target: Target) -> int:
    """The status an empty submission to `target` answers, its effects rolled back at once: the
    walk goes on reading the data as it was."""
    with transaction.atomic():
        response = getattr(client, target.method)(target.url, HTTP_HX_REQUEST="true")
        transaction.set_rollback(True)
    return response.status_code


def walk(user, role: str, *, submit: bool = True, fragments: bool = True, per_route: int = PER_ROUTE) -> Walk:
    """Breadth-first from the landing page over everything the pages show `user`, `per_route`
    URLs of each kind of page; with `submit`, every unsafe target is also checked (see the
    module's docstring); with `fragments`, every htmx GET target is fetched as htmx does."""
    client = Client()
    client.force_login(user)
    result = Walk(role=role)
    admin_site = reverse("admin:index")
    logout = reverse("logout")
    seen: set[tuple[str, bool | str]] = set()  # (url, htmx) for GET, (url, method) otherwise
    walked: Counter[tuple] = Counter()
    queue: deque[Target] = deque([Target(url="/", kind="link", source="(start)")])

    def problem(target: Target, what: str) -> None:
        result.problems.append(f"{role}: {target.kind} {target.url} on {target.source} {what}")

    while queue and result.requests < MAX_REQUESTS:
        target = queue.popleft()
        path = urlsplit(target.url).path
        if path == logout:
            continue
        if path.startswith(admin_site):
            if not user.is_admin:
                problem(target, "leads into the admin site, which is for admins only")
            elif (admin_site, False) not in seen:
                seen.add((admin_site, False))
                result.requests += 1
                status = client.get(admin_site).status_code
                if status != 200:
                    problem(target, f"answers {status}")
            continue
        htmx = target.kind == "hx-get"
        if htmx and not fragments:
            continue
        key = (target.url, htmx) if target.method == "get" else (target.url, target.method)
        if key in seen:
            continue
        route, parameters = page_kind(target.url)
        if route is None:
            problem(target, "matches no route (404)")
            seen.add(key)
            continue
        kind = (route, parameters, target.method, htmx)
        if walked[kind] >= per_route:
            continue
        seen.add(key)
        walked[kind] += 1
        result.requests += 1

        if target.method != "get":
            if not submit:
                continue
            if refusal := rule_refusal(user, target):
                problem(target, f"is refused by the access rule ({refusal})")
            elif (status := empty_submission(client, target)) in REFUSED:
                problem(target, f"answers {status} to an empty {target.method.upper()}")
            continue

        response = client.get(target.url, **({"HTTP_HX_REQUEST": "true"} if htmx else {}))
        if response.status_code in REFUSED:
            problem(target, f"answers {response.status_code}")
            continue
        if response.status_code in (301, 302, 303, 307, 308):
            location = internal(response["Location"], target.url)
            if location is not None:
                queue.append(Target(url=location, kind="link", source=f"{target.url} (redirect)"))
            continue
        content_type = response.get("Content-Type", "")
        if response.status_code != 200 or not content_type.startswith("text/html"):
            continue
        if not htmx:
            result.pages.append(target.url)
        html = b"".join(response.streaming_content) if response.streaming else response.content
        queue.extend(targets_of(html.decode(response.charset or "utf-8"), target.url))
    return result


# --- The test ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_users(django_db_setup, django_db_blocker) -> Iterator[dict]:
    """The demo, seeded once for the module inside a transaction that is rolled back after its
    last test (each test's own transaction nests inside it as a savepoint)."""
    from schools.models import User

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            seed_demo_data()
            users = {role: User.objects.get(email=email) for role, email in DEMO_ROLES.items()}
        except BaseException:
            atomic.__exit__(None, None, None)
            raise
    try:
        yield users
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.mark.django_db
@pytest.mark.parametrize("role", DEMO_ROLES)
def test_nothing_a_role_is_shown_answers_it_403_or_404(demo_users, role):
    """Every link, htmx target and form a demo account meets on its walk from the landing page
    admits it: GET targets do not answer 403 or 404, unsafe targets pass the access rule and an
    empty submission is not refused."""
    result = walk(demo_users[role], role)
    assert result.pages, f"{role} reached no page at all"
    assert result.requests < MAX_REQUESTS, f"{role}'s walk did not end within {MAX_REQUESTS} requests"
    assert not result.problems, "\n".join(result.problems)
