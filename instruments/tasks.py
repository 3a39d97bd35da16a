"""Tasks of the instruments. Thin: ids in, a service called. A task that touches a school's rows
is a `TenantTask`, which opens that school's tenant scope (leerkracht/celery.py); the sweeps
across schools are services."""

from __future__ import annotations

from celery import shared_task

from instruments.services import feedback as feedback_services
from instruments.services import lesson_visit as lesson_visit_services
from leerkracht.celery import TenantTask


@shared_task
def lesson_visit_reminders_due() -> int:
    """Beat, daily: enqueue a reminder for every planned visit that starts tomorrow (an Amsterdam
    day). Returns how many visits were found."""
    return lesson_visit_services.lesson_visit_reminders_enqueue()


@shared_task(base=TenantTask, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def lesson_visit_remind(*, school_id: int, visit_id: int) -> int:
    """Remind the visitor and the visited teacher of one visit (each once, however often this
    runs: see lesson_visit_remind the service)."""
    return lesson_visit_services.lesson_visit_remind(school_id=school_id, visit_id=visit_id)


@shared_task
def feedback_pools_due() -> int:
    """Beat, every minute: enqueue the move of what the pool still holds for every round that
    closed, or whose time ran out, since its last batch (pupils' answers wait sealed in the pool;
    services/feedback.py). Returns how many rounds were found."""
    return feedback_services.feedback_pools_settle_enqueue()


@shared_task(base=TenantTask)
def feedback_pool_settle(*, school_id: int, round_id: int) -> int:
    """Move what a closed round's pool holds into its answers (a second run finds nothing left)."""
    return feedback_services.feedback_pool_settle(school_id=school_id, round_id=round_id)
