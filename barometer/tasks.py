"""Tasks of the barometer. Thin: ids in, a service called. A task that touches schools' rows is
a `TenantTask`, which opens the tenant scope of exactly the schools its arguments name
(leerkracht/celery.py); the platform-wide steps (the tick, the daily planning) are services.

Every task is safe to run twice or after a worker was killed half-way (late acks redeliver it):
the services claim with conditional updates and write against unique constraints with a status.

The tick hands the moments it opens, reminds or closes to batch tasks (`wave_schools_*`), each taking the
ids of up to `waves.BATCH_SCHOOLS` moments and their schools and opening the scope of exactly
those schools. The one-school tasks stay for callers that act on one school's moment.
"""

from __future__ import annotations

from celery import shared_task

from barometer.services import answers, results, waves
from leerkracht.celery import TenantTask


@shared_task
def barometer_tick() -> dict[str, int]:
    """Beat, every few minutes: close (and move the pooled answers), open (and invite), remind;
    re-enqueue unfinished work."""
    # Platform-wide: the tick's claims read past the tenant scope on purpose (ids only), and every
    # follow-up task opens its own schools' scope.
    result = waves.barometer_tick()
    return {"opened": len(result.opened), "reminded": len(result.reminded), "closed": len(result.closed)}


@shared_task
def barometer_plan() -> int:
    """Beat, daily: plan every wave for the schools that do not have their moment yet."""
    return waves.waves_plan_all()


@shared_task(base=TenantTask)
def wave_schools_invite(*, school_ids: list[int], wave_school_ids: list[int]) -> int:
    """Invite the teachers of a batch of schools' open moments and enqueue their e-mails."""
    return waves.wave_schools_invite(school_ids=school_ids, wave_school_ids=wave_school_ids)


@shared_task(base=TenantTask)
def wave_schools_remind(*, school_ids: list[int], wave_school_ids: list[int]) -> int:
    """Plan the reminder of everyone in a batch of open moments who has not answered, and send it."""
    return waves.wave_schools_remind(school_ids=school_ids, wave_school_ids=wave_school_ids)


@shared_task(base=TenantTask)
def wave_schools_emails_send(*, school_ids: list[int], wave_school_ids: list[int], kind: str) -> int:
    """Write a batch of moments' pending e-mails of one kind to the outbox, in chunks."""
    return waves.wave_schools_emails_send(school_ids=school_ids, wave_school_ids=wave_school_ids, kind=kind)


@shared_task(base=TenantTask)
def wave_schools_responses_move(*, school_ids: list[int], wave_school_ids: list[int]) -> int:
    """Move the pooled answers of a batch of closed moments into the answer tables."""
    return answers.pending_responses_move(wave_school_ids=wave_school_ids)


@shared_task
def results_snapshots_warm() -> int:
    """After the answers changed: compute the common national results snapshots of the new version,
    so that no admin waits for them."""
    return results.results_snapshots_warm()


@shared_task(base=TenantTask)
def wave_school_invite(*, school_id: int, wave_school_id: int) -> int:
    """Invite the teachers of one school's open moment and enqueue their e-mails."""
    return waves.wave_school_invite(school_id=school_id, wave_school_id=wave_school_id)


@shared_task(base=TenantTask)
def wave_school_remind(*, school_id: int, wave_school_id: int) -> int:
    """Plan the reminder of everyone in one school's moment who has not answered, and send it."""
    return waves.wave_school_remind(school_id=school_id, wave_school_id=wave_school_id)


@shared_task(base=TenantTask)
def invitation_emails_send(*, school_id: int, wave_school_id: int, kind: str) -> int:
    """Write one school's pending e-mails of one kind to the outbox, in chunks."""
    return waves.invitation_emails_send(school_id=school_id, wave_school_id=wave_school_id, kind=kind)
