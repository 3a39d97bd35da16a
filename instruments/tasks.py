"""Tasks of the instruments. Thin: ids in, a tenant scope opened from them, a service called."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from instruments.models import LessonVisit, VisitStatus
from instruments.selectors.lesson_visit import day_bounds
from instruments.services import lesson_visit as lesson_visit_services
from leerkracht import tenancy


@shared_task
def lesson_visit_reminders_due() -> int:
    """Beat, daily: enqueue a reminder for every planned visit that starts tomorrow (an Amsterdam
    day). Returns how many visits were found."""
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    start, end = day_bounds(tomorrow, tomorrow)
    # A platform-wide sweep, so it reads past the tenant scope on purpose (ids only); each
    # reminder then runs inside its own school's scope.
    due = list(
        LessonVisit.unscoped.filter(status=VisitStatus.PLANNED, starts_at__gte=start, starts_at__lt=end)
        .order_by("starts_at")
        .values_list("school_id", "pk")
    )
    for school_id, visit_id in due:
        lesson_visit_remind.delay(school_id=school_id, visit_id=visit_id)
    return len(due)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def lesson_visit_remind(*, school_id: int, visit_id: int) -> int:
    """Remind the visitor and the visited teacher of one visit (each once, however often this
    runs: see lesson_visit_remind the service)."""
    with tenancy.scope(school_ids=[school_id]):
        return lesson_visit_services.lesson_visit_remind(school_id=school_id, visit_id=visit_id)
