"""Tasks of the instruments. Thin: ids in, a tenant scope opened from them, a service called."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from instruments.models import FeedbackRound, LessonVisit, VisitStatus
from instruments.selectors import feedback as feedback_selectors
from instruments.services import feedback as feedback_services
from instruments.services import lesson_visit as lesson_visit_services
from leerkracht import clock, tenancy


@shared_task
def lesson_visit_reminders_due() -> int:
    """Beat, daily: enqueue a reminder for every planned visit that starts tomorrow (an Amsterdam
    day). Returns how many visits were found."""
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    start, end = clock.day_bounds(tomorrow, tomorrow)
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


@shared_task
def feedback_pools_due() -> int:
    """Beat, every minute: enqueue the move of what the pool still holds for every round that
    closed, or whose time ran out, since its last batch (pupils' answers wait sealed in the pool;
    services/feedback.py). Returns how many rounds were found."""
    # A platform-wide sweep, past the tenant scope on purpose (ids only); each move then runs
    # inside its own school's scope.
    due = feedback_selectors.rounds_with_pool_to_settle()
    for school_id, round_id in due:
        feedback_pool_settle.delay(school_id=school_id, round_id=round_id)
    return len(due)


@shared_task
def feedback_pool_settle(*, school_id: int, round_id: int) -> int:
    """Move what a closed round's pool holds into its answers (a second run finds nothing left)."""
    with tenancy.scope(school_ids=[school_id]):
        feedback_round = FeedbackRound.objects.filter(pk=round_id).first()
        if feedback_round is None:
            return 0
        return feedback_services.feedback_pool_move(feedback_round=feedback_round)
