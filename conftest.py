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


@pytest.fixture
def world(db):
    """The shared two-region world (leerkracht/tests/world.py)."""
    from leerkracht.tests.world import build_world

    return build_world()
