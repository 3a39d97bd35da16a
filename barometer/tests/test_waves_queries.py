"""Query counts of the wave steps, pinned at two sizes: the tick and the invite cost the same for
one school or many, four teachers or sixteen; a batch task costs a fixed amount per transaction of
whole schools (invite) or per chunk of e-mails (sender), never anything per teacher or school."""

from __future__ import annotations

import datetime as dt

import pytest

from barometer.models import EmailKind, InvitationEmail, WaveSchool
from barometer.services import waves
from barometer.tests.factories import WaveFactory
from barometer.tests.test_waves import OPENS, PLANNING
from leerkracht import mail as outbox
from leerkracht import tenancy
from leerkracht.models import OutboxMessage
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


def opened(schools, django_capture_on_commit_callbacks) -> dict[str, list[int]]:
    """A wave planned and opened for these schools without running its tasks; the batch task's
    arguments."""
    wave = WaveFactory()
    waves.wave_plan(wave=wave, now=PLANNING)
    with django_capture_on_commit_callbacks(execute=False):
        waves.barometer_tick(now=OPENS)
    moments = WaveSchool.unscoped.filter(wave=wave).order_by("pk")
    return {"school_ids": sorted(school.pk for school in schools), "wave_school_ids": [m.pk for m in moments]}


@pytest.mark.parametrize("schools", [1, 6])
def test_a_tick_costs_the_same_for_one_due_school_or_many(db, django_assert_num_queries, schools):
    schools_with_teachers(schools, 1)
    wave = WaveFactory()
    waves.wave_plan(wave=wave, now=PLANNING)
    # close: one select (nothing due, so no UPDATE); open: select + one claiming UPDATE for all;
    # remind: one select (nothing due); recovery: five selects (answers left in the pool of a
    # closed moment, lost reminders, uninvited moments, pending e-mails, unrelayed messages). The
    # invitations are the enqueued batch tasks' work.
    with django_assert_num_queries(9):
        result = waves.barometer_tick(now=OPENS)
    assert len(result.opened) == schools


@pytest.mark.parametrize(("schools", "teachers"), [(1, 4), (6, 16)])
def test_inviting_a_batch_costs_the_same_for_one_school_of_four_or_six_of_sixteen(
    db, django_assert_num_queries, django_capture_on_commit_callbacks, schools, teachers
):
    made = schools_with_teachers(schools, teachers)
    batch = opened(made, django_capture_on_commit_callbacks)
    # The open moments (with wave, version and school); the teachers of all the schools (team
    # members, school roles); then one transaction (96 teachers fit one chunk of 500): savepoint,
    # ONE insert of every invitation (ON CONFLICT … RETURNING), ONE insert of their e-mails,
    # release.
    with (
        tenancy.scope(school_ids=batch["school_ids"]),
        django_capture_on_commit_callbacks(execute=False),
        django_assert_num_queries(3 + 4),
    ):
        assert waves.wave_schools_invite(**batch) == schools * teachers
    assert InvitationEmail.unscoped.filter(invitation__wave_school_id__in=batch["wave_school_ids"]).count() == (
        schools * teachers
    )


@pytest.mark.parametrize(("schools", "transactions"), [(2, 1), (6, 3)])
def test_inviting_costs_four_queries_per_transaction_of_whole_schools(
    db, django_assert_num_queries, django_capture_on_commit_callbacks, settings, schools, transactions
):
    settings.BAROMETER_EMAIL_CHUNK = 8  # two schools of four teachers per transaction
    made = schools_with_teachers(schools, 4)
    batch = opened(made, django_capture_on_commit_callbacks)
    # Moments and teachers once; per transaction: savepoint, invitations, e-mails, release.
    with (
        tenancy.scope(school_ids=batch["school_ids"]),
        django_capture_on_commit_callbacks(execute=False),
        django_assert_num_queries(3 + 4 * transactions),
    ):
        assert waves.wave_schools_invite(**batch) == schools * 4


@pytest.mark.parametrize(("schools", "teachers"), [(1, 4), (6, 16)])
def test_reminding_a_batch_costs_the_same_for_one_school_of_four_or_six_of_sixteen(
    db, django_assert_num_queries, django_capture_on_commit_callbacks, schools, teachers
):
    made = schools_with_teachers(schools, teachers)
    batch = opened(made, django_capture_on_commit_callbacks)
    with tenancy.scope(school_ids=batch["school_ids"]), django_capture_on_commit_callbacks(execute=False):
        waves.wave_schools_invite(**batch)
        # The open moments; savepoint, ONE INSERT … SELECT of every unanswered invitation's
        # reminder (ON CONFLICT … RETURNING), release.
        with django_assert_num_queries(1 + 3):
            assert waves.wave_schools_remind(**batch) == schools * teachers


@pytest.mark.parametrize(("schools", "teachers"), [(1, 4), (3, 6)])
def test_the_sender_costs_a_fixed_number_of_queries_per_chunk(
    db, django_assert_num_queries, django_capture_on_commit_callbacks, settings, schools, teachers
):
    settings.BAROMETER_EMAIL_CHUNK = 5
    made = schools_with_teachers(schools, teachers)
    batch = opened(made, django_capture_on_commit_callbacks)
    emails = schools * teachers  # 4 (one chunk, not full) or 18 (5, 5, 5, 3)
    chunks = -(-emails // 5)
    with tenancy.scope(school_ids=batch["school_ids"]), django_capture_on_commit_callbacks(execute=False):
        waves.wave_schools_invite(**batch)
        # The moments once (the text is rendered once for the wave's deadline, from them); per
        # chunk a savepoint, the locked read of its e-mails with the names and addresses, ONE
        # insert of its messages, ONE status update and the release. A chunk that is not full
        # ends the walk. Nothing per e-mail or per school.
        with django_assert_num_queries(1 + 5 * chunks):
            sent = waves.wave_schools_emails_send(**batch, kind=EmailKind.INVITE, now=OPENS + dt.timedelta(minutes=1))
    assert sent == emails == OutboxMessage.objects.count()


def test_a_full_last_chunk_costs_one_empty_read_to_end_the_walk(
    db, django_assert_num_queries, django_capture_on_commit_callbacks, settings
):
    settings.BAROMETER_EMAIL_CHUNK = 5
    made = schools_with_teachers(2, 5)
    batch = opened(made, django_capture_on_commit_callbacks)
    with tenancy.scope(school_ids=batch["school_ids"]), django_capture_on_commit_callbacks(execute=False):
        waves.wave_schools_invite(**batch)
        # Two full chunks; then savepoint, the read that finds nothing, release.
        with django_assert_num_queries(1 + 5 * 2 + 3):
            assert waves.wave_schools_emails_send(**batch, kind=EmailKind.INVITE) == 10


@pytest.mark.parametrize(("schools", "teachers"), [(1, 4), (3, 6)])
def test_the_relay_of_invitations_costs_two_reads_per_batch_and_two_writes_per_message(
    db, django_assert_num_queries, django_capture_on_commit_callbacks, schools, teachers
):
    """The core's relay (leerkracht/mail.py): the batch of due messages and, through the
    barometer's finisher, their invitations for the answer links; per message the committed claim
    and the stamp after the send."""
    made = schools_with_teachers(schools, teachers)
    batch = opened(made, django_capture_on_commit_callbacks)
    with tenancy.scope(school_ids=batch["school_ids"]), django_capture_on_commit_callbacks(execute=False):
        waves.wave_schools_invite(**batch)
        waves.wave_schools_emails_send(**batch, kind=EmailKind.INVITE)
    messages = schools * teachers
    with django_assert_num_queries(2 + 2 * messages):
        assert outbox.outbox_relay() == messages
