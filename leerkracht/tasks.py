"""Platform-wide tasks. Thin: ids and plain values in, a service or Django's mail out."""

from celery import shared_task
from django.core.mail import EmailMultiAlternatives


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_email(*, subject: str, body: str, to: list[str], html_body: str | None = None) -> None:
    """Send one e-mail. Used for messages where a duplicate is harmless (password reset);
    campaign mail (barometer waves) records a status per recipient instead."""
    message = EmailMultiAlternatives(subject=subject, body=body, to=to)
    if html_body:
        message.attach_alternative(html_body, "text/html")
    message.send()


@shared_task
def login_log_purge() -> dict[str, int]:
    """Nightly: forget logins past LOGIN_LOG_RETENTION_DAYS and failed logins past the cool-off."""
    from leerkracht.auth_views import login_records_purge  # the views module imports this one

    return login_records_purge()
