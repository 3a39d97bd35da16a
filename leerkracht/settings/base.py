"""Settings shared by every environment. Environment-specific modules import and adjust these."""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.csp import CSP

from leerkracht import env

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env.get("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
DEBUG = env.get_bool("DEBUG", False)
ALLOWED_HOSTS = env.get_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.get_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_htmx",
    "axes",
    "leerkracht",
    "schools",
    "instruments",
    "barometer",
    "academy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise (static files keep their own caching), above everything that answers: a
    # page without a Cache-Control of its own, an error page or a redirect is `private, no-store`.
    "leerkracht.middleware.CacheControlMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Inside the security headers and the CSP, before anything reads the path, query or body.
    "leerkracht.middleware.RefuseBadInputMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Computes the user's access once and opens the tenant scope around the view and the
    # rendering of its template response; decides every school-scoped route centrally.
    "leerkracht.middleware.TenancyMiddleware",
    # Last, so that a locked-out login answers with our page instead of reaching the view.
    "axes.middleware.AxesMiddleware",
]

# Project wiring (wiring/): the modules that know every app. The core imports none of them.
ROOT_URLCONF = "wiring.urls"

# The two questions of access only the schools app can answer, for the core's middleware
# (leerkracht/access.py resolves them on use): a user's Access from their memberships, and whether a
# region, bestuur or school exists.
ACCESS_FROM_MEMBERSHIPS = "schools.access.compute_access"
ACCESS_NODE_EXISTS = "schools.access.node_exists"
# Where someone who accepted a staff invitation into one team lands: that team's board, which the
# instruments (a floor above schools) serve. Named here, in the wiring, so schools names no app
# above it; the URL takes school_id and team_id.
TEAM_LANDING_URL_NAME = "instruments:team_board_open"
# Where a teacher lands on signing in: their week in a school ("Mijn week"), which the instruments
# serve; named here for the same reason. The URL takes school_id.
TEACHER_LANDING_URL_NAME = "instruments:my_week"
WSGI_APPLICATION = "leerkracht.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "wiring.context_processors.navigation",
            ],
        },
    },
]

# --- Database: PostgreSQL in production; an SQLite file is the embedded default. ---
DATABASE_URL = env.get("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "db.sqlite3",
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                # Write-ahead log: readers never wait for the writer (the dev server's threads, a
                # live server in a browser test), and a commit is one append, synced at
                # checkpoints instead of on every commit: seeding the demo commits thousands.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: Celery's broker and the cache; unset means tasks run in-process. ---
REDIS_URL = env.get("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.get("CACHE_KEY_PREFIX", "leerkracht"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Rendered board cards (instruments' {% cardcache %}): in the worker's own memory, because a
# network round trip per card would cost what rendering it costs. Keys carry everything a card
# shows, so a stale entry is never read; old ones fall out when the cache is full.
CACHES["fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "fragments",
    "TIMEOUT": 60 * 60 * 24,
    "OPTIONS": {"MAX_ENTRIES": 20_000},
}

# --- Celery (see leerkracht/celery.py for why each reliability default is what it is). ---
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
# The longest countdown/ETA a task may be given. Redis re-delivers an unacknowledged message
# after the visibility timeout, so that timeout must exceed the longest run plus this delay,
# or a long task would be handed to a second worker while the first still runs it.
CELERY_MAX_COUNTDOWN = 60 * 60
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_TASK_TIME_LIMIT + CELERY_MAX_COUNTDOWN + 30 * 60,
}
CELERY_TIMEZONE = "Europe/Amsterdam"
CELERY_ENABLE_UTC = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Celery beat: what runs on a clock (CELERY_TIMEZONE above, so hours are Amsterdam hours).
CELERY_BEAT_SCHEDULE = {
    # The e-mail reminder the day before a lesson visit: late afternoon, after school.
    "lesson-visit-reminders": {
        "task": "instruments.tasks.lesson_visit_reminders_due",
        "schedule": crontab(hour=16, minute=0),
    },
    # Barometer waves: open what is due, remind, close at the deadline. An interval, and the
    # tick compares UTC instants, so a daylight-saving change cannot skip or repeat a moment
    # (and a tick delivered twice acts once: barometer/services/waves.py).
    "barometer-tick": {
        "task": "barometer.tasks.barometer_tick",
        "schedule": timedelta(minutes=5),
    },
    # Plan every wave for schools that have started since it was made (relative waves).
    "barometer-plan": {
        "task": "barometer.tasks.barometer_plan",
        "schedule": crontab(hour=5, minute=15),
    },
    # The mail outbox: relay what the on-commit relay left behind (a lost task, a mail server that
    # was down, a claim whose lease ran out), and forget relayed messages past their retention.
    "outbox-relay": {
        "task": "leerkracht.tasks.outbox_relay",
        "schedule": timedelta(minutes=1),
    },
    "outbox-purge": {
        "task": "leerkracht.tasks.outbox_purge",
        "schedule": crontab(hour=3, minute=45),
    },
    # Forget logins past LOGIN_LOG_RETENTION_DAYS and failed logins past the cool-off: at night.
    "login-log-purge": {
        "task": "leerkracht.tasks.login_log_purge",
        "schedule": crontab(hour=3, minute=30),
    },
    # Erase the personal data of people who left, LEAVER_RETENTION_DAYS after they left their
    # last school (schools/services/leavers.py): at night, when nobody reads the boards.
    "leavers-erase": {
        "task": "schools.tasks.leavers_erase",
        "schedule": crontab(hour=3, minute=15),
    },
    # Pupils' answers wait sealed in their round's pool: move the remainder of rounds whose time
    # ran out (the live results count only moved answers).
    "feedback-pools": {
        "task": "instruments.tasks.feedback_pools_due",
        "schedule": timedelta(minutes=1),
    },
}
# The mail outbox (leerkracht/mail.py). A claimed message whose send was never confirmed (its
# worker died) is sent again, under the same Message-ID, only after this lease: far longer than one
# SMTP call may take (its timeout is 20 s), so a send still under way is never doubled.
MAIL_OUTBOX_LEASE_SECONDS = env.get_int("MAIL_OUTBOX_LEASE_SECONDS", 30 * 60)
# Relayed messages (their bodies are personal data) are deleted after this many days.
MAIL_OUTBOX_RETENTION_DAYS = env.get_int("MAIL_OUTBOX_RETENTION_DAYS", 30)
# How many messages the relay reads at a time.
MAIL_OUTBOX_BATCH = 500
# How many invitation e-mails one step of the sender writes to the outbox before it looks again.
BAROMETER_EMAIL_CHUNK = env.get_int("BAROMETER_EMAIL_CHUNK", 500)
# A school's own people (schools/services/people.py): how long an invitation's link works, and
# how large a people file may be (bytes and rows: a large secondary school has about 300 staff).
STAFF_INVITATION_DAYS = env.get_int("STAFF_INVITATION_DAYS", 14)
PEOPLE_IMPORT_MAX_BYTES = env.get_int("PEOPLE_IMPORT_MAX_BYTES", 2 * 1024 * 1024)
PEOPLE_IMPORT_MAX_ROWS = env.get_int("PEOPLE_IMPORT_MAX_ROWS", 3000)
# A leaver's name and address are kept this many days after they left their last school (for the
# school to see who it was while questions still come up), then erased by the beat.
LEAVER_RETENTION_DAYS = env.get_int("LEAVER_RETENTION_DAYS", 90)
# The address people reach the platform at, for links in e-mails written by workers (which have
# no request to build an absolute URL from).
SITE_URL = env.get("SITE_URL", "http://localhost:8000").rstrip("/")

# --- Auth ---
AUTH_USER_MODEL = "schools.User"
AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out account is refused even with the right password.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
# Password-reset mail per window: per account it names (an inbox cannot be flooded) and per
# client address (nor probed for many accounts). A throttled request answers as a sent one.
PASSWORD_RESET_ACCOUNT_LIMIT = env.get_int("PASSWORD_RESET_ACCOUNT_LIMIT", 3)
PASSWORD_RESET_ADDRESS_LIMIT = env.get_int("PASSWORD_RESET_ADDRESS_LIMIT", 10)
PASSWORD_RESET_WINDOW_MINUTES = env.get_int("PASSWORD_RESET_WINDOW_MINUTES", 60)

# How many proxies in front of the application append the client's address to X-Forwarded-For
# (the load balancer: 1). 0 ignores the header: without a trusted proxy a client writes it.
# leerkracht.http.client_address reads it for every throttle.
PROXY_COUNT = env.get_int("PROXY_COUNT", 0)

# Login throttling (django-axes): failures count per account *from one address*, so nobody can
# lock a colleague out, and one person's typos do not lock the school that shares an address.
AXES_FAILURE_LIMIT = env.get_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env.get_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The backstop against password spraying (many accounts, few passwords, one address): this many
# failures from one address within the cool-off lock the address for every account. Many times
# the per-account limit, so a whole school behind one address does not reach it by typos; 0 = off.
LOGIN_ADDRESS_FAILURE_LIMIT = env.get_int("LOGIN_ADDRESS_FAILURE_LIMIT", 100)
AXES_HANDLER = "leerkracht.auth_views.LoginThrottleHandler"
AXES_CLIENT_IP_CALLABLE = "leerkracht.http.client_address"
AXES_USERNAME_CALLABLE = "leerkracht.auth_views.throttled_username"
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
# A try refused during a lock never had its password checked: it is not a guess, and counting it
# would keep a school's address locked for as long as its staff keep trying.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "leerkracht.auth_views.lockout_response"
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_VERBOSE = False
# The login log (axes' AccessLog: address, browser and time of every login) is personal data:
# kept this many days for security questions, then removed by the nightly login-log-purge.
LOGIN_LOG_RETENTION_DAYS = env.get_int("LOGIN_LOG_RETENTION_DAYS", 90)
LOGIN_LOG_PURGE_BATCH = 1000

# --- Locale: Dutch for people, UTC in the database. ---
LANGUAGE_CODE = "nl"
# Dutch only until a translation exists; the UI text is marked for translation (i18n-ready).
LANGUAGES = [("nl", "Nederlands")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

# --- Static files ---
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- E-mail (Django 6.1 MAILERS): console in development, SMTP from the environment. ---
EMAIL_BACKEND_PATH = env.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")


def mailer(backend: str) -> dict:
    """One mailer; SMTP options only for the SMTP backend (others reject unknown options)."""
    if not backend.endswith("smtp.EmailBackend"):
        return {"BACKEND": backend}
    return {
        "BACKEND": backend,
        "OPTIONS": {
            "host": env.get("EMAIL_HOST", "localhost"),
            "port": env.get_int("EMAIL_PORT", 25),
            "username": env.get("EMAIL_HOST_USER", ""),
            "password": env.get("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env.get_bool("EMAIL_USE_TLS", False),
            "use_ssl": env.get_bool("EMAIL_USE_SSL", False),
            "timeout": 20,
        },
    }


MAILERS = {"default": mailer(EMAIL_BACKEND_PATH)}
DEFAULT_FROM_EMAIL = env.get("DEFAULT_FROM_EMAIL", "leerKRACHT platform <noreply@leerkracht.test>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security: Django's defaults on, plus a strict content security policy. ---
# No 'unsafe-inline' or 'unsafe-eval' anywhere: every script and style is a file under static/.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14

# --- REST API ---
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "UNAUTHENTICATED_USER": None,
    # JSON only: the browsable API (forms, the API's structure) is a development aid (dev.py).
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}

# --- Privacy thresholds (DESIGN.md §5) ---
AGGREGATE_MIN_RESPONDENTS = env.get_int("AGGREGATE_MIN_RESPONDENTS", 5)
# Within a school, the part not shown (hidden teams and teachers without a team) must be empty or
# at least this large, so school minus its shown teams never isolates a few people.
AGGREGATE_MIN_DIFFERENCE = env.get_int("AGGREGATE_MIN_DIFFERENCE", 5)
# Open answers are shown only when at least this many teachers of the school wrote one.
AGGREGATE_MIN_OPEN_ANSWERS = env.get_int("AGGREGATE_MIN_OPEN_ANSWERS", 10)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
