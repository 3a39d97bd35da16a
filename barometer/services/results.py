"""The version of the answers the results are computed from, and what happens when it changes.

The results change only when a school's moment closes (`barometer_tick`) and when its pooled
answers are moved into the answer tables (`pending_responses_move`); both call `results_changed`,
which after their commit sets a new random version and, at most once per `WARM_DELAY`, schedules
the background task that computes the common national snapshots under it
(`barometer.selectors.snapshots`). Every snapshot's key carries the version, so a snapshot of
older answers is never read again. Without a version in the cache (first start, a flush) a new
one is made, and every snapshot is computed anew.
"""

from __future__ import annotations

import secrets

from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "barometer:results:version"
WARM_QUEUED_KEY = "barometer:results:warm-queued"
# The closing tick hands a national wave's moments to many move tasks; the common snapshots are
# computed once after they settle, not once per task.
WARM_DELAY = 60


def data_version() -> str:
    """The current version of the answers (a random token kept in the cache)."""
    version = cache.get(VERSION_KEY)
    if version is None:
        version = secrets.token_hex(8)
        if not cache.add(VERSION_KEY, version, timeout=None):
            version = cache.get(VERSION_KEY) or version
    return version


def results_changed() -> None:
    """The answers or the closed moments changed: after the commit (a read that takes the old
    version meanwhile computes newer answers, never older), a new version, and the common
    snapshots computed in the background."""
    transaction.on_commit(_version_new)


def _version_new() -> None:
    from barometer import tasks  # the task calls the snapshots, which read this module

    cache.set(VERSION_KEY, secrets.token_hex(8), timeout=None)
    if cache.add(WARM_QUEUED_KEY, 1, timeout=WARM_DELAY):
        tasks.results_snapshots_warm.apply_async(countdown=WARM_DELAY)


def warm_started() -> None:
    """The warm task has begun: a change from now on schedules another run."""
    cache.delete(WARM_QUEUED_KEY)


def results_snapshots_warm() -> int:
    """The background step after a change: the common national snapshots of the new version.
    National results sum every school's answers, so this reads platform-wide on purpose, as the
    admin's page does."""
    from barometer.selectors import snapshots  # the snapshots read this module's version
    from leerkracht import tenancy

    with tenancy.scope(school_ids=tenancy.ALL):
        return snapshots.snapshots_warm()
