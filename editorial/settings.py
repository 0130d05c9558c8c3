"""Settings for Editorial, read only from environment variables (django-environ).

With ``DEBUG=true`` and nothing else (``scripts/run.sh``) this runs on the embedded defaults:
SQLite in ``var/``, no Redis. Without DEBUG it is production: SECRET_KEY is required, and HTTPS
redirect, Secure cookies and HSTS are on unless switched off.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

# SECRET_KEY signs sessions, CSRF tokens and password-reset links. A key written in this public
# repository would let anyone forge them, so only DEBUG (a developer's machine) falls back to one;
# without DEBUG a missing key, or that one, stops the process before it serves anything.
DEVELOPMENT_SECRET_KEY = "django-insecure-editorial-development-key-change-me-in-production"
SECRET_KEY = env("SECRET_KEY", default=DEVELOPMENT_SECRET_KEY if DEBUG else "")
if not DEBUG and SECRET_KEY in ("", DEVELOPMENT_SECRET_KEY):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set when DEBUG is off (the development key is public). Make one with "
        "python3 -c 'import secrets; print(secrets.token_urlsafe(50))' and put it in the "
        "environment (or in .env for Docker Compose); for local development set DEBUG=true."
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "desk.apps.EditorialAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_fsm",
    "simple_history",
    "csp",
    "axes",
    "articles",
    "reviewers",
    "desk.apps.DeskConfig",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "editorial.nul_characters.RefuseNulCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "editorial.urls"
WSGI_APPLICATION = "editorial.wsgi.application"

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
            ],
            # The project's own tags; ``editorial`` is no app, so they are named here.
            "libraries": {"people": "editorial.templatetags.people"},
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Per process unless CACHE_URL names a shared one (Compose: its Redis), which the rate limits and
# the page memory need as soon as more than one process serves. A redis:// URL always means
# Django's own Redis backend: django-environ would pick django-redis instead whenever it happens
# to be importable, whose options and behaviour differ.
_cache_url = env.str("CACHE_URL", default="locmemcache://editorial")
CACHES = {
    "default": env.cache_url_config(
        _cache_url,
        backend="django.core.cache.backends.redis.RedisCache"
        if _cache_url.startswith(("redis://", "rediss://"))
        else None,
    )
}

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = env.path("EMAIL_FILE_PATH", default=VAR_DIR / "emails")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Editorial <editorial@localhost>")
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): only this site's own scripts, styles, images and fonts.
# No template carries an inline script, style block or style attribute, so no 'unsafe-inline';
# JSON data blocks (JSON-LD, json_script) are not executed and need no permission.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
# Permissions-Policy (django-permissions-policy): browser features the site never uses are off,
# for its own pages and anything they might embed. Only features Chromium knows: it logs an
# error on every page for any other (FLoC's interest-cohort, replaced by browsing-topics;
# ambient-light-sensor and bluetooth, behind flags).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

# Brute-force protection of the admin login (django-axes): five wrong passwords for one username
# from one address block that pair for an hour, the right password included; each attempt in the
# meantime starts the hour again, a successful login clears the count. Another username from the
# same address, or the same username from elsewhere, still logs in, so nobody can lock an editor
# out from everywhere. Lift a block early: ``manage.py axes_reset_username USERNAME``.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(hours=1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "editorial.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "editorial.security.client_ip_address"
# The login records' admin pages are Editorial's own (desk/admin/people.py), registered once:
# django-axes registers none of its own.
AXES_ENABLE_ADMIN = False
# Reverse proxies in front of the app that append the client's address to X-Forwarded-For. With
# 0 the header is ignored (anyone can forge it) and the connection's address counts. Compose sets
# 1: its edge (deploy/nginx) is the app's only door and replaces the header with the address it
# saw; a CDN in front of that edge is declared to nginx (set_real_ip_from), not counted here.
EDITORIAL_PROXY_COUNT = env.int("EDITORIAL_PROXY_COUNT", default=0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # django-axes announces itself at every start, management commands included; its login
    # failures and lockouts (axes.handlers) are still logged.
    "loggers": {"axes.apps": {"level": "WARNING"}},
}

# The Medical Advisory Board that articles ask about their review (articles/board.py): the
# class answering for it, as AUTH_USER_MODEL names the user model.
EDITORIAL_BOARD = "reviewers.board.Board"

# Review policy (docs/workflows.md#article-review).
EDITORIAL_REVIEW_QUORUM = env.int("EDITORIAL_REVIEW_QUORUM", default=1)
EDITORIAL_PUBLISH_REQUIRES_APPROVAL = env.bool("EDITORIAL_PUBLISH_REQUIRES_APPROVAL", default=False)
EDITORIAL_REVIEW_DAYS = env.int("EDITORIAL_REVIEW_DAYS", default=14)
# The demo article: a copy of shared/seed/calcium-deposits.md, so a clone runs the demo alone.
EDITORIAL_DEMO_ARTICLE = env.path(
    "EDITORIAL_DEMO_ARTICLE", default=BASE_DIR / "articles" / "demo" / "calcium-deposits.md"
)
# Imports (docs/interchange.md), from the admin and the command line alike: the largest file read
# (UTF-8 bytes) and the most claims in it (also the most sections and the most references).
EDITORIAL_IMPORT_MAX_BYTES = env.int("EDITORIAL_IMPORT_MAX_BYTES", default=2 * 1024 * 1024)
EDITORIAL_IMPORT_MAX_CLAIMS = env.int("EDITORIAL_IMPORT_MAX_CLAIMS", default=2000)

# Celery and the reviewers' reminders (docs/reminders.md,
# docs/invariants.md#i5-reminders-exactly-once). Without CELERY_BROKER_URL the broker is kombu's
# filesystem transport in var/celery/, so the embedded default needs no server.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://localhost//")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _celery_dir = VAR_DIR / "celery"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_dir / "queue"),
        "data_folder_out": str(_celery_dir / "queue"),
        "processed_folder": str(_celery_dir / "processed"),
        "control_folder": str(_celery_dir / "control"),
        "store_processed": False,
    }
    for _folder in ("queue", "processed", "control"):
        (_celery_dir / _folder).mkdir(parents=True, exist_ok=True)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = env(
    "CELERY_BEAT_SCHEDULE_FILENAME", default=str(VAR_DIR / "celery-beat-schedule")
)
EDITORIAL_REMINDER_SWEEP_MINUTES = env.int("EDITORIAL_REMINDER_SWEEP_MINUTES", default=15)
CELERY_BEAT_SCHEDULE = {
    "reminders-sweep": {
        "task": "reviewers.tasks.reminders_sweep_task",
        "schedule": EDITORIAL_REMINDER_SWEEP_MINUTES * 60,
        "options": {"expires": EDITORIAL_REMINDER_SWEEP_MINUTES * 60},
    },
}
EDITORIAL_REMIND_BEFORE_DUE_HOURS = env.int("EDITORIAL_REMIND_BEFORE_DUE_HOURS", default=48)
EDITORIAL_OVERDUE_EVERY_HOURS = env.int("EDITORIAL_OVERDUE_EVERY_HOURS", default=24)
EDITORIAL_OVERDUE_REMINDERS_MAX = env.int("EDITORIAL_OVERDUE_REMINDERS_MAX", default=3)
EDITORIAL_ESCALATE_AFTER_OVERDUE_HOURS = env.int(
    "EDITORIAL_ESCALATE_AFTER_OVERDUE_HOURS", default=72
)
# A claimed reminder still unsent after this long is handed to the workers again by the sweep.
EDITORIAL_REMINDER_RETRY_AFTER_MINUTES = env.int(
    "EDITORIAL_REMINDER_RETRY_AFTER_MINUTES", default=10
)
EDITORIAL_REMINDER_BATCH_SIZE = env.int("EDITORIAL_REMINDER_BATCH_SIZE", default=1000)
# A mail server that hangs fails the send (and it is retried) instead of holding a worker.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)

# Reader site (docs/reader.md): rendered article pages are cached per content version; switch the
# cache off to measure the render path itself.
EDITORIAL_PAGE_CACHE = env.bool("EDITORIAL_PAGE_CACHE", default=True)

# Content governance (docs/governance.md). Each approval sets the next review due this many months
# on (an editor may set another date, with a reason); the article's editor is reminded this many
# days before it and once it has passed, through the reminder ledger (I5).
EDITORIAL_REVIEW_CYCLE_MONTHS = env.int("EDITORIAL_REVIEW_CYCLE_MONTHS", default=36)
EDITORIAL_REVIEW_REMIND_BEFORE_DAYS = env.int("EDITORIAL_REVIEW_REMIND_BEFORE_DAYS", default=30)
# Reader feedback on claims: reports one client may send an hour (counted in the cache, so set
# CACHE_URL to a shared cache when several processes serve the site).
EDITORIAL_FEEDBACK_PER_HOUR = env.int("EDITORIAL_FEEDBACK_PER_HOUR", default=5)
# The publisher named in each page's schema.org metadata.
EDITORIAL_PUBLISHER_NAME = env("EDITORIAL_PUBLISHER_NAME", default="Editorial")
# Shared caches in front of the reader site (docs/reader.md#shared-caches-and-purges;
# deploy/nginx/editorial.conf). Article pages and the list are public: a cache keeps them at most
# EDITORIAL_EDGE_MAX_AGE seconds without asking the origin, browsers ask every time (the nearest
# cache answers 304). Every change readers could see purges them after commit from the caches listed
# in EDITORIAL_EDGE_PURGE_URLS (HTTP PURGE to each one's purge listener), retried and recorded in
# the EdgePurge ledger; a purge still pending after EDITORIAL_EDGE_PURGE_RETRY_AFTER_SECONDS is sent
# again by beat. No cache listed (the default): nothing is purged. EDITORIAL_EDGE_BACKEND names
# another backend (dotted path).
EDITORIAL_EDGE_MAX_AGE = env.int("EDITORIAL_EDGE_MAX_AGE", default=300)
EDITORIAL_EDGE_PURGE_URLS = env.list("EDITORIAL_EDGE_PURGE_URLS", default=[])
EDITORIAL_EDGE_BACKEND = env("EDITORIAL_EDGE_BACKEND", default="")
EDITORIAL_EDGE_PURGE_TIMEOUT = env.float("EDITORIAL_EDGE_PURGE_TIMEOUT", default=5.0)
EDITORIAL_EDGE_PURGE_RETRY_AFTER_SECONDS = env.int(
    "EDITORIAL_EDGE_PURGE_RETRY_AFTER_SECONDS", default=60
)
# A response on its way when a change commits can reach a cache after the purge: every purge is
# sent again this much later, the longest a response takes (gunicorn's timeout); 0: never.
EDITORIAL_EDGE_PURGE_AGAIN_SECONDS = env.int("EDITORIAL_EDGE_PURGE_AGAIN_SECONDS", default=30)
CELERY_BEAT_SCHEDULE["edge-purges-sweep"] = {
    "task": "articles.tasks.edge_purges_sweep_task",
    "schedule": EDITORIAL_EDGE_PURGE_RETRY_AFTER_SECONDS,
    "options": {"expires": EDITORIAL_EDGE_PURGE_RETRY_AFTER_SECONDS},
}
