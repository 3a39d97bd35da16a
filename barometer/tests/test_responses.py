"""The school's barometer response rates: counts per team, live, for the roles that see the
school's people; never anything of what was answered."""

import datetime as dt
import secrets

import pytest
from django.core.cache import caches
from django.utils import timezone

from barometer.models import Invitation, WaveSchool, WaveSchoolStatus
from barometer.tests.factories import WaveFactory
from leerkracht.roles import Role
from schools.services import team_membership_add
from schools.tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def moment(school, *, status=WaveSchoolStatus.OPEN, days_ago=2):
    opens = timezone.now() - dt.timedelta(days=days_ago)
    return WaveSchool.objects.create(
        school=school,
        wave=WaveFactory(name=f"Meting {secrets.token_hex(2)}"),
        opens_on=opens.date(),
        opens_at=opens,
        closes_at=opens + dt.timedelta(days=21),
        status=status,
        opened_at=opens,
    )


def invite(wave_school, user, team, *, answered=False):
    return Invitation.objects.create(
        school_id=wave_school.school_id,
        wave_school=wave_school,
        wave=wave_school.wave,
        user=user,
        team=team,
        nonce=secrets.token_hex(16),
        token_digest=secrets.token_hex(32),
        answered_at=timezone.now() if answered else None,
    )


def row(team: str, invited: int, answered: int, percent: str) -> str:
    cells = (
        f'<td class="num" data-label="Uitgenodigd">{invited}</td>'
        f'<td class="num" data-label="Geantwoord">{answered}</td>'
        f'<td class="num" data-label="%">{percent}</td>'
    )
    return f'<th scope="row">{team}</th>{cells}'


def url(world) -> str:
    return f"/school/{world.home.pk}/barometer/"


def test_the_schoolcoach_sees_each_teams_response_rate_and_the_schools(client, world):
    ws = moment(world.home)
    team_a, team_b = world.home_team, world.other_home_team
    for n in range(4):
        invite(ws, UserFactory(), team_a, answered=n < 3)
    invite(ws, UserFactory(), team_b, answered=False)
    invite(ws, UserFactory(), None, answered=True)
    client.force_login(world.users[Role.SCHOOLCOACH])
    html = client.get(url(world)).content.decode()
    assert "4 van 6 leraren hebben geantwoord" in html and "67%" in html
    assert row("Team A", 4, 3, "75%") in html
    assert row("Team B", 1, 0, "0%") in html
    assert "Zonder team" in html
    assert 'hx-trigger="every 15s"' in html, "an open moment refreshes itself"


def test_a_closed_moment_does_not_poll_and_an_unopened_one_is_not_shown(client, world):
    moment(world.home, status=WaveSchoolStatus.CLOSED, days_ago=40)
    unopened = moment(world.home, status=WaveSchoolStatus.PLANNED, days_ago=-3)
    WaveSchool.objects.filter(pk=unopened.pk).update(opened_at=None)
    client.force_login(world.users[Role.SCHOOLLEIDER])
    html = client.get(url(world)).content.decode()
    assert "Gesloten" in html and unopened.wave.name not in html
    assert "every 15s" not in html


def test_the_partial_answers_only_the_rates_and_varies_on_htmx(client, world):
    moment(world.home)
    client.force_login(world.users[Role.SCHOOLCOACH])
    response = client.get(url(world), **HTMX)
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="responses"') and "<html" not in body
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.SCHOOLCOACH, 200),
        (Role.SCHOOLLEIDER, 200),
        (Role.EXPERTCOACH, 200),
        (Role.VERANDERCOACH, 200),
        (Role.ADMIN, 200),
        (Role.LERAAR, 403),
        (Role.BESTUURDER, 403),
    ],
)
def test_who_sees_the_response_rates(client, world, role, status):
    client.force_login(world.users[role])
    assert client.get(url(world)).status_code == status


def test_an_empty_school_says_no_moment_opened_yet(client, world):
    client.force_login(world.users[Role.SCHOOLCOACH])
    assert "nog geen meetmoment" in client.get(url(world)).content.decode()


def count(client, path, django_assert_num_queries, expected, **headers):
    for cache in caches.all():
        cache.clear()
    with django_assert_num_queries(expected):
        assert client.get(path, **headers).status_code == 200


@pytest.mark.parametrize(("headers", "expected"), [({}, 7), (HTMX, 5)])
def test_query_count_is_fixed_whatever_the_moments_teams_and_teachers(
    client, world, django_assert_num_queries, headers, expected
):
    client.force_login(world.users[Role.SCHOOLCOACH])
    ws = moment(world.home)
    invite(ws, UserFactory(), world.home_team)
    count(client, url(world), django_assert_num_queries, expected, **headers)
    for n in range(5):
        extra = moment(world.home, status=WaveSchoolStatus.CLOSED, days_ago=30 + n)
        for m in range(4):
            team = TeamFactory(school=world.home, name=f"Team {n}-{m}")
            teacher = team_membership_add(user=UserFactory(), team=team).user
            invite(extra, teacher, team, answered=m % 2 == 0)
    count(client, url(world), django_assert_num_queries, expected, **headers)
