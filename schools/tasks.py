"""The schools app's tasks. Thin: ids in, a service out, inside the school's tenant scope."""

from celery import shared_task

from leerkracht.celery import TenantTask


@shared_task(base=TenantTask)
def people_import_run(*, school_id: int, import_id: int) -> int:
    """Write an import's rows (resuming where a killed worker stopped); how many rows are done."""
    from schools.services.people_import import people_import_run as run  # the service imports this module

    return run(import_id=import_id).rows_done


@shared_task
def leavers_erase() -> int:
    """Nightly: erase the personal data of people who left and have no place anywhere any more,
    LEAVER_RETENTION_DAYS after they left (platform-wide: not a tenant task)."""
    from schools.services.leavers import leavers_erase as erase

    return erase()
