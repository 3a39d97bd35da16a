"""Platform-wide tasks. Thin: ids and plain values in, a service out."""

from celery import shared_task

from leerkracht import mail


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def outbox_relay(*, message_ids: list[int] | None = None) -> int:
    """Hand outbox messages to the mail server: these (enqueued on the commit that wrote them) or,
    from beat, every one still due. Retried while the mail server is unreachable."""
    return mail.outbox_relay(message_ids=message_ids)


@shared_task
def outbox_purge() -> int:
    """Nightly: forget relayed messages past MAIL_OUTBOX_RETENTION_DAYS."""
    return mail.outbox_purge()


@shared_task
def login_log_purge() -> dict[str, int]:
    """Nightly: forget logins past LOGIN_LOG_RETENTION_DAYS and failed logins past the cool-off."""
    from leerkracht.auth_views import login_records_purge  # the views module imports this one

    return login_records_purge()
