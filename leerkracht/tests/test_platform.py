"""Platform plumbing: health check, Celery's reliability defaults, the tenant safety net, the
documented access matrix, and the production deploy check."""

import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings

from leerkracht import tenancy
from leerkracht.celery import app as celery_app
from leerkracht.roles import render_matrix_markdown
from schools.models import School, Team

ROOT = Path(settings.BASE_DIR)


@pytest.mark.django_db
def test_healthz_is_200_when_database_and_broker_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    expected_broker = "ok" if settings.REDIS_URL else "in-process"
    assert response.json() == {"status": "ok", "database": "ok", "broker": expected_broker}


@pytest.mark.django_db
def test_healthz_is_503_when_the_broker_is_down_and_reveals_no_secret(client, settings):
    settings.REDIS_URL = "redis://:s3cret-pass@127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "unavailable"
    assert b"s3cret" not in response.content and b"127.0.0.1" not in response.content


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_is_down(client):
    with mock.patch("leerkracht.health.connection.cursor", side_effect=Exception("password=hunter2")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"
    assert b"hunter2" not in response.content


def test_celery_reliability_defaults():
    conf = celery_app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    visibility = conf.broker_transport_options["visibility_timeout"]
    assert visibility > conf.task_time_limit + settings.CELERY_MAX_COUNTDOWN


@pytest.mark.django_db(transaction=True)
def test_tasks_are_enqueued_only_after_commit():
    from django.db import transaction

    from leerkracht.celery import OnCommitTask

    sent = []
    with mock.patch.object(OnCommitTask.__mro__[1], "apply_async", lambda self, *a, **k: sent.append(a)):
        from leerkracht.tasks import outbox_relay

        with transaction.atomic():
            outbox_relay.delay(message_ids=[1])
            assert sent == [], "nothing may leave before the commit"
        assert len(sent) == 1
        with pytest.raises(RuntimeError), transaction.atomic():
            outbox_relay.delay(message_ids=[1])
            raise RuntimeError("rolled back")
        assert len(sent) == 1, "a rolled-back write enqueues nothing"


def test_a_countdown_past_the_visibility_timeout_is_refused():
    from leerkracht.tasks import outbox_relay

    with pytest.raises(ValueError, match="CELERY_MAX_COUNTDOWN"):
        outbox_relay.apply_async(kwargs={}, countdown=settings.CELERY_MAX_COUNTDOWN + 1)


@pytest.mark.django_db
def test_tenant_models_refuse_queries_outside_a_scope(world):
    token = tenancy._current.set(None)
    try:
        with pytest.raises(tenancy.ScopeError):
            list(Team.objects.all())
        with pytest.raises(tenancy.ScopeError):
            School.objects.count()
        assert Team.unscoped.count() == 16, "the conspicuous path still works"
    finally:
        tenancy._current.reset(token)


@pytest.mark.django_db
def test_a_scope_limits_tenant_queries_to_its_schools(world):
    with tenancy.scope(school_ids=[world.home.pk]):
        assert set(Team.objects.values_list("school_id", flat=True)) == {world.home.pk}
        assert list(School.objects.values_list("pk", flat=True)) == [world.home.pk]
        assert not Team.objects.filter(pk=world.teams[world.foreign.pk][0].pk).exists()


def test_docs_access_matrix_is_rendered_from_the_code():
    assert (ROOT / "docs" / "access.md").read_text(encoding="utf-8") == render_matrix_markdown()


def test_production_settings_pass_the_deploy_check():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "leerkracht.settings.production",
        "SECRET_KEY": "x" * 30 + "-a-long-random-secret-for-the-check-" + "y" * 20,
        "ALLOWED_HOSTS": "platform.example",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(DJANGO_SETTINGS_MODULE="leerkracht.settings.production", ALLOWED_HOSTS="platform.example")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set in production" in result.stderr
