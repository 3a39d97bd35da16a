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
    from instruments.services import lesson_visit as visit_services
    from leerkracht.roles import Role
    from leerkracht.tests.test_url_sweep import fill, our_routes, platform_ids

    home = world.home
    ids = {
        "school_id": home.pk,
        "school_group_id": home.school_group_id,
        "region_id": home.region_id,
        "team_id": world.home_team.pk,
        **world.boards[home.pk].ids(),
        **world.instruments[home.pk].ids(),
        "code": world.instruments[home.pk].feedback_round.code,
        "token": visit_services.calendar_feed_create(user=world.users[Role.LERAAR]).token,
        "uidb64": "x",
        **platform_ids(),
    }
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
