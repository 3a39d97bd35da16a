"""Exactly once under real concurrency: two threads with their own PostgreSQL connections run the
same tick, and the same e-mail sender, at the same moment (a redelivered task running beside the
first). Committed transactions here, so the tasks run eagerly as each step commits."""

from __future__ import annotations

import importlib
import threading
import time

import pytest
from django.apps import apps as django_apps
from django.db import connection

from barometer import tasks
from barometer.models import EmailKind, EmailStatus, Invitation, InvitationEmail, WaveSchool
from barometer.services import waves
from barometer.tests.factories import WaveFactory
from barometer.tests.test_waves import OPENS, PLANNING
from leerkracht.models import OutboxMessage
from schools.models import Phase
from schools.services import team_membership_add
from schools.tests.factories import SchoolFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.postgresql(
    "row locks and waits on another transaction's unique keys (SQLite locks the whole database)"
)


def race(function, count=2):
    """Run `function` in `count` threads released together; return their results in order."""
    barrier = threading.Barrier(count)
    results: list = [None] * count
    errors: list = []

    def worker(index):
        try:
            barrier.wait()
            results[index] = function()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


@pytest.fixture
def reship(django_db_blocker):
    """After the flush that empties a committed test's rows, put back the questionnaires shipped by
    migration, which other tests read. Set up before `transactional_db`, so torn down after it."""
    yield
    shipped = importlib.import_module("barometer.migrations.0002_shipped_questionnaires")
    with django_db_blocker.unblock():
        shipped.ship(django_apps, None)


@pytest.fixture
def school(reship, transactional_db):
    school = SchoolFactory(phase=Phase.YEAR_1)
    team = TeamFactory(school=school, name="Team A")
    for _n in range(12):
        team_membership_add(user=UserFactory(), team=team)
    return school


def test_two_ticks_at_the_same_moment_open_each_moment_once_and_invite_once(school, mailoutbox):
    wave = WaveFactory()
    waves.wave_plan(wave=wave, now=PLANNING)
    moment = WaveSchool.unscoped.get(wave=wave, school=school)

    first, second = race(lambda: waves.barometer_tick(now=OPENS))

    assert sorted(first.opened + second.opened) == [moment.pk], "opened by exactly one of the two"
    assert Invitation.unscoped.filter(wave=wave).count() == 12
    assert OutboxMessage.objects.filter(email__invitation__wave=wave).count() == 12
    assert len(mailoutbox) == 12


def test_two_senders_at_once_write_each_email_once(school, mailoutbox, settings, monkeypatch):
    settings.BAROMETER_EMAIL_CHUNK = 3
    wave = WaveFactory()
    waves.wave_plan(wave=wave, now=PLANNING)
    moment = WaveSchool.unscoped.get(wave=wave, school=school)
    # Open and invite without sending, so both senders start from the same PENDING rows.
    monkeypatch.setattr(tasks.wave_schools_emails_send, "delay", lambda **kwargs: None)
    waves.barometer_tick(now=OPENS)
    monkeypatch.undo()
    assert InvitationEmail.unscoped.filter(status=EmailStatus.PENDING).count() == 12

    real = waves._personal

    def slow(*args, **kwargs):
        time.sleep(0.01)  # hold the row lock long enough for the other sender to meet it
        return real(*args, **kwargs)

    monkeypatch.setattr(waves, "_personal", slow)
    ids = {"school_id": school.pk, "wave_school_id": moment.pk, "kind": EmailKind.INVITE}
    written = race(lambda: tasks.invitation_emails_send(**ids))

    assert sum(written) == 12, written
    assert InvitationEmail.unscoped.filter(status=EmailStatus.SENT).count() == 12
    assert OutboxMessage.objects.count() == 12
    assert len(mailoutbox) == 12
    assert len({m.extra_headers["Message-ID"] for m in mailoutbox}) == 12


def test_two_invites_at_once_invite_each_teacher_once_and_report_true_counts(school, monkeypatch):
    """A redelivered invite running beside the first: the second's insert meets the first's
    uncommitted rows, waits for its commit and adds nothing. Each run reports what it added
    itself, so the two counts add up to the teachers (not twice the teachers)."""
    wave = WaveFactory()
    waves.wave_plan(wave=wave, now=PLANNING)
    moment = WaveSchool.unscoped.get(wave=wave, school=school)
    monkeypatch.setattr(tasks.wave_schools_invite, "delay", lambda **kwargs: None)
    monkeypatch.setattr(tasks.wave_schools_emails_send, "delay", lambda **kwargs: None)
    waves.barometer_tick(now=OPENS)
    assert not Invitation.unscoped.filter(wave=wave).exists()

    real = waves._insert

    def slow(model, **kwargs):
        rows = real(model, **kwargs)
        if model is Invitation:
            time.sleep(0.3)  # commit late, so the other run's insert meets these rows uncommitted
        return rows

    monkeypatch.setattr(waves, "_insert", slow)
    ids = {"school_ids": [school.pk], "wave_school_ids": [moment.pk]}
    added = race(lambda: tasks.wave_schools_invite(**ids))

    assert sorted(added) == [0, 12], added
    assert Invitation.unscoped.filter(wave=wave).count() == 12
    assert InvitationEmail.unscoped.filter(invitation__wave=wave, kind=EmailKind.INVITE).count() == 12
