"""Shared test set-up. Test bodies build data outside any request, so the tenant scope is
disabled around each test; requests made through the test client open their own scope in the
middleware, exactly as in production (the inner scope wins while the request runs)."""

import pytest

from leerkracht.tenancy import scopes_disabled


def pytest_collection_modifyitems(config, items):
    """A test marked `postgresql("why")` asserts something only PostgreSQL does (row locks, its
    triggers): on the embedded default it is skipped with that reason, never silently passed.
    CI runs the whole suite on PostgreSQL too, where nothing is skipped."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    for item in items:
        marker = item.get_closest_marker("postgresql")
        if marker is not None:
            reason = marker.args[0] if marker.args else "needs PostgreSQL"
            item.add_marker(pytest.mark.skip(reason=f"PostgreSQL only: {reason}"))


@pytest.fixture(scope="session", autouse=True)
def _mail_refused_inside_a_transaction(django_test_environment):
    """Django's test set-up puts the in-memory mail backend in; this one is it, but fails the
    test when a message is handed over while a transaction is open (leerkracht/tests/mail_backend.py)."""
    from django.conf import settings

    settings.MAILERS = {
        alias: {"BACKEND": "leerkracht.tests.mail_backend.TransactionGuardEmailBackend"} for alias in settings.MAILERS
    }
    yield


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run a step and then the tasks it enqueued (and theirs), as a commit would: the suite's
    tasks are eager and wait for the commit, which a test's own transaction never makes."""

    def run(function, /, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return run


@pytest.fixture(autouse=True)
def _tenant_scope_for_setup():
    with scopes_disabled():
        yield


@pytest.fixture(autouse=True)
def _clear_cache():
    """Each test starts with empty caches (the default one is the real Redis when REDIS_URL is
    set; rendered board cards live in the process's memory)."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()
    yield


_MIGRATION_ROWS = pytest.StashKey[object]()


@pytest.fixture(scope="session", autouse=True)
def _migration_rows(request, django_db_setup, django_db_blocker):
    """The data migrations' rows, taken once per test process (see the teardown hook below)."""
    from pytest_django.fixtures import _get_databases_for_setup

    from leerkracht.tests.world import MigrationRows

    # A run whose tests use no database (one file of pure functions) has none set up to read.
    if not _get_databases_for_setup(request.session.items)[0]:
        return
    with django_db_blocker.unblock():
        request.config.stash[_MIGRATION_ROWS] = MigrationRows.take()


def _flushes(item) -> bool:
    """Whether pytest-django ends this test with a flush (a transactional test), as it decides."""
    marker = item.get_closest_marker("django_db")
    names = getattr(item, "fixturenames", ())
    return bool(
        (marker is not None and marker.kwargs.get("transaction"))
        or "transactional_db" in names
        or "live_server" in names
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a transactional test's flush, write the data migrations' rows back: whichever test
    this process runs next (pytest-xdist hands files out in any order) finds them."""
    result = yield
    migration_rows = item.config.stash.get(_MIGRATION_ROWS, None)
    # Not after the last test: the test database is gone by then (torn down in its teardown).
    if migration_rows is not None and nextitem is not None and _flushes(item):
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            migration_rows.restore()
    return result


@pytest.fixture(scope="session")
def world_snapshot(django_db_setup, django_db_blocker):
    """The two-region world's rows, built once per test process (leerkracht/tests/world.py)."""
    from leerkracht.tests.world import WorldSnapshot

    with django_db_blocker.unblock():
        return WorldSnapshot.take()


@pytest.fixture
def world(db, world_snapshot):
    """The shared two-region world (leerkracht/tests/world.py), the same in every test."""
    return world_snapshot.restore()
