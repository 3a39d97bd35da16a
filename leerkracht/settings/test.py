"""The test suite: the real PostgreSQL and Redis when their URLs are set, the embedded default
otherwise. Tasks run in-process here; tests that need a real worker start one explicitly."""

from leerkracht.settings.base import *  # noqa: F403
from leerkracht.settings.base import CACHES, REDIS_URL

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
CELERY_TASK_ALWAYS_EAGER = True
if REDIS_URL:
    # Keep the suite's keys apart from a running development server's on the same Redis.
    CACHES["default"]["KEY_PREFIX"] = "leerkracht-test"
