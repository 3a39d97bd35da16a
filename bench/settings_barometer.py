"""Settings for `bench/barometer.py`: production's, as `bench/settings.py` serves them, with the
Celery tasks run in-process.

Eager tasks make one tick do the whole of a wave's work synchronously in the bench's process
(open, invite, write every e-mail to the outbox), so the time from the tick to the last outbox
row is one wall-clock measurement, with no worker or broker latency in it. The relay to the mail
server is not part of what the bench times (see bench/barometer.py); the locmem backend keeps a
relay that does run from reaching a mail server.
"""

from bench.settings import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
