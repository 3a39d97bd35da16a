"""The pytest side of a live test: what it needs (PostgreSQL and Redis) and the worker and beat
of one test, ended before its database is flushed. Import the fixtures into a test module."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
import redis
from django.conf import settings
from django.db import connection

from leerkracht.tests.live.processes import LiveCelery, in_ci


def require_postgresql_and_redis() -> None:
    """Skip without PostgreSQL and Redis, with the reason; fail instead in CI's PostgreSQL run."""
    missing = []
    if connection.vendor != "postgresql":
        missing.append("DATABASE_URL does not name a PostgreSQL database")
    if not settings.REDIS_URL:
        missing.append("REDIS_URL is not set")
    if missing:
        reason = "a real Celery worker needs PostgreSQL and Redis: " + "; ".join(missing) + "."
        if in_ci() and connection.vendor == "postgresql":
            pytest.fail(f"{reason} These tests are never skipped in CI's PostgreSQL run.", pytrace=False)
        pytest.skip(reason)


@contextmanager
def live_cluster(request, directory, cluster_class=LiveCelery):
    """A worker and beat of this test (started by the test), always ended before the database is
    flushed; their logs are printed when the test failed. Skips without PostgreSQL and Redis."""
    require_postgresql_and_redis()
    broker = redis.Redis.from_url(settings.REDIS_URL)
    broker.flushdb()  # no task of an earlier run reaches this worker
    failures_before = request.session.testsfailed
    cluster = cluster_class(directory=directory, database=connection.settings_dict, redis_url=settings.REDIS_URL)
    try:
        yield cluster
    finally:
        cluster.stop()
        broker.flushdb()
        broker.close()
        if request.session.testsfailed > failures_before:
            print(cluster.logs())


@pytest.fixture
def live(request, transactional_db, tmp_path):
    """The live worker and beat of one test (`live_cluster`)."""
    with live_cluster(request, tmp_path) as cluster:
        yield cluster


@pytest.fixture
def producer():
    """A Celery client on the test's Redis that sends tasks by name to the live worker, as beat
    or a web process would (the suite's own tasks stay eager in this process)."""
    from celery import Celery

    client = Celery("live-producer", broker=settings.REDIS_URL, set_as_current=False)
    yield client
    client.close()
