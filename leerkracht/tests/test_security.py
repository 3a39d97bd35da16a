"""Every page passes a strict content security policy by construction: no inline script, no
inline style, no inline event handler; and the policy itself allows neither."""

from html.parser import HTMLParser

import pytest

from schools.tests.test_views import pages

pytestmark = pytest.mark.django_db


class InlineCodeFinder(HTMLParser):
    def __init__(self):
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        for name, _value in attrs:
            if name.startswith("on") or name.startswith("hx-on"):
                self.problems.append(f"<{tag} {name}=…> inline handler")
        if "style" in names:
            self.problems.append(f"<{tag} style=…> inline style")
        if tag == "style":
            self.problems.append("<style> block")
        if tag == "script" and "src" not in names:
            self.problems.append("inline <script>")


def inline_code(html: str) -> list[str]:
    finder = InlineCodeFinder()
    finder.feed(html)
    return finder.problems


def test_the_finder_finds_inline_code():
    assert len(inline_code('<a onclick="x()" style="color:red">a</a><script>1</script><style></style>')) == 4
    assert inline_code('<script src="/static/x.js"></script>') == []


def test_the_policy_allows_no_inline_or_eval(client):
    policy = client.get("/inloggen/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert "unsafe" not in policy
    assert directives["frame-ancestors"] == "'none'"


def test_public_pages_have_no_inline_code(client):
    for url in ["/inloggen/", "/wachtwoord-vergeten/", "/school/1/"]:
        response = client.get(url, follow=True)
        assert inline_code(response.content.decode()) == [], url


def test_every_page_has_no_inline_code(client, world):
    for name, (role, url, headers) in pages(world).items():
        if name.startswith("api"):
            continue
        client.force_login(world.users[role])
        response = client.get(url, **headers)
        assert response.status_code == 200, url
        assert inline_code(response.content.decode()) == [], url
    client.force_login(world.users[next(iter(world.users))])
    assert inline_code(client.get(f"/school/{world.foreign.pk}/").content.decode()) == []


def test_htmx_runs_without_eval_and_sends_the_csrf_token_from_body(client, world):
    from leerkracht.roles import Role

    client.force_login(world.users[Role.SCHOOLCOACH])
    html = client.get(f"/school/{world.home.pk}/teams/").content.decode()
    assert '"allowEval": false' in html
    assert '<body hx-headers=\'{"X-CSRFToken": "' in html
    assert "/static/vendor/htmx/htmx.min.js" in html


def test_every_route_that_answers_a_page_has_no_inline_code(client, world):
    """Walk the whole URLconf with the home school's ids (board, designs, visits, rounds…) and
    GET each route, as page and as htmx partial, as the people who use it: the teacher (owner of
    the round, visited in the visit), the schoolcoach (visitor, co-author), the leader and a
    pupil (no login). Every HTML answer is parsed; new routes are covered without a list."""
    from leerkracht.roles import Role
    from leerkracht.tests.test_url_sweep import fill, home_ids, our_routes

    ids = home_ids(world)
    checked, problems = 0, []
    people = [
        None,
        world.users[Role.LERAAR],
        world.users[Role.SCHOOLCOACH],
        world.users[Role.SCHOOLLEIDER],
        world.users[Role.ADMIN],
    ]
    for person in people:
        client.logout()
        if person is not None:
            client.force_login(person)
        for route, _, namespaces in our_routes():
            if "api" in namespaces or "logout" in route or "uitloggen" in route:
                continue
            url = fill(route, ids)
            for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
                response = client.get(url, **headers)
                if response.status_code >= 300 or "text/html" not in response.get("Content-Type", ""):
                    continue
                checked += 1
                found = inline_code(response.content.decode())
                if found:
                    problems.append(f"{url} {headers}: {found}")
    assert problems == []
    assert checked > 100, f"only {checked} pages answered: the walk is not reaching the routes"


NUL_ADDRESSES = [
    "/stem/%00/",
    "/s/%00",
    "/stem/?code=%00",
    "/agenda/%00.ics",
    "/school/{school}/teams/?q=%00",
    "/school/{school}/?%00=1",
]


@pytest.mark.parametrize("address", NUL_ADDRESSES)
@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "schoolleider"])
def test_a_nul_character_in_the_address_answers_our_400_page_never_a_500(client, world, address, signed_in):
    """PostgreSQL cannot hold a NUL character; in a path or query value it used to reach the
    database and raise. Refused up front, with the platform's own page and its headers."""
    from leerkracht.roles import Role

    if signed_in:
        client.force_login(world.users[Role.SCHOOLLEIDER])
    response = client.get(address.format(school=world.home.pk))
    assert response.status_code == 400
    assert "Dit adres klopt niet" in response.content.decode()
    assert "Content-Security-Policy" in response


# --- Bodies we cannot read, NUL characters in them, ids past the database ----------------------


def our_400_page(response) -> bool:
    return (
        response.status_code == 400
        and "Dit adres klopt niet" in response.content.decode()
        and "Content-Security-Policy" in response
    )


UNREADABLE_BODIES = [
    ("application/x-www-form-urlencoded; charset=utf-7", b"title=+AOs-"),
    ("application/x-www-form-urlencoded; charset=utf-16", "title=ë".encode("utf-16")),
    ("application/x-www-form-urlencoded; charset=latin-1", b"title=\xeb"),
    ("multipart/form-data; boundary=", b"--\r\n"),
]


@pytest.mark.parametrize(("content_type", "body"), UNREADABLE_BODIES, ids=[c for c, _ in UNREADABLE_BODIES])
@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "leraar"])
def test_a_body_we_cannot_read_answers_our_400_page(client, world, content_type, body, signed_in):
    """A form in a charset other than UTF-8 (Django reads none other) or a broken multipart body:
    our 400 page with its headers, from the sign-in page as from a card's form."""
    from leerkracht.roles import Role

    if signed_in:
        client.force_login(world.users[Role.LERAAR])
    board = world.boards[world.home.pk].board
    for url in ["/inloggen/", f"/school/{world.home.pk}/borden/{board.pk}/knelpunten/nieuw/"]:
        assert our_400_page(client.generic("POST", url, data=body, content_type=content_type)), url


NUL_BODIES = [
    ("application/x-www-form-urlencoded", b"username=a%00b&password=x"),
    ("application/x-www-form-urlencoded", b"a%00b=1"),
    (
        "multipart/form-data; boundary=b",
        b'--b\r\nContent-Disposition: form-data; name="username"\r\n\r\na\x00b\r\n--b--\r\n',
    ),
    # UTF-7 spells a NUL without one: Django decodes a multipart body in the charset it names.
    (
        "multipart/form-data; boundary=b; charset=utf-7",
        b'--b\r\nContent-Disposition: form-data; name="username"\r\n\r\na+AAA-b\r\n--b--\r\n',
    ),
    ("application/json", b'{"username": ["a\\u0000b"]}'),
]


@pytest.mark.parametrize(("content_type", "body"), NUL_BODIES, ids=["field", "name", "multipart", "utf-7", "json"])
def test_a_nul_character_in_a_body_answers_our_400_page(client, content_type, body):
    """Forms refuse a NUL in their text fields; the middleware refuses it in any field, before a
    view or a check that reads the body without a form could hand it to PostgreSQL."""
    assert our_400_page(client.generic("POST", "/inloggen/", data=body, content_type=content_type))


def test_an_escaped_backslash_before_u0000_in_json_is_no_nul(client):
    """`\\\\u0000` in JSON is the text `\\u0000`, not a NUL: not refused for one."""
    response = client.generic("POST", "/inloggen/", data=b'{"note": "\\\\u0000"}', content_type="application/json")
    assert response.status_code == 200


def wsgi_call(environ: dict) -> tuple[str, dict, bytes]:
    """Ask the WSGI application gunicorn serves (leerkracht/wsgi.py), through every middleware.
    Its request signals would close the test's database connection (as the test client's do not)."""
    import io
    from wsgiref.util import setup_testing_defaults

    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from leerkracht.wsgi import application

    body = environ.pop("body", b"")
    environ = {"REQUEST_METHOD": "POST", "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body), **environ}
    setup_testing_defaults(environ)
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer.update(status=status, headers=dict(headers))

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = application(environ, start_response)
        content = b"".join(response)
        response.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return answer["status"], answer["headers"], content


@pytest.mark.parametrize(
    "content_type",
    [
        "application/x-www-form-urlencoded; charset*=nonexistent''utf-8",  # RFC 2231, unknown charset
        "application/x-www-form-urlencoded; charset=" + "x" * 10_000,  # past Django's limit
        "application/x-www-form-urlencoded; charset=utf-7",
    ],
    ids=["rfc-2231-unknown-charset", "overlong", "utf-7"],
)
def test_a_content_type_django_cannot_parse_answers_our_400_page_not_a_bare_500(world, content_type):
    """Django parses the Content-Type while it builds the request, before any middleware: a header
    it cannot parse raised there and reached gunicorn, which answered a bare 500 without our
    headers. Asked through the WSGI application itself, with a CSRF cookie as a browser sends
    it, every middleware runs: our 400 page, with the security headers."""
    status, headers, content = wsgi_call(
        {
            "PATH_INFO": "/inloggen/",
            "CONTENT_TYPE": content_type,
            "HTTP_COOKIE": "csrftoken=" + "a" * 32,
            "body": b"csrfmiddlewaretoken=" + b"a" * 32 + b"&username=x",
        }
    )
    assert status.startswith("400")
    assert "Content-Security-Policy" in headers and "X-Content-Type-Options" in headers
    assert "Dit adres klopt niet" in content.decode()


def test_an_id_past_what_the_database_holds_answers_404(client, world):
    """`<int:…>` takes any run of digits; a number past a 64-bit key made SQLite raise (500)."""
    from leerkracht.roles import Role

    client.force_login(world.users[Role.ADMIN])
    huge = "9" * 20
    for url in [f"/barometer/vragenlijsten/{huge}/versies/1/", f"/school/{world.home.pk}/lesbezoeken/{huge}/"]:
        response = client.get(url)
        assert response.status_code == 404 and "Content-Security-Policy" in response, url


def test_the_error_pages_render_even_when_the_request_context_cannot(rf):
    """An error page that raised would answer a bare 500: when drawing it with the request's
    context fails (the session's database gone, say), it is drawn without that context."""
    from django.utils.functional import SimpleLazyObject

    from leerkracht import errors

    def gone():
        raise RuntimeError("the database is gone")

    for handler, status in [(errors.bad_request, 400), (errors.forbidden, 403), (errors.not_found, 404)]:
        request = rf.post("/inloggen/", data=b"x", content_type="application/x-www-form-urlencoded; charset=utf-7")
        request.user = SimpleLazyObject(gone)
        response = handler(request, exception=None)
        assert response.status_code == status
        assert b'<a class="skip-link" href="#main">' in response.content
