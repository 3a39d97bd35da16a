"""Settings of the Celery worker and beat that the live tests start as subprocesses.

The platform's own settings (base.py) with what a live test must control: not eager, the real
Redis as broker, every e-mail captured as a file in the test's directory (optionally slowly, so a
test can kill the worker while a message is half-sent), and a beat schedule of the test's own
choosing in seconds instead of the production clock. The database is the test database, given by
DATABASE_URL.

Read from the environment (set by `leerkracht.tests.live.processes.LiveCelery` and the test):
LIVE_MAIL_DIR (required), LIVE_MAIL_DELAY_BEFORE / LIVE_MAIL_DELAY_AFTER (seconds per message,
before and after the message is handed over), LIVE_BEAT ("task=seconds,…": what beat runs; by
default only the outbox's sweep, every second), and the platform's own variables
(BAROMETER_EMAIL_CHUNK, MAIL_OUTBOX_LEASE_SECONDS, …).
"""

from datetime import timedelta

from leerkracht import env
from leerkracht.settings.base import *  # noqa: F403
from leerkracht.settings.base import CACHES, REDIS_URL

MAIL_DIR = env.get("LIVE_MAIL_DIR")
if not REDIS_URL or not MAIL_DIR:
    raise RuntimeError("The live Celery settings need REDIS_URL (the real broker) and LIVE_MAIL_DIR.")

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_ALWAYS_EAGER = False
# Only what the test asks for: the other schedules would only add noise to the worker's log.
CELERY_BEAT_SCHEDULE = {
    task: {"task": task, "schedule": timedelta(seconds=float(seconds))}
    for task, seconds in (
        entry.split("=") for entry in env.get("LIVE_BEAT", "leerkracht.tasks.outbox_relay=1").split(",")
    )
}
CACHES["default"]["KEY_PREFIX"] = "leerkracht-live"

MAILERS = {
    "default": {
        "BACKEND": "leerkracht.tests.live.mail.CapturingEmailBackend",
        "OPTIONS": {
            "directory": MAIL_DIR,
            "delay_before": float(env.get("LIVE_MAIL_DELAY_BEFORE", "0")),
            "delay_after": float(env.get("LIVE_MAIL_DELAY_AFTER", "0")),
        },
    }
}
# The test client answers on this host, so the links in the captured mails are its paths.
SITE_URL = "http://testserver"
