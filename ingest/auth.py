"""DSN key authentication for the ingest endpoints, with a short in-process cache.

While the database is unreachable, an expired cache entry is still served (the last known good
answer), then the host's key snapshot (ingest.keysnapshot), so events of known keys can be
spooled; a key known to neither gets a 503."""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from ingest import database, keysnapshot
from ingest.errors import IngestError, bad_request
from monitor import limits
from monitor.models import Project, ProjectKey, origin_allowed


@dataclass(frozen=True)
class KeyInfo:
    public_key: str
    project_id: int
    is_active: bool
    rate_limit_count: int
    rate_limit_window: int
    allowed_origins: str

    def origin_allowed(self, origin: str | None) -> bool:
        return origin_allowed(self.allowed_origins, origin)


def parse_auth_header(value: str) -> dict[str, str]:
    """`Sentry sentry_key=abc, sentry_version=7` → {"sentry_key": "abc", ...}."""
    value = value.strip()
    if value[:7].lower() == "sentry ":
        value = value[7:]
    pairs = {}
    for part in value.split(","):
        name, sep, val = part.partition("=")
        if sep:
            pairs[name.strip().lower()] = val.strip().strip('"')
    return pairs


# what Sentry's clients put in sentry_client: `raven-node/2.6.4`, `sentry.python/2.0.1`
_CLIENT = re.compile(rf"([A-Za-z][\w.:-]{{0,{limits.SDK_CLIENT_NAME_CHARS - 1}}})"
                     rf"/([\w.+-]{{1,{limits.SDK_CLIENT_VERSION_CHARS}}})", re.ASCII)
# Sentry's clients, legacy and current: `raven-node`, `sentry.python`, `sentry-php`, `sentry`
# (not RavenDB's)
_CLIENT_NAME = re.compile(r"(?:raven|sentry)(?:[-.:_]|$)", re.IGNORECASE)
# the headers that carry Sentry's auth parameters, in the order they are read
AUTH_HEADERS = ("HTTP_X_SENTRY_AUTH", "HTTP_AUTHORIZATION")


def auth_parameter(request, name: str) -> str:
    """`name` (sentry_key, sentry_client) from the first Sentry auth header that has it, in
    AUTH_HEADERS' order; "" where none has it."""
    for header in AUTH_HEADERS:
        raw = request.META.get(header, "")
        if raw.strip().lower().startswith("sentry"):
            value = parse_auth_header(raw).get(name)
            if value:
                return value
    return ""


def client_sdk(request) -> dict[str, str] | None:
    """The Raven or Sentry client that the auth headers' or the query's `sentry_client`, else
    the User-Agent, names, as an event's `sdk` ({"name": "raven-node", "version": "2.6.4"}):
    legacy clients (raven-node, raven-go) send no `sdk` of their own, and Sentry reads it from
    here. None where neither names one (any other client: the event is stored as sent)."""
    client = auth_parameter(request, "sentry_client")
    if not client:
        try:
            client = request.GET.get("sentry_client") or ""
        except TooManyFieldsSent:
            return None
    for named in (client, request.META.get("HTTP_USER_AGENT", "")):
        # raven-go names itself in User-Agent only (`raven-go/1.0`)
        match = _CLIENT.fullmatch(named.strip())  # bounded: fails within a name's length
        if match and _CLIENT_NAME.match(match[1]):
            return {"name": match[1], "version": match[2]}
    return None


def public_key_from_dsn(dsn: object) -> str | None:
    if not isinstance(dsn, str):
        return None
    try:
        return urlsplit(dsn).username or None
    except ValueError:
        return None


def public_key_from_request(request, envelope_headers: dict | None = None) -> str | None:
    key = auth_parameter(request, "sentry_key")
    if key:
        return key
    try:
        key = request.GET.get("sentry_key")
    except TooManyFieldsSent as exc:
        raise bad_request(f"the query string has more than "
                          f"{settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} fields") from exc
    if key:
        return key
    if envelope_headers:
        return public_key_from_dsn(envelope_headers.get("dsn"))
    return None


_cache: dict[str, tuple[float, KeyInfo | None]] = {}
_cache_lock = threading.Lock()


def clear_key_cache() -> None:
    with _cache_lock:
        _cache.clear()


def forget_key(public_key: str) -> None:
    """Drop one key's cached answer (the database refused an event of it)."""
    with _cache_lock:
        _cache.pop(public_key, None)


@receiver(post_save, sender=ProjectKey)
@receiver(post_delete, sender=ProjectKey)
@receiver(post_save, sender=Project)
@receiver(post_delete, sender=Project)
def _invalidate(**kwargs) -> None:
    clear_key_cache()


def load_key(public_key: str) -> KeyInfo | None:
    ttl = settings.INGEST_KEY_CACHE_SECONDS
    now = time.monotonic()
    with _cache_lock:
        hit = _cache.get(public_key)
    if hit and (hit[0] > now or not database.breaker.allow()):
        return hit[1]
    try:
        info = database.retrying(_query_key, public_key)
    except database.DB_UNAVAILABLE as exc:
        database.failed(exc)
        if hit:
            return hit[1]  # stale, but the last answer the database gave
        known = keysnapshot.lookup(public_key)
        if known is None:
            raise database.unavailable("this DSN key is not cached") from exc
        info = KeyInfo(**known)
    else:
        keysnapshot.remember(public_key, info)
    if ttl > 0:
        with _cache_lock:
            if len(_cache) > 10_000:
                _cache.clear()
            _cache[public_key] = (now + ttl, info)
    return info


def _query_key(public_key: str) -> KeyInfo | None:
    row = (
        ProjectKey.objects.filter(public_key=public_key)
        .values_list(
            "project_id",
            "is_active",
            "rate_limit_count",
            "rate_limit_window",
            "project__allowed_origins",
        )
        .first()
    )
    info = None
    if row:
        project_id, is_active, count, window, origins = row
        info = KeyInfo(
            public_key=public_key,
            project_id=project_id,
            is_active=is_active,
            rate_limit_count=settings.INGEST_DEFAULT_RATE_LIMIT if count is None else count,
            rate_limit_window=window or settings.INGEST_DEFAULT_RATE_WINDOW,
            allowed_origins=origins,
        )
    return info


def authenticate(request, project_id: int, envelope_headers: dict | None = None) -> KeyInfo:
    public_key = public_key_from_request(request, envelope_headers)
    if not public_key:
        raise IngestError(
            401,
            "missing DSN key: send X-Sentry-Auth: Sentry sentry_key=<public key> or ?sentry_key=",
        )
    info = load_key(public_key)
    if info is None:
        raise IngestError(403, "invalid DSN key")
    if info.project_id != project_id:
        if not _project_exists(project_id):
            raise IngestError(404, f"project {project_id} does not exist")
        raise IngestError(403, f"this DSN key does not belong to project {project_id}")
    if not info.is_active:
        raise IngestError(403, "this DSN key is disabled")
    if not info.origin_allowed(request.META.get("HTTP_ORIGIN")):
        raise IngestError(403, "origin not allowed for this project")
    return info


def _project_exists(project_id: int) -> bool:
    try:
        return database.retrying(Project.objects.filter(pk=project_id).exists)
    except database.DB_UNAVAILABLE as exc:
        database.failed(exc)
        raise database.unavailable("the project cannot be looked up") from exc
