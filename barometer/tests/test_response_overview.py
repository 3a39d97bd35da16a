"""The national response-rate overview: every school's moment with invited, answered and percent,
filtered, sorted (open first, lowest rate on top), paged, live while a moment is open — for
admins only, and counts only: never who answered what."""

from __future__ import annotations

import datetime as dt
import re
import secrets

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from barometer.models import Invitation, WaveSchool, WaveSchoolStatus
from barometer.tests.factories import WaveFactory
from leerkracht.roles import Role
from schools.models import Sector
from schools.services import team_membership_add
from schools.tests.factories import RegionFactory, SchoolFactory, SchoolGroupFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/barometer/respons/"
HTMX = {"HTTP_HX_REQUEST": "true"}
UTC = dt.UTC
# 05:30 UTC in June is 07:30 in Amsterdam (summer time); 06:30 UTC in March is 07:30 (winter).
JUNE = dt.datetime(2026, 6, 15, 5, 30, tzinfo=UTC)


def moment(school, wave, *, status=WaveSchoolStatus.OPEN, opens_at=JUNE):
    return WaveSchool.objects.create(
        school=school,
        wave=wave,
        opens_on=opens_at.date(),
        opens_at=opens_at,
        closes_at=opens_at + dt.timedelta(days=21),
        status=status,
        opened_at=None if status == WaveSchoolStatus.PLANNED else opens_at,
    )


def invite(wave_school, *, invited: int, answered: int, team=None) -> None:
    """`invited` teachers of the school invited to the moment, the first `answered` of them done."""
    for n in range(invited):
        Invitation.objects.create(
            school_id=wave_school.school_id,
            wave_school=wave_school,
            wave=wave_school.wave,
            user=UserFactory(),
            team=team,
            nonce=secrets.token_hex(16),
            token_digest=secrets.token_hex(32),
            answered_at=JUNE + dt.timedelta(days=1) if n < answered else None,
        )


def rows(html: str) -> list[str]:
    """The school names of the per-school table's rows, in order."""
    if 'id="school-rates-caption"' not in html:
        return []
    body = html.split('id="school-rates-caption"', 1)[1]
    return re.findall(r'<th scope="row"><a href="/school/\d+/barometer/">([^<]+)</a>', body)


def cells(html: str, school: str) -> list[str]:
    """The text of a school's row's cells (its name first)."""
    row = re.search(rf"<tr>\s*<th scope=\"row\"><a [^>]+>{re.escape(school)}</a>.*?</tr>", html, re.S).group(0)
    texts = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row.replace("&nbsp;", " "), re.S)
    return [re.sub(r"<[^>]+>", " ", text).split() for text in texts]


def percent_of(html: str, school: str) -> str:
    return cells(html, school)[7][0]  # the "Respons" cell; "Herinneren" follows it


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.users[Role.ADMIN])
    return client


def test_each_school_moment_shows_its_school_sector_region_status_times_and_counts(admin_client, world):
    wave = WaveFactory(name="Zes maanden")
    home = world.home  # School 1.1.1: PO, Wereldregio 1
    ws = moment(home, wave)
    invite(ws, invited=6, answered=4, team=world.home_team)
    html = admin_client.get(URL).content.decode()
    assert rows(html) == ["School 1.1.1"]
    assert f'<a href="/school/{home.pk}/barometer/">School 1.1.1</a>' in html, "the school links to its own page"
    row = cells(html, "School 1.1.1")
    assert row[0] == ["School", "1.1.1", "Zes", "maanden"]
    assert row[1:4] == [["PO"], ["Wereldregio", "1"], ["Open"]]
    assert '<abbr title="Primair onderwijs">PO</abbr>' in html
    # Amsterdam time (summer: UTC+2), not the UTC the database holds.
    assert row[4] == ["15", "jun", "2026,", "07:30", "–", "6", "jul", "2026,", "07:30"]
    assert '<time datetime="2026-06-15T07:30:00+02:00">' in html
    assert row[5:8] == [["6"], ["4"], ["67%"]]
    assert '<progress max="100" value="67" aria-hidden="true"></progress>' in html
    assert "style=" not in html


def test_winter_times_are_amsterdam_times_too(admin_client, world):
    ws = moment(world.home, WaveFactory(), opens_at=dt.datetime(2026, 3, 2, 6, 30, tzinfo=UTC))
    invite(ws, invited=1, answered=0)
    row = cells(admin_client.get(URL).content.decode(), "School 1.1.1")
    assert row[4][:4] == ["2", "mrt", "2026,", "07:30"]


@pytest.mark.parametrize(
    ("invited", "answered", "shown"),
    [(8, 1, "13%"), (8, 5, "63%"), (3, 2, "67%"), (6, 1, "17%"), (200, 1, "1%"), (400, 1, "0%"), (7, 7, "100%")],
)
def test_percentages_round_halves_up_to_whole_percents(admin_client, world, invited, answered, shown):
    ws = moment(world.home, WaveFactory())
    invite(ws, invited=invited, answered=answered)
    assert percent_of(admin_client.get(URL).content.decode(), "School 1.1.1") == shown


def test_a_moment_nobody_was_invited_to_shows_a_dash_and_no_bar(admin_client, world):
    moment(world.home, WaveFactory(), status=WaveSchoolStatus.PLANNED)
    html = admin_client.get(URL).content.decode()
    assert percent_of(html, "School 1.1.1") == "—"
    assert "<progress" not in html


def test_open_moments_come_first_lowest_rate_on_top_then_closed_then_planned(admin_client, world):
    wave = WaveFactory()
    s = world.schools
    for school, status, invited, answered in [
        (s[0], WaveSchoolStatus.OPEN, 4, 3),  # 75%
        (s[1], WaveSchoolStatus.CLOSED, 10, 1),  # 10%, but closed
        (s[2], WaveSchoolStatus.OPEN, 3, 1),  # 33%
        (s[3], WaveSchoolStatus.PLANNED, 0, 0),
        (s[4], WaveSchoolStatus.OPEN, 100, 34),  # 34%: above 1 of 3 although both show about a third
        (s[5], WaveSchoolStatus.OPEN, 2, 0),  # 0%
    ]:
        invite(moment(school, wave, status=status), invited=invited, answered=answered)
    names = rows(admin_client.get(URL).content.decode())
    assert names == ["School 2.1.2", "School 1.2.1", "School 2.1.1", "School 1.1.1", "School 1.1.2", "School 1.2.2"]


def build_filter_world(world):
    """Two waves over the world's schools: PO, VO and MBO schools in two regions, open, closed
    and planned moments."""
    autumn, spring = WaveFactory(name="Najaar"), WaveFactory(name="Voorjaar")
    s = world.schools  # sectors per bestuur: [PO, VO], [MBO, PO]; regions: s[0:4], s[4:8]
    invite(moment(s[0], autumn), invited=4, answered=1)
    invite(moment(s[1], autumn, status=WaveSchoolStatus.CLOSED), invited=5, answered=5)
    invite(moment(s[2], autumn), invited=2, answered=1)
    invite(moment(s[5], autumn), invited=10, answered=3)
    moment(s[4], spring, status=WaveSchoolStatus.PLANNED)
    invite(moment(s[0], spring), invited=3, answered=3)
    return autumn, spring


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["School 1.1.1", "School 2.1.2", "School 1.2.1", "School 1.1.1", "School 1.1.2", "School 2.1.1"]),
        ("meetmoment={autumn}", ["School 1.1.1", "School 2.1.2", "School 1.2.1", "School 1.1.2"]),
        ("meetmoment={spring}", ["School 1.1.1", "School 2.1.1"]),
        ("sector=po", ["School 1.1.1", "School 1.1.1", "School 2.1.1"]),
        ("sector=vo", ["School 2.1.2", "School 1.1.2"]),
        ("regio={region2}", ["School 2.1.2", "School 2.1.1"]),
        ("status=gesloten", ["School 1.1.2"]),
        ("status=gepland", ["School 2.1.1"]),
        ("status=open&sector=po&meetmoment={autumn}", ["School 1.1.1"]),
        ("q=school+1.2", ["School 1.2.1"]),
        ("q=SCHOOL 2", ["School 2.1.2", "School 2.1.1"]),
        # What the form does not understand filters nothing.
        ("meetmoment=abc&sector=hbo&status=kapot&regio=-1", None),
    ],
)
def test_the_filters_narrow_the_list(admin_client, world, query, expected):
    autumn, spring = build_filter_world(world)
    ids = {"autumn": autumn.pk, "spring": spring.pk, "region2": world.regions[1].pk}
    everything = rows(admin_client.get(URL).content.decode())
    html = admin_client.get(f"{URL}?{query.format(**ids)}").content.decode()
    assert rows(html) == (everything if expected is None else expected)


def test_totals_per_wave_and_over_the_selection(admin_client, world):
    autumn, _spring = build_filter_world(world)
    html = admin_client.get(URL).content.decode()
    totals = html.split('id="wave-totals-caption"', 1)[1].split("</table>", 1)[0]
    flat = " ".join(re.sub(r"<[^>]+>", " ", totals).split())
    # Voorjaar (newest first): 2 moments, 1 open, 3 of 3; Najaar: 4 moments, 3 open, 10 of 21.
    assert "Voorjaar 2 1 3 3 100%" in flat
    assert "Najaar 4 3 21 10 48%" in flat
    assert flat.index("Voorjaar") < flat.index("Najaar")
    assert "Totaal van de selectie 6 4 24 13 54%" in flat
    html = admin_client.get(f"{URL}?meetmoment={autumn.pk}&sector=po").content.decode()
    flat = " ".join(
        re.sub(r"<[^>]+>", " ", html.split('id="wave-totals-caption"', 1)[1].split("</table>", 1)[0]).split()
    )
    assert flat.endswith("Totaal van de selectie 1 1 4 1 25%")


def many_moments(n: int, *, wave=None, status=WaveSchoolStatus.OPEN):
    wave = wave or WaveFactory()
    region, group = RegionFactory(), SchoolGroupFactory()
    made = []
    for i in range(n):
        school = SchoolFactory(name=f"Paginaschool {i:03d}", region=region, school_group=group)
        made.append(moment(school, wave, status=status))
    return wave, made


def test_fifty_moments_a_page_and_the_links_keep_the_filters(admin_client, world):
    wave, made = many_moments(53)
    invite(made[0], invited=2, answered=1)  # 50%: every other moment has no rate and comes after it
    html = admin_client.get(f"{URL}?meetmoment={wave.pk}").content.decode()
    first = rows(html)
    assert len(first) == 50 and first[0] == "Paginaschool 000"
    assert "53 meetmomenten van scholen" in html and "Pagina 1 van 2" in html
    assert f'href="?meetmoment={wave.pk}&amp;pagina=2"' in html
    second = rows(admin_client.get(f"{URL}?meetmoment={wave.pk}&pagina=2").content.decode())
    assert len(second) == 3 and not set(first) & set(second)
    # The selection's total covers every page, not just the one shown.
    assert "Totaal van de selectie</th>" in html and ">53</td>" in html
    # A page past the end shows the last; a nonsense page the first.
    assert rows(admin_client.get(f"{URL}?meetmoment={wave.pk}&pagina=9").content.decode()) == second
    assert rows(admin_client.get(f"{URL}?meetmoment={wave.pk}&pagina=x").content.decode()) == first


def test_an_open_moment_makes_the_results_refresh_themselves_with_the_same_filters(admin_client, world):
    wave, _made = many_moments(51)
    html = admin_client.get(f"{URL}?meetmoment={wave.pk}&status=open&pagina=2&onbekend=1").content.decode()
    section = re.search(r'<section id="response-results"[^>]*>', html).group(0)
    assert 'hx-trigger="every 15s"' in section
    assert f'hx-get="/barometer/respons/?meetmoment={wave.pk}&amp;status=open&amp;pagina=2"' in section


def test_without_an_open_moment_nothing_polls(admin_client, world):
    wave = WaveFactory()
    invite(moment(world.home, wave, status=WaveSchoolStatus.CLOSED), invited=3, answered=2)
    moment(world.schools[1], wave, status=WaveSchoolStatus.PLANNED)
    html = admin_client.get(URL).content.decode()
    assert "every 15s" not in html
    # An open moment outside the selection does not make the selection poll either.
    moment(world.schools[2], wave)
    assert "every 15s" not in admin_client.get(f"{URL}?status=gesloten").content.decode()
    assert "every 15s" in admin_client.get(URL).content.decode()


def test_the_partial_answers_only_the_results_and_varies_on_htmx(admin_client, world):
    invite(moment(world.home, WaveFactory()), invited=2, answered=1)
    response = admin_client.get(URL, **HTMX)
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="response-results"') and "<html" not in body
    # Not the filters (the only forms inside are the rows' "Herinnering nu versturen").
    assert 'class="response-filters"' not in body and rows(body) == ["School 1.1.1"]
    assert "HX-Request" in response["Vary"]
    restore = admin_client.get(URL, **HTMX, HTTP_HX_HISTORY_RESTORE_REQUEST="true").content.decode()
    assert "<html" in restore, "a history restore gets the whole page"


def test_empty_states(admin_client, world):
    assert "Nog geen meetmomenten" in admin_client.get(URL).content.decode()
    moment(world.home, WaveFactory())
    html = admin_client.get(f"{URL}?q=bestaat-niet").content.decode()
    assert "Geen meetmomenten gevonden" in html and rows(html) == []


def test_counts_only_the_answers_and_the_people_are_never_read(admin_client, world):
    """The rates come from the invitations: no query touches the anonymous answers, and no
    teacher's name appears."""
    ws = moment(world.home, WaveFactory())
    teacher = world.users[Role.LERAAR]
    Invitation.objects.create(
        school_id=ws.school_id,
        wave_school=ws,
        wave=ws.wave,
        user=teacher,
        team=world.home_team,
        nonce="n",
        token_digest=secrets.token_hex(32),
        answered_at=JUNE,
    )
    with CaptureQueriesContext(connection) as queries:
        html = admin_client.get(URL).content.decode()
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "barometer_invitation" in sql
    assert "barometer_response" not in sql and "barometer_answer" not in sql
    assert teacher.last_name not in html and teacher.email not in html


@pytest.mark.parametrize(
    "role",
    [Role.LERAAR, Role.SCHOOLCOACH, Role.SCHOOLLEIDER, Role.EXPERTCOACH, Role.VERANDERCOACH, Role.BESTUURDER],
)
def test_only_admins_reach_it_everyone_else_gets_the_platform_404(client, world, role):
    """The central rule answers 404 for a platform page to anyone but an admin (as for the
    national overview): not even its existence is confirmed. A school leader cannot reach it by
    page, partial or with filters aimed at their own school."""
    moment(world.home, WaveFactory())
    client.force_login(world.users[role])
    assert client.get(URL).status_code == 404
    assert client.get(URL, **HTMX).status_code == 404
    assert client.get(f"{URL}?q={world.home.name}").status_code == 404
    assert client.post(URL).status_code == 404


def test_anonymous_goes_to_the_login_and_admins_may_only_read(client, world):
    assert client.get(URL).status_code == 302
    client.force_login(world.users[Role.ADMIN])
    assert client.get(URL).status_code == 200
    assert client.post(URL).status_code == 405


def build(schools: int, teams: int, teachers: int):
    """`schools` schools in two sectors and regions, each with `teams` teams of `teachers`, in two
    waves (one open, one closed), every other teacher answered."""
    waves = [WaveFactory(), WaveFactory()]
    regions = [RegionFactory(), RegionFactory()]
    for i in range(schools):
        school = SchoolFactory(region=regions[i % 2], sector=[Sector.PO, Sector.VO][i % 2])
        for t in range(teams):
            team = TeamFactory(school=school, name=f"Team {t}")
            members = [team_membership_add(user=UserFactory(), team=team).user for _ in range(teachers)]
            for w, wave in enumerate(waves):
                ws = WaveSchool.objects.filter(school=school, wave=wave).first() or moment(
                    school, wave, status=[WaveSchoolStatus.OPEN, WaveSchoolStatus.CLOSED][w]
                )
                for n, member in enumerate(members):
                    Invitation.objects.create(
                        school=school,
                        wave_school=ws,
                        wave=wave,
                        user=member,
                        team=team,
                        nonce=secrets.token_hex(8),
                        token_digest=secrets.token_hex(32),
                        answered_at=JUNE if n % 2 else None,
                    )


# Page: session, user, then the selected moments, their invitation counts, the page's moments
# (with school, region and wave), the waves and the regions. Partial: the same without the last two.
@pytest.mark.parametrize(("headers", "query", "expected"), [({}, "", 7), (HTMX, "", 5), (HTMX, "?sector=vo", 5)])
def test_query_count_is_fixed_whatever_the_schools_teams_and_teachers(
    client, world, django_assert_num_queries, headers, query, expected
):
    client.force_login(world.users[Role.ADMIN])
    for size in [(3, 1, 2), (12, 3, 4)]:
        build(*size)
        for cache in caches.all():
            cache.clear()
        with django_assert_num_queries(expected):
            response = client.get(URL + query, **headers)
        assert response.status_code == 200 and len(rows(response.content.decode())) > 0
