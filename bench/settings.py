"""Production settings, served locally over plain HTTP for `bench/board.py`.

Everything that matters for speed stays as in production (DEBUG off, the cached template loader,
hashed static files, PostgreSQL with persistent connections, the Redis cache, every middleware);
only what stops a local HTTP run is changed. The secrets and URLs come from the environment that
`bench/board.py` gives its subprocesses.
"""

from leerkracht import env
from leerkracht.settings.production import *  # noqa: F403
from leerkracht.settings.production import BASE_DIR

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
# Served over http://127.0.0.1 without a TLS proxy in front: no redirect, cookies without Secure
# (a Secure cookie would never come back over http), no HSTS header.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0

ROOT_URLCONF = "bench.urls"

# collectstatic writes into a throw-away directory per run (production's manifest storage needs
# collected files); the repository's staticfiles/ is left alone.
STATIC_ROOT = env.get("BENCH_STATIC_ROOT") or BASE_DIR / "staticfiles"

# Quiet: one line per request would cost time inside the measurement and flood the terminal.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"axes": {"level": "WARNING"}, "django.request": {"level": "ERROR"}},
}
