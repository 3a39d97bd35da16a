"""The tenant safety net: queries on school-owned rows fail loudly outside an active scope.

The middleware opens a scope for every request with the schools the user may see; Celery tasks
open one from the school their arguments name, through their base class
(`leerkracht.celery.TenantTask`); management commands and migrations disable it explicitly.
A tenant model's default manager then:

- raises `ScopeError` when no scope is active, so a query that forgot its tenant cannot run;
- filters to the scope's schools, so even a selector with a bug cannot return another tenant's
  rows.

Selectors still filter to the school in the URL: the scope is a net under the rule, not the rule.
The unscoped path exists (`Model.unscoped`) and is meant to look conspicuous in review.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db import models

ALL = None  # marker: a scope that covers every school (admins, commands)


class ScopeError(RuntimeError):
    """A tenant-owned model was queried outside an active tenant scope."""


@dataclass
class Scope:
    """The schools the current code may touch; computed lazily on the first tenant query."""

    resolve: Callable[[], frozenset[int] | None]
    _school_ids: frozenset[int] | None = field(default=None, init=False)
    _resolved: bool = field(default=False, init=False)

    @property
    def school_ids(self) -> frozenset[int] | None:
        if not self._resolved:
            self._school_ids = self.resolve()
            self._resolved = True
        return self._school_ids


_current: ContextVar[Scope | None] = ContextVar("tenant_scope", default=None)


@contextmanager
def scope(*, school_ids: Iterable[int] | Callable[[], frozenset[int] | None] | None) -> Iterator[None]:
    """Open a tenant scope. `school_ids=None` means every school (for admins and commands)."""
    if callable(school_ids):
        active = Scope(resolve=school_ids)
    else:
        frozen = None if school_ids is None else frozenset(school_ids)
        active = Scope(resolve=lambda: frozen)
    token = _current.set(active)
    try:
        yield
    finally:
        _current.reset(token)


def scopes_disabled():
    """Open a scope over every school: for management commands, migrations and test set-up."""
    return scope(school_ids=ALL)


class TenantQuerySet(models.QuerySet):
    pass


class TenantManager(models.Manager.from_queryset(TenantQuerySet)):
    """Default manager of every school-owned model; see the module docstring."""

    def get_queryset(self):
        active = _current.get()
        if active is None:
            raise ScopeError(
                f"{self.model.__name__} is tenant-owned: query it inside a tenant scope "
                "(the request opens one; tasks use leerkracht.celery.TenantTask; commands "
                "use scopes_disabled)."
            )
        queryset = super().get_queryset()
        school_ids = active.school_ids
        if school_ids is not ALL:
            queryset = queryset.filter(**{self.model.tenant_field: school_ids})
        return queryset


class TenantModel(models.Model):
    """A row that belongs to one school. It carries `school` itself, even where a parent would
    lead to it: one filter, one index prefix, one rule to audit."""

    tenant_field = "school_id__in"

    objects = TenantManager()
    # Conspicuous on purpose: reaching past the tenant scope should stand out in review.
    unscoped = models.Manager()  # noqa: DJ012 - a second manager, not a field

    class Meta:
        abstract = True
        # Related-object access (team.school, membership.user) goes through the base manager
        # and must keep working while a scope is open.
        base_manager_name = "unscoped"
