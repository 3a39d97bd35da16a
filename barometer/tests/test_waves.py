"""Waves on a schedule: planning each school's moment, the beat tick that opens, reminds and closes
(exactly once), the invitations and their e-mails through the outbox, the 2026 daylight-saving
changes, and the live response rate.

Tasks run eagerly (settings/test.py) after the surrounding transaction commits; the test wraps
each step in `django_capture_on_commit_callbacks(execute=True)` to play that commit. Every
service that depends on the clock takes `now`, so these tests replay exact instants.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import hashlib

import pytest
from celery.exceptions import Retry
from django.core.exceptions import ValidationError
from django.utils.crypto import salted_hmac

from barometer import mail as barometer_mail
from barometer import tasks
from barometer.models import (
    EmailKind,
    EmailStatus,
    Invitation,
    InvitationEmail,
    VersionStatus,
    WaveSchool,
    WaveSchoolStatus,
    WaveTiming,
)
from barometer.selectors.waves import response_rates
from barometer.services import waves
from barometer.services.answers import invitation_by_token
from barometer.tests.factories import WaveFactory
from leerkracht import tasks as outbox_tasks
from leerkracht import tenancy
from leerkracht.models import OutboxMessage
from leerkracht.roles import Role
from schools.models import Phase
from schools.selectors import teachers_by_school, teachers_of_school
from schools.services import team_membership_add
from schools.tests.factories import SchoolFactory, SchoolMembershipFactory, TeamFactory, UserFactory

UTC = dt.UTC


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


# 15 June 2026 07:30 in Amsterdam is summer time: 05:30 UTC.
OPENS = utc(2026, 6, 15, 5, 30)
PLANNING = utc(2026, 6, 1)


class Staff:
    """A school in year 1 with two teams and the people a wave does and does not ask, and a
    foreign school with a teacher of its own."""

    def __init__(self):
        self.school = SchoolFactory(phase=Phase.YEAR_1, start_date=dt.date(2025, 12, 1))
        self.team_a = TeamFactory(school=self.school, name="Team A")
        self.team_b = TeamFactory(school=self.school, name="Team B")
        self.ann = team_membership_add(user=UserFactory(first_name="Ann"), team=self.team_a).user
        self.bob = team_membership_add(user=UserFactory(first_name="Bob"), team=self.team_b).user
        # In both teams: counted in the first team by id.
        self.cas = team_membership_add(user=UserFactory(first_name="Cas"), team=self.team_b).user
        team_membership_add(user=self.cas, team=self.team_a)
        self.coach = SchoolMembershipFactory(school=self.school, role=Role.SCHOOLCOACH).user  # no team
        self.leader = SchoolMembershipFactory(school=self.school, role=Role.SCHOOLLEIDER).user
        self.gone = team_membership_add(user=UserFactory(is_active=False), team=self.team_a).user
        self.foreign = SchoolFactory(phase=Phase.YEAR_1, start_date=dt.date(2025, 12, 1))
        self.stranger = team_membership_add(
            user=UserFactory(), team=TeamFactory(school=self.foreign, name="Team Z")
        ).user

    @property
    def teachers(self):
        return {self.ann, self.bob, self.cas, self.coach}


@pytest.fixture
def staff(db) -> Staff:
    return Staff()


def planned(wave, school) -> WaveSchool:
    return WaveSchool.unscoped.get(wave=wave, school=school)


def opened_wave(staff, run, **wave_fields):
    """A wave for the staff's school, planned and opened by the tick at its moment."""
    wave = WaveFactory(**wave_fields)
    waves.wave_plan(wave=wave, now=PLANNING, school_ids=[staff.school.pk])
    wave_school = planned(wave, staff.school)
    run(waves.barometer_tick, now=wave_school.opens_at)
    wave_school.refresh_from_db()
    return wave, wave_school


# --- Planning ----------------------------------------------------------------------------------


def test_a_relative_wave_opens_each_school_months_after_its_own_startdag(db):
    early = SchoolFactory(phase=Phase.YEAR_1, start_date=dt.date(2025, 8, 31))
    late = SchoolFactory(phase=Phase.YEAR_2, start_date=dt.date(2025, 10, 6))
    senior = SchoolFactory(phase=Phase.SENIOR, start_date=dt.date(2025, 11, 3))
    not_started = SchoolFactory(phase=Phase.AGREEMENT, start_date=None)
    interest = SchoolFactory(phase=Phase.INTEREST, start_date=None)
    wave = WaveFactory(timing=WaveTiming.RELATIVE, months_after_start=6, fixed_date=None, answer_days=14)

    assert waves.wave_plan(wave=wave, now=utc(2026, 1, 1)) == 3

    rows = {row.school_id: row for row in WaveSchool.unscoped.filter(wave=wave)}
    assert set(rows) == {early.pk, late.pk, senior.pk}, "only schools in year 1, year 2 or senior"
    assert not_started.pk not in rows and interest.pk not in rows
    assert rows[early.pk].opens_on == dt.date(2026, 2, 28)
    assert rows[early.pk].opens_at == utc(2026, 2, 28, 6, 30)  # 07:30 winter time
    assert rows[late.pk].opens_at == utc(2026, 4, 6, 5, 30)  # 07:30 summer time
    assert rows[late.pk].closes_at == utc(2026, 4, 20, 5, 30)
    assert all(row.status == WaveSchoolStatus.PLANNED for row in rows.values())


def test_planning_twice_adds_nothing_and_skips_moments_already_past_unless_told(db):
    past = SchoolFactory(phase=Phase.YEAR_1, start_date=dt.date(2025, 1, 10))  # six months: July 2025
    future = SchoolFactory(phase=Phase.YEAR_1, start_date=dt.date(2026, 1, 10))
    wave = WaveFactory(timing=WaveTiming.RELATIVE, months_after_start=6, fixed_date=None)
    now = utc(2026, 1, 15)

    assert waves.wave_plan(wave=wave, now=now) == 1
    assert waves.wave_plan(wave=wave, now=now) == 0, "idempotent"
    assert list(WaveSchool.unscoped.filter(wave=wave).values_list("school_id", flat=True)) == [future.pk]
    assert waves.wave_plan(wave=wave, now=now, include_past=True) == 1
    assert WaveSchool.unscoped.get(wave=wave, school=past).opens_on == dt.date(2025, 7, 10)
    assert WaveSchool.unscoped.filter(wave=wave).count() == 2


def test_a_fixed_wave_opens_every_participating_school_on_its_date_and_hour(db):
    schools = [SchoolFactory(phase=phase) for phase in (Phase.YEAR_1, Phase.YEAR_2, Phase.SENIOR)]
    SchoolFactory(phase=Phase.INTAKE, start_date=None)
    wave = WaveFactory(fixed_date=dt.date(2026, 12, 1), open_time=dt.time(8, 0), answer_days=10)
    assert waves.wave_plan(wave=wave, now=utc(2026, 11, 1)) == 3
    rows = WaveSchool.unscoped.filter(wave=wave)
    assert {row.school_id for row in rows} == {school.pk for school in schools}
    assert {(row.opens_on, row.opens_at, row.closes_at) for row in rows} == {
        (dt.date(2026, 12, 1), utc(2026, 12, 1, 7, 0), utc(2026, 12, 11, 7, 0))
    }


def test_a_moment_across_the_end_of_summer_time_closes_at_the_same_amsterdam_hour(db):
    school = SchoolFactory(phase=Phase.YEAR_1)
    wave = WaveFactory(fixed_date=dt.date(2026, 10, 8), open_time=dt.time(7, 30), answer_days=21)
    waves.wave_plan(wave=wave, now=utc(2026, 9, 1))
    row = WaveSchool.unscoped.get(wave=wave, school=school)
    assert row.opens_at == utc(2026, 10, 8, 5, 30)  # 07:30 summer time
    assert row.closes_at == utc(2026, 10, 29, 6, 30)  # 07:30 winter time, 21 days on (not 06:30)


def test_a_wave_on_a_draft_version_is_not_planned(db):
    SchoolFactory(phase=Phase.YEAR_1)
    wave = WaveFactory(version__status=VersionStatus.DRAFT, version__published_at=None)
    with pytest.raises(ValidationError, match="gepubliceerde versie"):
        waves.wave_plan(wave=wave, now=PLANNING)
    assert waves.waves_plan_all(now=PLANNING) == 0, "the daily plan passes it by"
    assert not WaveSchool.unscoped.filter(wave=wave).exists()


# --- The tick: open, invite, e-mail ------------------------------------------------------------


def test_a_tick_delivered_twice_opens_once_and_invites_each_teacher_once(staff, run, mailoutbox):
    wave = WaveFactory()
    waves.wave_plan(wave=wave, now=PLANNING)
    wave_school = planned(wave, staff.school)
    assert wave_school.opens_at == OPENS

    early = run(waves.barometer_tick, now=OPENS - dt.timedelta(seconds=1))
    assert early.opened == [] and mailoutbox == []

    first = run(waves.barometer_tick, now=OPENS)
    second = run(waves.barometer_tick, now=OPENS)  # the same tick, delivered again
    third = run(waves.barometer_tick, now=OPENS + dt.timedelta(minutes=5))

    foreign_moment = planned(wave, staff.foreign)
    assert sorted(first.opened) == sorted([wave_school.pk, foreign_moment.pk])
    assert second.opened == [] and third.opened == []
    wave_school.refresh_from_db()
    assert (wave_school.status, wave_school.opened_at) == (WaveSchoolStatus.OPEN, OPENS)

    invitations = Invitation.unscoped.filter(wave_school=wave_school)
    assert sorted(invitations.values_list("user_id", flat=True)) == sorted(t.pk for t in staff.teachers)
    assert InvitationEmail.unscoped.filter(invitation__wave_school=wave_school, kind=EmailKind.INVITE).count() == 4
    assert OutboxMessage.objects.filter(email__school=staff.school).count() == 4
    to_school = sorted(message.to[0] for message in mailoutbox if message.to[0] != staff.stranger.email)
    assert to_school == sorted(t.email for t in staff.teachers), "one e-mail per teacher, no second"
    assert [m.to[0] for m in mailoutbox].count(staff.stranger.email) == 1


def test_inviting_twice_makes_one_invitation_per_teacher_and_one_email_per_kind(staff, run):
    wave, wave_school = opened_wave(staff, run)
    ids = {"school_id": staff.school.pk, "wave_school_id": wave_school.pk}

    assert run(tasks.wave_school_invite, **ids) == 0, "already invited by the tick"
    assert run(tasks.wave_school_invite, **ids) == 0

    invitations = {i.user_id: i for i in Invitation.unscoped.filter(wave=wave)}
    assert set(invitations) == {t.pk for t in staff.teachers}
    assert staff.leader.pk not in invitations, "a school leader without a team is not asked"
    assert staff.gone.pk not in invitations and staff.stranger.pk not in invitations
    assert invitations[staff.ann.pk].team_id == staff.team_a.pk
    assert invitations[staff.bob.pk].team_id == staff.team_b.pk
    assert invitations[staff.cas.pk].team_id == min(staff.team_a.pk, staff.team_b.pk), "first team by id"
    assert invitations[staff.coach.pk].team_id is None
    assert InvitationEmail.unscoped.filter(invitation__wave=wave, kind=EmailKind.INVITE).count() == 4
    assert OutboxMessage.objects.filter(email__invitation__wave=wave).count() == 4

    # A teacher who joins while the moment is open is invited on the next run, and only they are.
    newcomer = team_membership_add(user=UserFactory(), team=staff.team_b).user
    assert run(tasks.wave_school_invite, **ids) == 1
    assert Invitation.unscoped.filter(wave=wave).count() == 5
    assert OutboxMessage.objects.filter(email__invitation__wave=wave, to=newcomer.email).count() == 1
    assert OutboxMessage.objects.filter(email__invitation__wave=wave).count() == 5


def test_the_invitation_stores_the_digest_of_a_token_derived_from_its_nonce(staff, run, mailoutbox, settings):
    wave, wave_school = opened_wave(staff, run)
    invitation = Invitation.unscoped.get(wave=wave, user=staff.ann)
    token = salted_hmac("barometer-invitation", invitation.nonce, algorithm="sha1").hexdigest()
    assert invitation.token_digest == hashlib.sha256(token.encode()).hexdigest()
    assert len({i.nonce for i in Invitation.unscoped.filter(wave=wave)}) == 4, "a fresh nonce each"

    message = next(m for m in mailoutbox if m.to == [staff.ann.email])
    assert f"{settings.SITE_URL}/barometer/antwoorden/{token}/" in message.body
    assert invitation_by_token(token).pk == invitation.pk, "the link in the e-mail opens the invitation"


def test_a_teacher_of_two_schools_in_one_wave_is_invited_once(staff, run):
    team_membership_add(user=staff.ann, team=TeamFactory(school=staff.foreign, name="Team Y"))
    wave = WaveFactory()
    waves.wave_plan(wave=wave, now=PLANNING)
    run(waves.barometer_tick, now=OPENS)
    assert Invitation.unscoped.filter(wave=wave, user=staff.ann).count() == 1
    assert OutboxMessage.objects.filter(email__invitation__wave=wave, to=staff.ann.email).count() == 1


def test_the_tick_hands_the_moments_to_batch_tasks_and_each_teacher_is_invited_once(
    staff, run, mailoutbox, monkeypatch
):
    """Five schools in batches of two (three invite tasks, three sender tasks), a teacher in two
    of the schools: every teacher gets one invitation and one e-mail, and the invite tasks' counts
    add up to the invitations made."""
    monkeypatch.setattr(waves, "BATCH_SCHOOLS", 2)
    more = [SchoolFactory(phase=Phase.YEAR_1) for _n in range(3)]
    for school in more:
        team = TeamFactory(school=school, name="Team X")
        for _n in range(2):
            team_membership_add(user=UserFactory(), team=team)
    team_membership_add(user=staff.bob, team=TeamFactory(school=more[2], name="Team Y"))
    wave = WaveFactory()
    waves.wave_plan(wave=wave, now=PLANNING)
    calls = {"invite": [], "send": []}
    real_invite, real_send = waves.wave_schools_invite, waves.wave_schools_emails_send

    def invite(**kwargs):
        added = real_invite(**kwargs)
        calls["invite"].append((kwargs["school_ids"], added))
        return added

    def send(**kwargs):
        calls["send"].append(kwargs["school_ids"])
        return real_send(**kwargs)

    monkeypatch.setattr(waves, "wave_schools_invite", invite)
    monkeypatch.setattr(waves, "wave_schools_emails_send", send)

    opened = run(waves.barometer_tick, now=OPENS).opened

    assert len(opened) == 5
    assert [len(school_ids) for school_ids, _added in calls["invite"]] == [2, 2, 1]
    assert len(calls["send"]) == 3
    invitations = Invitation.unscoped.filter(wave=wave)
    expected = len(staff.teachers) + 1 + 6  # the stranger, and two in each new school; Bob once
    assert invitations.count() == expected == sum(added for _ids, added in calls["invite"])
    assert invitations.values("user_id").distinct().count() == expected
    assert invitations.get(user=staff.bob).school_id == staff.school.pk, "asked by the first school"
    assert OutboxMessage.objects.filter(email__invitation__wave=wave).count() == expected
    assert sorted(m.to[0] for m in mailoutbox) == sorted(invitations.values_list("user__email", flat=True))


def test_the_batched_read_of_teachers_is_the_selectors_rule_for_every_school(staff):
    """Who a wave asks is decided by `teachers_of_school`; the invite reads many schools at once
    (`teachers_by_school`) and must find exactly the same people with the same team."""
    team_membership_add(user=staff.ann, team=TeamFactory(school=staff.foreign, name="Team Y"))
    SchoolMembershipFactory(school=staff.foreign, role=Role.SCHOOLCOACH)
    SchoolMembershipFactory(school=staff.foreign, role=Role.SCHOOLLEIDER)
    schools = [staff.school.pk, staff.foreign.pk]
    with tenancy.scope(school_ids=schools):
        batched = teachers_by_school(school_ids=schools)
        one_by_one = {school_id: teachers_of_school(school_id=school_id) for school_id in schools}
    assert batched == one_by_one
    assert set(batched[staff.school.pk]) == {t.pk for t in staff.teachers}


def test_the_text_rendered_once_per_deadline_is_the_schools_own_text(staff, run):
    """The sender renders a wave's text once per deadline with a stand-in for the school's name;
    filled in, it is what rendering each school's moment gives."""
    staff.foreign.name = 'De "Kleine" Prins & <Co>'
    staff.foreign.save()
    wave = WaveFactory()
    waves.wave_plan(wave=wave, now=PLANNING)
    run(waves.barometer_tick, now=OPENS)
    schools = [staff.school.pk, staff.foreign.pk]
    with tenancy.scope(school_ids=schools):
        moments = waves._open_wave_schools(
            school_ids=schools, wave_school_ids=WaveSchool.unscoped.filter(wave=wave).values_list("pk", flat=True)
        )
        assert len(moments) == 2
        for kind in (EmailKind.INVITE, EmailKind.REMINDER):
            texts = waves._texts(moments=moments, kind=kind)
            for moment in moments:
                assert texts[moment.pk] == barometer_mail.invitation_template(kind=kind, wave_school=moment)
    foreign_moment = next(moment for moment in moments if moment.school_id == staff.foreign.pk)
    assert 'De "Kleine" Prins & <Co>' in texts[foreign_moment.pk][1], "plain text: the name as written"


def test_a_batch_task_finds_only_the_moments_of_its_own_schools(staff, run):
    """A batch task's scope is the schools it names: a moment of another school in its list of
    moments is not found, not invited."""
    wave = WaveFactory()
    waves.wave_plan(wave=wave, now=PLANNING)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(tasks.wave_schools_invite, "delay", lambda **kwargs: None)
        run(waves.barometer_tick, now=OPENS)
    ours, foreign = planned(wave, staff.school), planned(wave, staff.foreign)
    assert run(tasks.wave_schools_invite, school_ids=[staff.school.pk], wave_school_ids=[ours.pk, foreign.pk]) == 4
    assert not Invitation.unscoped.filter(wave_school=foreign).exists()
    assert run(tasks.wave_schools_remind, school_ids=[staff.school.pk], wave_school_ids=[foreign.pk]) == 0


def test_tasks_given_another_schools_ids_or_a_moment_not_open_do_nothing(staff, run):
    wave = WaveFactory()
    waves.wave_plan(wave=wave, now=PLANNING)
    wave_school = planned(wave, staff.school)

    # Not open yet: no invitations.
    assert run(tasks.wave_school_invite, school_id=staff.school.pk, wave_school_id=wave_school.pk) == 0
    run(waves.barometer_tick, now=OPENS)
    Invitation.unscoped.filter(wave_school=wave_school).delete()
    # The foreign school's id with this school's moment: the task's scope is the foreign school,
    # so the moment is not found and nothing is written.
    for task in (tasks.wave_school_invite, tasks.wave_school_remind):
        assert run(task, school_id=staff.foreign.pk, wave_school_id=wave_school.pk) == 0
    assert not Invitation.unscoped.filter(wave_school=wave_school).exists()
    with pytest.raises(ValueError, match="unknown e-mail kind"):
        tasks.invitation_emails_send(school_id=staff.school.pk, wave_school_id=wave_school.pk, kind="sms")


def test_planning_refuses_to_run_outside_a_tenant_scope(db):
    wave = WaveFactory()

    def outside_any_scope():
        tenancy._current.set(None)  # as in a worker before the task opens its scope
        return waves.wave_plan(wave=wave, now=PLANNING)

    with pytest.raises(tenancy.ScopeError):
        contextvars.copy_context().run(outside_any_scope)


# --- Chunks, interruptions, the outbox ---------------------------------------------------------


def test_a_chunk_interrupted_half_way_and_run_again_writes_exactly_one_message_each(
    staff, run, mailoutbox, settings, monkeypatch
):
    settings.BAROMETER_EMAIL_CHUNK = 2
    for _n in range(3):
        team_membership_add(user=UserFactory(), team=staff.team_a)  # 7 teachers: chunks of 2, 2, 2, 1
    wave = WaveFactory()
    waves.wave_plan(wave=wave, now=PLANNING, school_ids=[staff.school.pk])
    wave_school = planned(wave, staff.school)

    real = waves._personal
    calls = {"n": 0}

    def fails_on_the_fourth(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 4:
            raise RuntimeError("worker lost half-way through the second chunk")
        return real(*args, **kwargs)

    monkeypatch.setattr(waves, "_personal", fails_on_the_fourth)
    with pytest.raises(RuntimeError, match="half-way"):
        run(waves.barometer_tick, now=OPENS)

    emails = InvitationEmail.unscoped.filter(invitation__wave_school=wave_school, kind=EmailKind.INVITE)
    assert emails.count() == 7
    assert emails.filter(status=EmailStatus.SENT).count() == 2, "the chunk before the failure is written"
    assert OutboxMessage.objects.filter(email__in=emails).count() == 2, "the failed chunk is not, not even half"
    assert not OutboxMessage.objects.filter(email__status=EmailStatus.PENDING).exists(), "nothing half-written"

    monkeypatch.setattr(waves, "_personal", real)
    # The next tick finds the PENDING rows and sends them; a redelivered send task finds nothing.
    run(waves.barometer_tick, now=OPENS + dt.timedelta(minutes=5))
    assert (
        run(tasks.invitation_emails_send, school_id=staff.school.pk, wave_school_id=wave_school.pk, kind="invite") == 0
    )

    assert emails.filter(status=EmailStatus.SENT).count() == 7
    per_invitation = OutboxMessage.objects.filter(email__invitation__wave_school=wave_school)
    assert per_invitation.count() == 7
    assert per_invitation.values("email__invitation_id", "email__kind").distinct().count() == 7
    assert sorted(m.to[0] for m in mailoutbox) == sorted(per_invitation.values_list("to", flat=True))
    assert len({m.extra_headers["Message-ID"] for m in mailoutbox}) == 7


def test_a_sender_that_reaches_rows_another_sender_wrote_leaves_them(staff, run):
    """A sender redelivered after the first one wrote every e-mail (or one that walks behind it):
    its locked read asks for PENDING rows, so a row already SENT is not read, not written again."""
    wave, wave_school = opened_wave(staff, run)
    email = InvitationEmail.unscoped.filter(invitation__wave_school=wave_school).first()
    assert email.status == EmailStatus.SENT
    with tenancy.scope(school_ids=[staff.school.pk]):
        moments = waves._open_wave_schools(school_ids=[staff.school.pk], wave_school_ids=[wave_school.pk])
        texts = waves._texts(moments=moments, kind=EmailKind.INVITE)
        assert waves._chunk_send(schools=[staff.school.pk], texts=texts, kind=EmailKind.INVITE, after=0, now=OPENS) == (
            0,
            None,
            [],
        )
    assert OutboxMessage.objects.filter(email=email).count() == 1
    assert OutboxMessage.objects.filter(email__invitation__wave_school=wave_school).count() == 4


def test_the_relay_sends_with_the_fixed_message_id_once_and_the_database_holds_no_link(staff, run, mailoutbox):
    wave, wave_school = opened_wave(staff, run)
    invitation = Invitation.unscoped.get(wave=wave, user=staff.bob)
    stored = OutboxMessage.objects.get(email__invitation=invitation)
    token = salted_hmac("barometer-invitation", invitation.nonce, algorithm="sha1").hexdigest()

    assert stored.message_id == f"<invitation-{invitation.pk}-invite@leerkracht>"
    assert stored.relayed_at is not None
    assert token not in stored.body and barometer_mail.LINK_PLACEHOLDER in stored.body
    sent = [m for m in mailoutbox if m.to == [staff.bob.email]]
    assert len(sent) == 1
    assert sent[0].message()["Message-ID"] == stored.message_id
    assert sent[0].subject == f"Uitnodiging: {wave.version.questionnaire.title}"
    assert "Beste Bob," in sent[0].body and staff.school.name in sent[0].body
    assert "maandag 6 juli om 07:30" in sent[0].body, "the deadline in Amsterdam time, in Dutch"
    assert token in sent[0].body

    assert run(outbox_tasks.outbox_relay) == 0, "a relay run again sends nothing"
    assert len(mailoutbox) == 4


def test_a_relay_that_fails_leaves_the_message_unrelayed_for_the_retry(staff, run, mailoutbox, monkeypatch):
    def unreachable(self, *args, **kwargs):
        raise OSError("mail server unreachable")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", unreachable)
    # Eagerly, the relay's automatic retry surfaces as Retry; a worker would retry with backoff.
    with pytest.raises(Retry, match="unreachable"):
        opened_wave(staff, run)
    assert OutboxMessage.objects.filter(email__school=staff.school, relayed_at__isnull=True).count() == 4
    assert mailoutbox == []
    monkeypatch.undo()
    run(waves.barometer_tick, now=OPENS + dt.timedelta(minutes=5))
    assert not OutboxMessage.objects.filter(relayed_at__isnull=True).exists()
    assert len(mailoutbox) == 4
    assert len({m.extra_headers["Message-ID"] for m in mailoutbox}) == 4


# --- Reminders and closing ---------------------------------------------------------------------


def test_reminders_go_once_and_only_to_those_who_have_not_answered(staff, run, mailoutbox):
    wave, wave_school = opened_wave(staff, run, reminder_days=7)
    Invitation.unscoped.filter(wave=wave, user__in=[staff.ann, staff.coach]).update(answered_at=utc(2026, 6, 16))
    mailoutbox.clear()
    due = OPENS + dt.timedelta(days=7)

    assert run(waves.barometer_tick, now=due - dt.timedelta(seconds=1)).reminded == []
    assert mailoutbox == []
    assert run(waves.barometer_tick, now=due).reminded == [wave_school.pk]
    assert run(waves.barometer_tick, now=due).reminded == [], "a tick delivered twice reminds once"
    assert run(waves.barometer_tick, now=due + dt.timedelta(days=1)).reminded == []
    # The reminder task redelivered later still adds no second reminder.
    assert run(tasks.wave_school_remind, school_id=staff.school.pk, wave_school_id=wave_school.pk) == 0

    reminders = [m for m in mailoutbox if m.subject.startswith("Herinnering")]
    assert sorted(m.to[0] for m in reminders) == sorted([staff.bob.email, staff.cas.email])
    assert len(mailoutbox) == 2
    assert InvitationEmail.unscoped.filter(invitation__wave=wave, kind=EmailKind.REMINDER).count() == 2
    wave_school.refresh_from_db()
    assert wave_school.reminded_at == due


def test_a_reminder_whose_task_was_lost_is_sent_by_the_next_tick_once(staff, run, mailoutbox, monkeypatch):
    wave, wave_school = opened_wave(staff, run, reminder_days=7)
    Invitation.unscoped.filter(wave=wave, user=staff.ann).update(answered_at=utc(2026, 6, 16))
    mailoutbox.clear()
    due = OPENS + dt.timedelta(days=7)
    # The tick claims the reminder, but its task is lost (the worker died before running it).
    monkeypatch.setattr(tasks.wave_schools_remind, "delay", lambda **kwargs: None)
    assert run(waves.barometer_tick, now=due).reminded == [wave_school.pk]
    assert mailoutbox == []
    monkeypatch.undo()

    assert run(waves.barometer_tick, now=due + dt.timedelta(minutes=5)).reminded == []
    reminded = sorted(m.to[0] for m in mailoutbox if m.subject.startswith("Herinnering"))
    assert reminded == sorted(t.email for t in staff.teachers if t != staff.ann)
    mailoutbox.clear()
    run(waves.barometer_tick, now=due + dt.timedelta(minutes=10))
    assert mailoutbox == [], "recovered once: nobody gets a second reminder"


def test_a_teacher_who_answers_before_the_reminder_is_written_gets_none(staff, run, django_capture_on_commit_callbacks):
    wave, wave_school = opened_wave(staff, run)
    with django_capture_on_commit_callbacks(execute=False):
        assert waves.wave_school_remind(school_id=staff.school.pk, wave_school_id=wave_school.pk) == 4
    Invitation.unscoped.filter(wave=wave, user=staff.bob).update(answered_at=utc(2026, 6, 20))
    written = run(
        tasks.invitation_emails_send, school_id=staff.school.pk, wave_school_id=wave_school.pk, kind="reminder"
    )
    assert written == 3
    assert not OutboxMessage.objects.filter(to=staff.bob.email, email__kind=EmailKind.REMINDER).exists()


def test_a_moment_closes_at_its_deadline_once_and_sends_nothing_after(staff, run, mailoutbox):
    wave, wave_school = opened_wave(staff, run, answer_days=21)
    missed = WaveFactory(fixed_date=dt.date(2026, 6, 10))  # its whole window passes unseen
    waves.wave_plan(wave=missed, now=PLANNING, school_ids=[staff.school.pk])
    deadline = utc(2026, 7, 6, 5, 30)
    assert wave_school.closes_at == deadline

    before = run(waves.barometer_tick, now=deadline - dt.timedelta(microseconds=1))
    assert (before.opened, before.closed) == ([], [planned(missed, staff.school).pk])
    result = run(waves.barometer_tick, now=deadline)
    assert result.closed == [wave_school.pk]
    assert run(waves.barometer_tick, now=deadline).closed == []
    wave_school.refresh_from_db()
    assert (wave_school.status, wave_school.closed_at) == (WaveSchoolStatus.CLOSED, deadline)
    never = planned(missed, staff.school)
    assert (never.status, never.opened_at) == (WaveSchoolStatus.CLOSED, None), "not opened late"
    assert not Invitation.unscoped.filter(wave=missed).exists()

    # Nothing more goes out for a closed moment: no reminder, no e-mail, no reopening.
    mailoutbox.clear()
    assert run(tasks.wave_school_remind, school_id=staff.school.pk, wave_school_id=wave_school.pk) == 0
    assert run(tasks.wave_school_invite, school_id=staff.school.pk, wave_school_id=wave_school.pk) == 0
    assert run(waves.barometer_tick, now=deadline + dt.timedelta(days=30)).opened == []
    assert mailoutbox == []


# --- Daylight saving 2026 ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "moments"),
    [
        (
            utc(2026, 3, 27, 22, 0),
            utc(2026, 3, 29, 4, 0),
            # (Amsterdam date at 02:30, the instant it opens)
            [(dt.date(2026, 3, 28), utc(2026, 3, 28, 1, 30)), (dt.date(2026, 3, 29), utc(2026, 3, 29, 1, 30))],
        ),
        (
            utc(2026, 10, 23, 21, 0),
            utc(2026, 10, 26, 4, 0),
            [
                (dt.date(2026, 10, 24), utc(2026, 10, 24, 0, 30)),
                (dt.date(2026, 10, 25), utc(2026, 10, 25, 0, 30)),  # the first 02:30 of the two
                (dt.date(2026, 10, 26), utc(2026, 10, 26, 1, 30)),
            ],
        ),
    ],
    ids=["spring-forward", "fall-back"],
)
def test_replaying_the_2026_clock_changes_each_moment_opens_exactly_once_at_its_instant(
    staff, run, start, end, moments
):
    """Waves at 02:30 Amsterdam time on and around the nights the clock changes; a tick every 15
    minutes of real (UTC) time, each delivered twice, across the whole night."""
    by_wave = {}
    for day, instant in moments:
        wave = WaveFactory(fixed_date=day, open_time=dt.time(2, 30), answer_days=14, reminder_days=7)
        waves.wave_plan(wave=wave, now=start, school_ids=[staff.school.pk])
        moment = planned(wave, staff.school)
        assert moment.opens_at == instant
        by_wave[moment.pk] = instant

    openings: dict[int, list[dt.datetime]] = {pk: [] for pk in by_wave}
    now = start
    while now <= end:
        for _delivery in range(2):
            for pk in run(waves.barometer_tick, now=now).opened:
                openings[pk].append(now)
        now += dt.timedelta(minutes=15)

    assert openings == {pk: [instant] for pk, instant in by_wave.items()}, "once each, at its instant"
    for pk, instant in by_wave.items():
        moment = WaveSchool.unscoped.get(pk=pk)
        assert (moment.status, moment.opened_at) == (WaveSchoolStatus.OPEN, instant)
        assert Invitation.unscoped.filter(wave_school=moment).count() == 4
        assert OutboxMessage.objects.filter(email__invitation__wave_school=moment).count() == 4


# --- Response rate -----------------------------------------------------------------------------


@pytest.mark.parametrize("extra", [0, 12])
def test_the_response_rate_per_team_and_school_is_one_query(staff, run, django_assert_num_queries, extra):
    for n in range(extra):
        team_membership_add(user=UserFactory(), team=staff.team_b if n % 2 else staff.team_a)
    wave, wave_school = opened_wave(staff, run)
    answered = [staff.ann, staff.bob] + [
        i.user for i in Invitation.unscoped.filter(wave=wave).select_related("user")[: extra // 3]
    ]
    Invitation.unscoped.filter(wave=wave, user__in=answered).update(answered_at=utc(2026, 6, 16))

    with django_assert_num_queries(1):
        rates = response_rates(wave_school=wave_school)

    invitations = Invitation.unscoped.filter(wave_school=wave_school)
    expected = {}
    for invitation in invitations:
        row = expected.setdefault(invitation.team_id, [0, 0])
        row[0] += 1
        row[1] += invitation.answered_at is not None
    assert {rate.team_id: [rate.invited, rate.answered] for rate in rates.teams} == expected
    assert [rate.name for rate in rates.teams] == ["Team A", "Team B", "Zonder team"]
    assert rates.school.invited == 4 + extra
    assert rates.school.answered == invitations.filter(answered_at__isnull=False).count()
    for rate in [*rates.teams, rates.school]:
        assert rate.percent == round(100 * rate.answered / rate.invited + 1e-9)


def test_the_response_rate_rounds_halves_up_and_shows_other_schools_nothing(staff, run):
    from barometer.selectors.waves import ResponseRate

    assert ResponseRate(team_id=None, name="x", invited=8, answered=1).percent == 13  # 12.5
    assert ResponseRate(team_id=None, name="x", invited=3, answered=2).percent == 67
    assert ResponseRate(team_id=None, name="x", invited=0, answered=0).percent is None
    wave, wave_school = opened_wave(staff, run)
    with tenancy.scope(school_ids=[staff.foreign.pk]):
        rates = response_rates(wave_school=wave_school)
    assert rates.teams == [] and rates.school.invited == 0, "the tenant scope hides another school's rows"


# --- Wiring ------------------------------------------------------------------------------------


def test_beat_runs_the_tick_every_few_minutes_and_plans_daily(settings):
    tick = settings.CELERY_BEAT_SCHEDULE["barometer-tick"]
    assert tick["task"] == "barometer.tasks.barometer_tick"
    assert tick["schedule"] <= dt.timedelta(minutes=15)
    assert settings.CELERY_BEAT_SCHEDULE["barometer-plan"]["task"] == "barometer.tasks.barometer_plan"
    assert tasks.barometer_tick.name == "barometer.tasks.barometer_tick"


def test_the_daily_plan_task_plans_schools_that_started_after_the_wave_was_made(db, run):
    wave = WaveFactory(timing=WaveTiming.RELATIVE, months_after_start=6, fixed_date=None)
    school = SchoolFactory(phase=Phase.YEAR_1, start_date=dt.date.today())
    assert tasks.barometer_plan() >= 1
    assert WaveSchool.unscoped.filter(wave=wave, school=school).exists()
    assert tasks.barometer_plan() == 0


def test_closing_a_moment_empties_the_drafts_its_teachers_never_sent(staff, run):
    """A saved but unsent draft sits next to a person; once the moment closes it can no longer be
    sent, so the closing tick removes it (other moments' drafts stay)."""
    wave, wave_school = opened_wave(staff, run, answer_days=21)
    Invitation.unscoped.filter(wave=wave, user=staff.bob).update(draft_sealed="sealed draft 1")
    other_wave, _other = opened_wave(staff, run, answer_days=28)
    Invitation.unscoped.filter(wave=other_wave, user=staff.bob).update(draft_sealed="sealed draft 2")

    run(waves.barometer_tick, now=wave_school.closes_at)
    assert Invitation.unscoped.get(wave=wave, user=staff.bob).draft_sealed == ""
    assert Invitation.unscoped.get(wave=other_wave, user=staff.bob).draft_sealed == "sealed draft 2"
