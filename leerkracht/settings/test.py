"""The test suite: the real PostgreSQL and Redis when their URLs are set, the embedded default
otherwise. Tasks run in-process here; tests that need a real worker start one explicitly."""

import os
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from leerkracht import env
from leerkracht.settings.base import *  # noqa: F403
from leerkracht.settings.base import CACHES, DATABASES, REDIS_URL

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
CELERY_TASK_ALWAYS_EAGER = True

# pytest-xdist runs the suite in several processes ("gw0", "gw1", …); pytest-django gives each its
# own test database, and here each gets its own Redis database: every test empties the cache, and
# the live Celery tests use Redis as their broker, so two processes on one Redis database would
# empty each other's cache and take each other's tasks.
XDIST_WORKER = env.get("PYTEST_XDIST_WORKER", "")
if REDIS_URL and XDIST_WORKER.startswith("gw"):
    parts = urlsplit(REDIS_URL)
    base = int(parts.path.strip("/") or 0)
    REDIS_URL = urlunsplit(parts._replace(path=f"/{(base + 1 + int(XDIST_WORKER[2:])) % 16}"))
    CACHES["default"]["LOCATION"] = REDIS_URL
    CELERY_BROKER_URL = REDIS_URL
if REDIS_URL:
    # Keep the suite's keys apart from a running development server's on the same Redis.
    CACHES["default"]["KEY_PREFIX"] = "leerkracht-test"

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # On the embedded default the test database is a file, not memory: Django hands an in-memory
    # database's one connection to the live server's thread too, so a browser test's requests
    # and the test itself would share (and lock) one connection. With a file each thread has its
    # own, and the write-ahead log (base.py) lets them read while another writes. The process id
    # keeps two test runs on one machine apart; the file is removed when the run ends.
    DATABASES["default"]["TEST"] = {"NAME": str(Path(tempfile.gettempdir()) / f"leerkracht-test-{os.getpid()}.sqlite3")}
