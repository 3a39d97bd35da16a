"""The barometer's section of "Mijn week" (registered in barometer.apps through instruments/week.py):
an open questionnaire waits for its teacher in its school, and leaves once answered or closed;
nobody else's, and no other school's, ever shows; the page holds no answer link."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from barometer.models import WaveSchool, WaveSchoolStatus
from barometer.tests.test_answers import invite, make_version, make_wave_school
from instruments import week
from leerkracht.roles import Role
from schools.services import team_membership_add

pytestmark = pytest.mark.django_db

WAITS = "Een open vragenlijst wacht op je"


def week_page(client, user, school) -> str:
    client.force_login(user)
    response = client.get(f"/school/{school.pk}/mijn-week/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_barometer_registers_its_section_on_the_week():
    assert "my-questionnaires" in [section.name for section in week.sections()]


def test_an_open_questionnaire_waits_for_its_teacher_until_answered(client, world):
    teacher = world.users[Role.LERAAR]
    invitation, token = invite(make_wave_school(world.home, make_version()), teacher, team=world.home_team)
    page = week_page(client, teacher, world.home)
    assert WAITS in page and 'href="/barometer/mijn/"' in page
    assert token not in page  # the personal link is made on "Mijn vragenlijsten", not here
    invitation.answered_at = timezone.now()
    invitation.save()
    page = week_page(client, teacher, world.home)
    assert WAITS not in page and "Er wacht geen vragenlijst op je" in page


def test_a_closed_or_past_moment_waits_for_nobody(client, world):
    teacher = world.users[Role.LERAAR]
    wave_school = make_wave_school(world.home, make_version())
    invite(wave_school, teacher, team=world.home_team)
    WaveSchool.objects.filter(pk=wave_school.pk).update(status=WaveSchoolStatus.CLOSED)
    assert WAITS not in week_page(client, teacher, world.home)
    WaveSchool.objects.filter(pk=wave_school.pk).update(
        status=WaveSchoolStatus.OPEN, closes_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert WAITS not in week_page(client, teacher, world.home)


def test_a_colleagues_or_another_schools_questionnaire_does_not_show(client, world):
    teacher, coach = world.users[Role.LERAAR], world.users[Role.SCHOOLCOACH]
    invite(make_wave_school(world.home, make_version()), coach, team=world.other_home_team)
    second = world.schools[1]
    team_membership_add(user=teacher, team=world.teams[second.pk][0])
    invite(make_wave_school(second, make_version()), teacher, team=world.teams[second.pk][0])
    assert WAITS not in week_page(client, teacher, world.home)
    assert WAITS in week_page(client, teacher, second)
