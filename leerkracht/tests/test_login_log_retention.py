"""The login log (address, browser and time of every login) is kept for LOGIN_LOG_RETENTION_DAYS,
and failed-login records no longer than their cool-off; a nightly task removes the rest."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.module_loading import import_string

from leerkracht import tasks

pytestmark = pytest.mark.django_db


def logged(model, age: timedelta, username: str = "sanne@school.test", **extra):
    row = model.objects.create(
        username=username, ip_address="10.0.0.1", user_agent="Firefox", http_accept="*/*", path_info="/", **extra
    )
    model.objects.filter(pk=row.pk).update(attempt_time=timezone.now() - age)
    return row


def attempt(age: timedelta, username: str):
    return logged(AccessAttempt, age, username=username, get_data="", post_data="", failures_since_start=1)


def test_the_retention_defaults_to_ninety_days(settings):
    assert settings.LOGIN_LOG_RETENTION_DAYS == 90


def test_login_log_rows_past_the_retention_go_and_recent_ones_stay(settings):
    settings.LOGIN_LOG_RETENTION_DAYS = 30
    old = [logged(AccessLog, timedelta(days=30, minutes=1)), logged(AccessLog, timedelta(days=400))]
    recent = [logged(AccessLog, timedelta(days=29, hours=23)), logged(AccessLog, timedelta(minutes=5))]
    old_failure = logged(AccessFailureLog, timedelta(days=31))
    recent_failure = logged(AccessFailureLog, timedelta(days=1))

    tasks.login_log_purge()

    assert set(AccessLog.objects.values_list("pk", flat=True)) == {row.pk for row in recent}
    assert not AccessLog.objects.filter(pk__in=[row.pk for row in old]).exists()
    assert list(AccessFailureLog.objects.values_list("pk", flat=True)) == [recent_failure.pk]
    assert not AccessFailureLog.objects.filter(pk=old_failure.pk).exists()


def test_failed_login_records_past_the_cool_off_go_and_current_ones_stay(settings):
    cool_off = settings.AXES_COOLOFF_TIME
    expired = attempt(cool_off + timedelta(minutes=1), "a@school.test")
    current = attempt(cool_off - timedelta(minutes=1), "b@school.test")

    tasks.login_log_purge()

    assert list(AccessAttempt.objects.values_list("pk", flat=True)) == [current.pk]
    assert not AccessAttempt.objects.filter(pk=expired.pk).exists()


def test_the_purge_deletes_in_bounded_batches(settings):
    settings.LOGIN_LOG_RETENTION_DAYS = 30
    settings.LOGIN_LOG_PURGE_BATCH = 2
    for _ in range(5):
        logged(AccessLog, timedelta(days=31))
    keep = logged(AccessLog, timedelta(days=1))

    with CaptureQueriesContext(connection) as queries:
        tasks.login_log_purge()

    deletes = [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith("DELETE") and "axes_accesslog" in q["sql"]
    ]
    assert len(deletes) == 3, "five rows in batches of two"
    assert list(AccessLog.objects.values_list("pk", flat=True)) == [keep.pk]


def test_the_purge_answers_how_many_rows_went(settings):
    settings.LOGIN_LOG_RETENTION_DAYS = 30
    logged(AccessLog, timedelta(days=31))
    logged(AccessFailureLog, timedelta(days=31))
    attempt(settings.AXES_COOLOFF_TIME + timedelta(hours=1), "a@school.test")
    assert tasks.login_log_purge() == {"access_log": 1, "failure_log": 1, "attempts": 1}
    assert tasks.login_log_purge() == {"access_log": 0, "failure_log": 0, "attempts": 0}


def test_beat_runs_the_purge_nightly(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["login-log-purge"]
    task = import_string(entry["task"])
    assert task.name == entry["task"] == "leerkracht.tasks.login_log_purge"
    assert entry["schedule"].hour == {3}
