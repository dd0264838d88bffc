"""XMKT settings: one module, every value from the environment (see .env.example for the full list)."""

from datetime import date
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (make run generates one into var/).")
    SECRET_KEY = "insecure-development-key-only-used-with-debug"

# Keyed hash for phone numbers and e-mail addresses (HMAC-SHA256). Losing it makes stored hashes unmatchable, so a
# production deployment must set it explicitly rather than borrow SECRET_KEY, which may be rotated.
IDENTITY_HASH_KEY = env.str("IDENTITY_HASH_KEY", default="")
if not IDENTITY_HASH_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("IDENTITY_HASH_KEY must be set when DEBUG is off (make run generates one).")
    IDENTITY_HASH_KEY = "insecure-development-identity-key"

# Clean-room overlap (docs/clean-room.md): the ε a partner's query spends when it names none (no query is released
# without noise), and how long a query's stored sets (matched-people digests, upload fingerprint) are kept for the
# difference check before the nightly task clears them.
OVERLAP_DEFAULT_EPSILON = env.float("OVERLAP_DEFAULT_EPSILON", default=0.5)
OVERLAP_QUERY_RETENTION_DAYS = env.int("OVERLAP_QUERY_RETENTION_DAYS", default=90)

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_bootstrap5",
    "django_htmx",
    "axes",
    "xmkt_site",
    "campaigns",
    "analytics",
    "recommender",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: turns a lockout into the sign-in page with a message.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "xmkt_site.urls"
WSGI_APPLICATION = "xmkt_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "xmkt_site.context_processors.navigation",
            ],
        },
    },
]

# var/ must exist before SQLite first opens the file there: `make run` and `make test` create it.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'xmkt.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one file: WAL lets readers run beside the writer, IMMEDIATE avoids upgrade deadlocks.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# The recommendations endpoint plans its statements once per database session (server-side prepared statements);
# turn off behind a connection pooler in transaction mode, where a session is not one client's.
SERVING_PREPARED_STATEMENTS = env.bool("SERVING_PREPARED_STATEMENTS", default=True)

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

AUTH_USER_MODEL = "campaigns.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"


def _package_static_dirs() -> list[tuple[str, str]]:
    """Front-end assets that pip installs: Bootstrap (xstatic) and plotly's offline bundle. No CDN."""
    import plotly
    import xstatic.pkg.bootstrap as bootstrap

    return [
        ("vendor/bootstrap", bootstrap.BASE_DIR),
        ("vendor/plotly", str(Path(plotly.__file__).parent / "package_data")),
    ]


STATICFILES_DIRS = [BASE_DIR / "static", *_package_static_dirs()]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
# Model artefacts of versions no longer serving (retired champions, candidates) are deleted after this many days.
RETIRED_ARTEFACT_RETENTION_DAYS = env.int("RETIRED_ARTEFACT_RETENTION_DAYS", default=30)
MEDIA_URL = "media/"

# --- Hardening (docs/privacy.md "Security measures") ------------------------------------------------------------------
# Secure cookies and HSTS are on whenever DEBUG is off, unless the environment says otherwise: the local demo
# (`make run`, plain http on 127.0.0.1) sets SECURE_COOKIES=false and SECURE_HSTS_SECONDS=0.
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)  # usually done by the reverse proxy
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content security policy (django-csp 4). Scripts are local files only (htmx, Bootstrap, plotly, ours): charts come as
# JSON data blocks drawn by static/js/charts.js, the Swagger UI runs through drf-spectacular's split view, and
# tests/browser fails on any CSP violation. plotly.js needs no eval for the chart types used, but its typed-array/regl
# paths do: 'unsafe-eval' stays until a browser test proves the pages work without it (reported below, not enforced).
# Styles keep 'unsafe-inline' for the style attributes plotly and Bootstrap components set.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", "'unsafe-eval'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# The policy we are heading for, reported (not enforced) so that violations show up in browser consoles first.
CONTENT_SECURITY_POLICY_REPORT_ONLY = {
    "DIRECTIVES": {
        **CONTENT_SECURITY_POLICY["DIRECTIVES"],
        "script-src": ["'self'"],
    }
}

# Login throttling (django-axes 8): lock a username+address pair out after AXES_FAILURE_LIMIT failures, and an
# address out after AXES_ADDRESS_FAILURE_LIMIT failures over all usernames (xmkt_site/sign_in_limits.py).
AUTHENTICATION_BACKENDS = [
    "xmkt_site.security.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_ADDRESS_FAILURE_LIMIT = env.int("AXES_ADDRESS_FAILURE_LIMIT", default=15)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], ["ip_address"]]
AXES_HANDLER = "xmkt_site.sign_in_limits.SignInLimitHandler"
# Reverse proxies in front of the web processes that append to X-Forwarded-For. 0: the client is REMOTE_ADDR and the
# header is ignored (anyone can write it). Behind one proxy, set 1: otherwise every client has the proxy's address and
# the per-address limit locks out everyone at once.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "xmkt_site.sign_in_limits.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "xmkt_site.security.lockout_response"
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_VERBOSE = False  # axes would log usernames on every failure

BOOTSTRAP5 = {
    "css_url": {"url": "/static/vendor/bootstrap/css/bootstrap.min.css"},
    "javascript_url": {"url": "/static/vendor/bootstrap/js/bootstrap.bundle.min.js"},
}

# --- REST API -------------------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "campaigns.api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["xmkt_site.api.permissions.HasRoleOrScope"],
    "DEFAULT_THROTTLE_CLASSES": ["xmkt_site.api.throttling.ApiKeyRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api_key": env.str("API_KEY_THROTTLE_RATE", default="12000/min")},
    "EXCEPTION_HANDLER": "xmkt_site.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_PARSER_CLASSES": [
        "xmkt_site.api.parsers.SafeJSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "XMKT API",
    "DESCRIPTION": "Cross-industry partner marketing: ingestion, segments, forecasts, recommendations, campaigns.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=50 * 1024 * 1024)
# JSON bodies nested deeper than this are refused before parsing (the decoder and every walk after it recurse).
API_JSON_MAX_DEPTH = env.int("API_JSON_MAX_DEPTH", default=32)
INGEST_MAX_ROWS = 10_000
# The instants an event (or a conversion, exposure) may claim: from this day (in TIME_ZONE) to now plus this many
# hours. A time outside is a field error: one year-1 or year-9999 event stretches every daily series over millennia.
EVENT_TIME_MIN = date.fromisoformat(env.str("EVENT_TIME_MIN", default="2000-01-01"))
EVENT_TIME_MAX_AHEAD_HOURS = env.int("EVENT_TIME_MAX_AHEAD_HOURS", default=24)
# Hashed identifiers one clean-room overlap upload may carry.
OVERLAP_MAX_TOKENS = env.int("OVERLAP_MAX_TOKENS", default=100_000)

# --- Celery ---------------------------------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    # One folder per installation: two checkouts (or a test) must not consume each other's messages. The folders are
    # made when Celery is first configured (xmkt_site.celery), not here.
    _broker_dir = Path(env.str("CELERY_FILESYSTEM_BROKER_DIR", default=str(VAR_DIR / "broker")))
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "control_folder": str(_broker_dir / "control"),
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
    }
else:
    # A message whose worker died unacknowledged returns to the queue after this many seconds.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
# No result backend: a tracked task records its outcome, progress and error in its TaskRun row, and nothing reads
# Celery's own results. Chains need none either: the worker sends the next step itself.
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = [Queue("default"), Queue("ingest"), Queue("pipeline")]
CELERY_TASK_ROUTES = {
    "analytics.tasks.rollup.*": {"queue": "ingest"},
    "analytics.tasks.pipeline.*": {"queue": "pipeline"},
    "recommender.tasks.*": {"queue": "pipeline"},
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "nightly-event-rollup": {
        "task": "analytics.tasks.rollup.rollup_events_all_organizations",
        "schedule": crontab(hour=2, minute=15),
    },
    "nightly-analytics-pipeline": {
        "task": "analytics.tasks.pipeline.run_analytics_pipeline",
        "schedule": crontab(hour=3, minute=0),
    },
    "campaigns-start-end-due": {
        "task": "campaigns.tasks.campaigns.campaigns_start_end_due",
        "schedule": crontab(minute="*/5"),
    },
    "campaigns-reweight": {
        "task": "analytics.tasks.experiments.campaigns_reweight",
        "schedule": crontab(minute=7),
    },
    "nightly-partner-data-retention": {
        "task": "campaigns.tasks.retention.retention_apply",
        "schedule": crontab(hour=3, minute=30),
    },
    "nightly-overlap-query-sets-expiry": {
        "task": "analytics.tasks.overlap.overlap_query_sets_expire",
        "schedule": crontab(hour=3, minute=40),
    },
    # After the analytics pipeline: one training per (platform organization, allowed catalogue), top-N precomputed.
    "nightly-recommender-training": {
        "task": "recommender.tasks.training.train_recommenders_nightly",
        "schedule": crontab(hour=4, minute=0),
    },
}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Logging: never log request bodies or identifiers (PII) ---------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
