"""Settings, read from the environment only.

Every value has a default that runs on a laptop with no servers: SQLite in the project folder,
files under ``var/media`` and a Celery broker kept in plain files (``filesystem://``), so
``make run`` needs nothing but Python. Production sets ``DEBUG=false`` and must then provide
``SECRET_KEY``; it refuses to start without one.
"""

import contextlib
import os
from pathlib import Path
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)

# A fixed development key is acceptable only while DEBUG is on; production must bring its own.
_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default="" if not DEBUG else _DEV_SECRET_KEY)
if not SECRET_KEY or (not DEBUG and SECRET_KEY == _DEV_SECRET_KEY):
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Printed in QR codes and e-mails: the public address of this installation.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_countries",
    "django_htmx",
    "import_export",
    "core",
    "accounts",
    "trainings",
    "participants",
    "experts",
    "certificates",
    "delivery",
    "privacy",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "portal.errors.ProductNotFoundMiddleware",
]
CSRF_FAILURE_VIEW = "portal.errors.csrf_failure"

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "django.template.context_processors.i18n",
                "accounts.context_processors.roles",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so that worker processes started by the tests share the test data;
    # one per test run, so that two runs in one checkout do not collide.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3")}
    # WAL lets the web process read while the embedded worker writes; busy_timeout waits instead
    # of failing with "database is locked" when both write at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth ---------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
# Django's ModelBackend behind the failed sign-in lock, for the login page, the API token and
# the admin alike (accounts.lockout).
AUTHENTICATION_BACKENDS = ["accounts.backends.LockoutBackend"]
# Failed sign-ins allowed per account (its user name, in any case) and per client address within
# the window; then sign-ins are refused until the oldest counted failure is older than the
# window. Counted in the database, so every process shares the count. 0 turns a limit off (the
# per-address one, when many people sign in from behind one NAT address).
LOGIN_FAILURE_WINDOW_MINUTES = env.int("LOGIN_FAILURE_WINDOW_MINUTES", default=15)
LOGIN_FAILURES_PER_ACCOUNT = env.int("LOGIN_FAILURES_PER_ACCOUNT", default=5)
LOGIN_FAILURES_PER_ADDRESS = env.int("LOGIN_FAILURES_PER_ADDRESS", default=20)
# Trusted reverse proxies in front of the site, each appending to X-Forwarded-For. 0 (no proxy):
# the client is REMOTE_ADDR and X-Forwarded-For is ignored, since any client can send it. Also
# DRF's NUM_PROXIES, so the rate limits of the API count the same client.
NUM_PROXIES = env.int("NUM_PROXIES", default=0)
# API tokens are refused (401) this many hours after they were issued; a new one is then obtained
# with the user name and password. Changing the password or deactivating the user deletes them.
TOKEN_TTL_HOURS = env.int("TOKEN_TTL_HOURS", default=24 * 14)

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian")), ("ar", _("Arabic"))]
LANGUAGE_CODES = [code for code, _name in LANGUAGES]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media files ---------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# css/site.css is joined from static/css/site/*.css (config/staticfiles.py); then Django's own.
STATICFILES_FINDERS = [
    "config.staticfiles.StylesheetBundleFinder",
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
with contextlib.suppress(OSError):  # whitenoise warns when it is missing
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Media is private (manuals, certificates): it is served only through views that check
# permissions, never under a public URL.
MEDIA_URL = "/media-not-public/"
# Uploads above this size are refused with a clear message (manuals, nomination lists).
MAX_UPLOAD_SIZE = env.int("MAX_UPLOAD_SIZE", default=50 * 1024 * 1024)
# The teach-back module a ToT trainee presents passes at this evaluator's score (out of 100),
# where the course requires one (delivery.completion).
TEACHBACK_PASS_SCORE = env.int("TEACHBACK_PASS_SCORE", default=60)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

# S3-compatible object storage when AWS_STORAGE_BUCKET_NAME is set (django-storages);
# otherwise files stay on the local disk under MEDIA_ROOT.
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
_default_storage: dict[str, Any] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if AWS_STORAGE_BUCKET_NAME:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": env.int("AWS_QUERYSTRING_EXPIRE", default=300),
            "file_overwrite": False,
        },
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- REST API -----------------------------------------------------------------------------
REST_FRAMEWORK = {
    # DRF's defaults, with a JSON parser that answers 400 to a body nested too deeply.
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Token first, so an anonymous API request gets 401 with a WWW-Authenticate header
    # rather than a 403 or a redirect to the login page.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        # DRF's search and ordering, minus the fields a view hides from the requester.
        "core.filtering.VisibleFieldsSearchFilter",
        "core.filtering.VisibleFieldsOrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {
        "verify": env.str("VERIFY_RATE", default="60/minute"),
        "token": env.str("TOKEN_RATE", default="30/minute"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # The client address of the throttles: REMOTE_ADDR unless proxies are configured (above).
    "NUM_PROXIES": NUM_PROXIES,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Training programme manager API",
    "DESCRIPTION": (
        "Programmes, thematic modules, manuals, courses, trainees, experts and certificates of "
        "Training-of-Trainers courses. Authenticate with `POST /api/v1/auth/token/` and send "
        "`Authorization: Token <token>`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]",
    # Swagger UI assets are served from this site: no CDN, works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Cache (rate limits) ------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- Celery -------------------------------------------------------------------------------
# The embedded default keeps messages in files under var/celery, so a worker runs beside
# `runserver` without any broker server. Production points this at Redis.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://localhost/")
CELERY_BROKER_TRANSPORT_OPTIONS = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = Path(env.str("CELERY_QUEUE_DIR", default=str(VAR_DIR / "celery")))
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir / "queue"),
        "data_folder_out": str(_queue_dir / "queue"),
        "processed_folder": str(_queue_dir / "processed"),
        "control_folder": str(_queue_dir / "control"),
        "store_processed": False,
        # The folder is polled; the default second of idling per message halves throughput.
        "polling_interval": 0.1,
    }
    for _sub in ("queue", "processed", "control"):
        (_queue_dir / _sub).mkdir(parents=True, exist_ok=True)
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # Unacknowledged messages come back after this many seconds if their worker died.
    # Tasks are idempotent, so an early re-delivery costs a little work and loses nothing.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=600),
    }
# Results are only kept for the few tasks that ask for them (health checks); domain progress
# lives in the database.
CELERY_RESULT_BACKEND = env.str(
    "CELERY_RESULT_BACKEND",
    default=CELERY_BROKER_URL
    if CELERY_BROKER_URL.startswith(("redis://", "rediss://"))
    else f"file://{Path(env.str('CELERY_QUEUE_DIR', default=str(VAR_DIR / 'celery'))) / 'results'}",
)
if CELERY_RESULT_BACKEND.startswith("file://"):
    Path(CELERY_RESULT_BACKEND.removeprefix("file://")).mkdir(parents=True, exist_ok=True)
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=600)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=540)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    # Re-dispatch certificate batches that stalled (lost messages, a dead worker, a Redis
    # restart): the database, not the broker, knows what is left to do.
    "sweep-certificate-batches": {
        "task": "certificates.sweep_batches",
        "schedule": env.float("CERTIFICATE_SWEEP_SECONDS", default=30.0),
    },
    # The same for course ZIPs of the manual library.
    "sweep-manual-bundles": {
        "task": "trainings.sweep_manual_bundles",
        "schedule": env.float("CERTIFICATE_SWEEP_SECONDS", default=30.0),
    },
    # Large course files: send again what stalled, delete what expired.
    "sweep-course-exports": {
        "task": "delivery.sweep_course_exports",
        "schedule": env.float("CERTIFICATE_SWEEP_SECONDS", default=30.0),
    },
}

# --- Course files (roster, attendance sheet, sign-in sheet) ---------------------------------
# Above these sizes a file is built by a worker and fetched when ready (202 and a status to
# poll; the page says "being prepared"), so no request holds a web worker for minutes. Cells
# are rows x columns of a roster or attendance sheet (a 366-day course has 371 columns);
# a sign-in sheet counts trainees (about 25 a page).
EXPORT_SYNC_MAX_CELLS = env.int("EXPORT_SYNC_MAX_CELLS", default=200_000)
EXPORT_SYNC_MAX_SIGN_IN_TRAINEES = env.int("EXPORT_SYNC_MAX_SIGN_IN_TRAINEES", default=500)
# How long a file built by a worker stays downloadable; the sweep then deletes it.
EXPORT_FILE_HOURS = env.int("EXPORT_FILE_HOURS", default=24)

# --- Certificates -------------------------------------------------------------------------
# Base64 of a 32-byte Ed25519 seed; without it a key is derived from SECRET_KEY.
CERTIFICATE_SIGNING_KEY = env.str("CERTIFICATE_SIGNING_KEY", default="")
# Without CERTIFICATE_SIGNING_KEY a development install (DEBUG) generates its key here on first
# use; production refuses to sign without the setting (certificates/signing.py).
CERTIFICATE_KEY_FILE = Path(
    env.str("CERTIFICATE_KEY_FILE", default=str(VAR_DIR / "certificate-signing.key"))
)
# Older public keys (key id -> base64) whose signatures must keep verifying after a rotation.
CERTIFICATE_PUBLIC_KEYS = env.json("CERTIFICATE_PUBLIC_KEYS", default={})
# How long a worker may hold a certificate it renders before another may take it over.
CERTIFICATE_LEASE_SECONDS = env.int("CERTIFICATE_LEASE_SECONDS", default=60)
CERTIFICATE_CHUNK_SIZE = env.int("CERTIFICATE_CHUNK_SIZE", default=20)
# Claims of one certificate before it is failed with its last error (a worker that keeps dying
# on it, storage that keeps failing), so its batch still finishes. A retry starts again at 0.
CERTIFICATE_MAX_ATTEMPTS = env.int("CERTIFICATE_MAX_ATTEMPTS", default=5)

# --- E-mail -------------------------------------------------------------------------------
MAILERS = {
    "default": {
        "BACKEND": env.str(
            "EMAIL_BACKEND",
            default="django.core.mail.backends.console.EmailBackend"
            if DEBUG
            else "django.core.mail.backends.smtp.EmailBackend",
        ),
        "OPTIONS": {},
    }
}
if MAILERS["default"]["BACKEND"].endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": env.str("EMAIL_HOST", default="localhost"),
        "port": env.int("EMAIL_PORT", default=25),
        "username": env.str("EMAIL_HOST_USER", default=""),
        "password": env.str("EMAIL_HOST_PASSWORD", default=""),
        "use_tls": env.bool("EMAIL_USE_TLS", default=False),
        "timeout": 30,
    }
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="training@localhost")

# --- Security (production) ----------------------------------------------------------------
# SECURE_COOKIES=false is for a deployment served over plain HTTP (a closed network): it also
# turns off the HTTPS redirect and HSTS, which would lock such a site out of its own browsers.
SESSION_COOKIE_SECURE = not DEBUG and env.bool("SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Behind the TLS proxy every page is HTTPS; the health check stays reachable on plain HTTP from
# inside the network (docker-compose's healthcheck, a load balancer's probe).
SECURE_SSL_REDIRECT = SESSION_COOKIE_SECURE and env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
# HSTS: browsers keep to HTTPS for this long once they have seen the site (30 days by default;
# raise it once the deployment is settled). Not for subdomains, which may be other services.
SECURE_HSTS_SECONDS = (
    env.int("SECURE_HSTS_SECONDS", default=30 * 24 * 3600) if SESSION_COOKIE_SECURE else 0
)
# Content-Security-Policy, in every mode (so the browser tests run under it): the pages load
# scripts, styles, fonts and images from this site only and have no inline script or style
# (htmx's injected indicator style is turned off in base.html); QR codes are data: images. No
# object-src of its own: 'self' lets a browser show this site's PDFs inline.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# A signed-in session lasts a working day and ends with the browser: shared office computers.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=10 * 3600)
# Subdomains of a ministry's or a project's domain are often other services, and the preload
# list is a one-way commitment: both are the deployer's decision, off unless asked for, and the
# deploy checks that would nag about them are silenced for that reason.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W021"]
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "WARNING"},
        "pikepdf": {"level": "WARNING"},
    },
}
