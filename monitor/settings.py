"""Django settings, all from the environment (see README "Configuration")."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# docker-compose.yml requires SECRET_KEY; the fallback only serves local runs and tests.
SECRET_KEY = os.environ.get("SECRET_KEY", "insecure-local-development-key")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "*")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "monitor",
    "ingest",
    "grouping",
    "embeddings",
    "evaluation",
    "consent",
    "training",
    "privacy",
    "api",
    "web",
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "monitor.urls"
WSGI_APPLICATION = "monitor.wsgi.application"

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
        },
    },
]

# --- Database: DATABASE_URL, else the embedded cluster under var/ started by `make run`.
LOCAL_PG_DIR = Path(os.environ.get("FAULTLINE_PG_DIR", BASE_DIR / "var" / "dev" / "postgres"))


def _local_database_url() -> str:
    from monitor.localservices import EmbeddedPostgres

    return EmbeddedPostgres(LOCAL_PG_DIR).url("faultline")


DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or _local_database_url(),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 300),
        # A health check costs a SELECT 1 round trip per request; off unless asked for.
        conn_health_checks=env_bool("DB_CONN_HEALTH_CHECKS", False),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: the Celery broker, the rate limiter and per-type item counters.
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6390/0")

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# One drain task empties the whole backlog: prefetching more only holds unacked messages.
CELERY_WORKER_PREFETCH_MULTIPLIER = env_int("CELERY_PREFETCH", 1)
# After a lost broker connection, late-acked tasks that were running cannot be acknowledged;
# cancel them so they are redelivered (every task here is idempotent) instead of leaving the
# consumer holding reserved messages it can never ack (Celery 6 makes this the default).
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Unacked messages of a killed worker come back after this; the sweeper covers the gap too.
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 600),
    "socket_connect_timeout": 1,
    "socket_timeout": 3,
}
CELERY_TASK_ROUTES = {
    "ingest.*": {"queue": "ingest"},
    "grouping.ml_drain": {"queue": "embeddings"},
}
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_BEAT_SCHEDULE = {
    "sweep-unprocessed-events": {
        "task": "ingest.sweep_unprocessed",
        "schedule": float(env_int("INGEST_SWEEP_INTERVAL", 30)),
    },
    "purge-expired-data": {
        "task": "privacy.purge_expired",
        "schedule": 86400.0,
    },
    "maintain-vector-indexes": {
        "task": "embeddings.maintain_indexes",
        "schedule": 3600.0,
    },
    "sweep-pending-ml-decisions": {
        "task": "grouping.sweep_pending",
        "schedule": float(env_int("ML_SWEEP_INTERVAL", 30)),
    },
}

# --- Ingest limits (bytes) and behaviour.
INGEST_MAX_EVENT_SIZE = env_int("INGEST_MAX_EVENT_SIZE", 1024 * 1024)
INGEST_MAX_ENVELOPE_COMPRESSED = env_int("INGEST_MAX_ENVELOPE_COMPRESSED", 20 * 1024 * 1024)
INGEST_MAX_ENVELOPE_SIZE = env_int("INGEST_MAX_ENVELOPE_SIZE", 100 * 1024 * 1024)
# Default per-key rate limit when a key sets none: events per window (0 = unlimited).
INGEST_DEFAULT_RATE_LIMIT = env_int("INGEST_DEFAULT_RATE_LIMIT", 0)
INGEST_DEFAULT_RATE_WINDOW = env_int("INGEST_DEFAULT_RATE_WINDOW", 60)
INGEST_KEY_CACHE_SECONDS = env_int("INGEST_KEY_CACHE_SECONDS", 10)
# Raw events older than this and still unprocessed are re-enqueued by the sweeper.
INGEST_SWEEP_AFTER_SECONDS = env_int("INGEST_SWEEP_AFTER_SECONDS", 60)
INGEST_PROCESS_BATCH = env_int("INGEST_PROCESS_BATCH", 100)
# Drain tasks that may run at once (match the worker concurrency of the ingest queue).
INGEST_DRAIN_SLOTS = env_int("INGEST_DRAIN_SLOTS", 2)
# One drain task stops after this long and re-enqueues itself, so backlogs are shared fairly.
INGEST_DRAIN_SECONDS = env_int("INGEST_DRAIN_SECONDS", 20)

# --- Embeddings and ML grouping.
EMBEDDING_MODEL_PATH = os.environ.get("EMBEDDING_MODEL_PATH", "")  # empty: packaged MiniLM
EMBEDDING_MODEL_NAME = os.environ.get("EMBEDDING_MODEL_NAME", "")
EMBEDDING_DEVICE = os.environ.get("EMBEDDING_DEVICE", "auto")  # auto, cpu, cuda, cuda:1
# Small batches pad less (the encoder sorts by length): 16 measured best on CPU.
EMBEDDING_BATCH_SIZE = env_int("EMBEDDING_BATCH_SIZE", 16)
# Cleaned traces are ~60 tokens (p50), ~110 (p90): 128 keeps them whole (bench/embeddings.py).
EMBEDDING_MAX_TOKENS = env_int("EMBEDDING_MAX_TOKENS", 128)
# HNSW candidate list for similar-issue queries (recall against speed: bench/knn.py).
EMBEDDING_EF_SEARCH = env_int("EMBEDDING_EF_SEARCH", 100)
# Projects with this many vectors get their own partial HNSW index (beat, hourly).
EMBEDDING_PROJECT_INDEX_MIN = env_int("EMBEDDING_PROJECT_INDEX_MIN", 20000)
# The embeddings worker takes up to this many new fingerprints per batch ...
ML_BATCH_SIZE = env_int("ML_BATCH_SIZE", 32)
# ... after waiting up to this long for a batch to fill.
ML_BATCH_WAIT_MS = env_int("ML_BATCH_WAIT_MS", 20)
# New fingerprints still undecided after this long keep their fingerprint issue.
ML_PENDING_TIMEOUT_SECONDS = env_int("ML_PENDING_TIMEOUT_SECONDS", 600)
# After an embedder failure, ML grouping is skipped for this long (circuit breaker).
ML_BREAKER_SECONDS = env_int("ML_BREAKER_SECONDS", 60)

# Public base URL used to build DSNs, e.g. https://faultline.example.com
FAULTLINE_URL = os.environ.get("FAULTLINE_URL", "http://127.0.0.1:8000").rstrip("/")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# collectstatic target (the Docker image sets it); local runs serve assets from the app finders.
STATIC_ROOT = os.environ.get("STATIC_ROOT") or None
WHITENOISE_USE_FINDERS = True  # serve admin assets without collectstatic in local runs

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.BasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Faultline API",
    "DESCRIPTION": "Triage API: organisations, projects, DSN keys, issues, events, grouping.",
    "VERSION": "0",
    "SWAGGER_UI_DIST": "SIDECAR",  # served locally: no CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Trained grouping models (docs/training.md).
FAULTLINE_MODEL_DIR = os.environ.get("FAULTLINE_MODEL_DIR", str(BASE_DIR / "var" / "models"))
FAULTLINE_TRAINING_DIR = os.environ.get(
    "FAULTLINE_TRAINING_DIR", str(BASE_DIR / "var" / "training")
)
# A promotion keeps the replaced model's vectors (instant rollback) this long, then drops them.
FAULTLINE_PROMOTION_CONFIRM_DAYS = env_int("FAULTLINE_PROMOTION_CONFIRM_DAYS", 7)
# A retrain of a stale model is promoted when its validation B-cubed F1 and pair precision are
# within this of the served model's.
FAULTLINE_RETRAIN_TOLERANCE = float(os.environ.get("FAULTLINE_RETRAIN_TOLERANCE", "0.01"))
CELERY_BEAT_SCHEDULE["retrain-stale-grouping-models"] = {
    "task": "training.retrain_stale",
    "schedule": float(env_int("FAULTLINE_RETRAIN_INTERVAL", 3600)),
}
CELERY_BEAT_SCHEDULE["confirm-grouping-promotions"] = {
    "task": "embeddings.confirm_promotions",
    "schedule": 3600.0,
}
CELERY_TASK_ROUTES["training.retrain_stale"] = {"queue": "embeddings"}
