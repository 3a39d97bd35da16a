"""Shared test set-up. Test bodies build data outside any request, so the tenant scope is
disabled around each test; requests made through the test client open their own scope in the
middleware, exactly as in production (the inner scope wins while the request runs)."""

import pytest

from leerkracht.tenancy import scopes_disabled


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
