"""Query counts of the wave steps, pinned at two sizes: the tick and the invite cost the same for
one school or many, four teachers or sixteen; the sender costs a fixed amount per e-mail."""

from __future__ import annotations

import datetime as dt

import pytest

from barometer.models import EmailKind, InvitationEmail, WaveSchool
from barometer.services import waves
from barometer.tests.factories import WaveFactory
from barometer.tests.test_waves import OPENS, PLANNING
from leerkracht import tenancy
from schools.models import Phase
from schools.services import team_membership_add
from schools.tests.factories import SchoolFactory, TeamFactory, UserFactory


def schools_with_teachers(schools: int, teachers: int):
    made = []
    for _s in range(schools):
        school = SchoolFactory(phase=Phase.YEAR_1)
        team = TeamFactory(school=school, name="Team A")
        for _t in range(teachers):
            team_membership_add(user=UserFactory(), team=team)
        made.append(school)
    return made


@pytest.mark.parametrize("schools", [1, 6])
def test_a_tick_costs_the_same_for_one_due_school_or_many(db, django_assert_num_queries, schools):
    schools_with_teachers(schools, 1)
    wave = WaveFactory()
    waves.wave_plan(wave=wave, now=PLANNING)
    # close: one select (nothing due, so no UPDATE); open: select + one claiming UPDATE for all;
    # remind: one select (nothing due); recovery: four selects (lost reminders, uninvited moments,
    # pending e-mails, unrelayed messages). The invitations are the enqueued tasks' work.
    with django_assert_num_queries(8):
        result = waves.barometer_tick(now=OPENS)
    assert len(result.opened) == schools


@pytest.mark.parametrize("teachers", [4, 16])
def test_inviting_a_school_costs_the_same_for_four_teachers_or_sixteen(
    db, django_assert_num_queries, django_capture_on_commit_callbacks, teachers
):
    (school,) = schools_with_teachers(1, teachers)
    wave = WaveFactory()
    waves.wave_plan(wave=wave, now=PLANNING)
    with django_capture_on_commit_callbacks(execute=False):
        waves.barometer_tick(now=OPENS)
    moment = WaveSchool.unscoped.get(wave=wave)
    # The moment; the teachers (team and school roles); in a savepoint: who is invited already,
    # a count, ONE insert of all invitations, a count; a count, the ids, ONE insert of all
    # e-mails, a count; the release.
    with (
        tenancy.scope(school_ids=[school.pk]),
        django_capture_on_commit_callbacks(execute=False),
        django_assert_num_queries(13),
    ):
        assert waves.wave_school_invite(school_id=school.pk, wave_school_id=moment.pk) == teachers
    assert InvitationEmail.unscoped.filter(invitation__wave_school=moment).count() == teachers


@pytest.mark.parametrize("teachers", [4, 16])
def test_the_sender_costs_a_fixed_number_of_queries_per_chunk(
    db, django_assert_num_queries, django_capture_on_commit_callbacks, settings, teachers
):
    settings.BAROMETER_EMAIL_CHUNK = 5
    (school,) = schools_with_teachers(1, teachers)
    wave = WaveFactory()
    waves.wave_plan(wave=wave, now=PLANNING)
    with django_capture_on_commit_callbacks(execute=False):
        waves.barometer_tick(now=OPENS)
    moment = WaveSchool.unscoped.get(wave=wave)
    with tenancy.scope(school_ids=[school.pk]), django_capture_on_commit_callbacks(execute=False):
        waves.wave_school_invite(school_id=school.pk, wave_school_id=moment.pk)
        chunks = -(-teachers // 5)
        # The moment once; per chunk the read of its ids, a savepoint, the locked read of its
        # e-mails, ONE insert of its messages, ONE status update and the release; the empty read
        # that ends the walk. Nothing per e-mail: the text is rendered once per moment.
        with django_assert_num_queries(1 + 6 * chunks + 1):
            sent = waves.invitation_emails_send(
                school_id=school.pk,
                wave_school_id=moment.pk,
                kind=EmailKind.INVITE,
                now=OPENS + dt.timedelta(minutes=1),
            )
    assert sent == teachers
