"""Fetching a minified file and its source map from the project's own site, as Sentry does when
nothing uploaded resolves a frame.

Every URL comes from an event, so from anyone who holds the public DSN. The fetch is therefore
off unless the installation enables it (SOURCEMAPS_FETCH) and the project turns it on; it
reaches only origins the project lists explicitly (a `*` line allows browsers to send, never
the worker to fetch); every connection goes through the alert guard (public addresses only, the
address dialled is checked, so DNS rebinding and redirects to private hosts are refused), with a
deadline and a byte cap per file, a cap on files and on seconds per event, redirects followed
only to allowed origins, and content encodings undone within the same byte cap. Results, and
failures, are kept per process for a while: a stream of events naming the same bundle costs one
fetch per file and interval. Files dialled, and the seconds spent dialling them, are counted per
project and minute in Valkey, shared by every worker: past
limits.SOURCE_FETCH_PROJECT_FILES_PER_MINUTE or limits.SOURCE_FETCH_PROJECT_SECONDS_PER_MINUTE a
project's events fetch nothing more that minute.

Fetching never runs inside the processing transaction (ingest.processing): `prefetch` dials
before it opens, filling the cache; resolution inside it reads the cache only (`dial=False`), so
a stalling site holds no row lock and no connection in a transaction.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
import zlib
from collections import OrderedDict
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import redis
import requests
import urllib3
from django.conf import settings

from alerts import netguard
from monitor import limits
from monitor.models import origin_allowed
from monitor.redis import client
from sourcemaps.parsed import segments
from sourcemaps.symbolicate import Artifact

RATE_KEY = "faultline:sourcefetch:{project}:{minute}"
SECONDS_KEY = "faultline:sourcefetch-ms:{project}:{minute}"  # milliseconds spent dialling
NOT_PREFETCHED = "not fetched before processing"
REDIRECT_REFUSED = "redirect to an origin the project does not allow"
CHUNK = 64 * 1024
HEADERS = {"User-Agent": "Faultline source fetcher", "Accept-Encoding": "gzip, deflate"}
KEPT_HEADERS = ("sourcemap", "x-sourcemap")
DOWN = "down:"  # the cache key prefix of an origin that failed to answer
REFUSED = "refused:"  # the prefix of a redirect refused for the origins that follow it


@dataclass(frozen=True)
class FetchPolicy:
    """What one project's events may fetch."""

    origins: str  # the project's allowed origins without `*` lines
    allow_private: bool
    timeout: float
    max_bytes: int
    per_event: int
    event_seconds: float
    project_id: int = 0  # whose per-minute budget a dial takes (0: none, as in the bench)
    per_minute: int = limits.SOURCE_FETCH_PROJECT_FILES_PER_MINUTE

    @classmethod
    def for_project(cls, fetch_sources: bool, allowed_origins: str,
                    project_id: int = 0) -> FetchPolicy | None:
        """The policy when both the installation and the project allow fetching, else None."""
        if not (settings.SOURCEMAPS_FETCH and fetch_sources):
            return None
        explicit = "\n".join(line.strip() for line in allowed_origins.splitlines()
                             if line.strip() and line.strip() != "*")
        if not explicit:
            return None
        return cls(explicit, settings.SOURCEMAPS_FETCH_ALLOW_PRIVATE,
                   settings.SOURCEMAPS_FETCH_TIMEOUT, settings.SOURCEMAPS_FETCH_MAX_BYTES,
                   settings.SOURCEMAPS_FETCH_PER_EVENT, settings.SOURCEMAPS_FETCH_EVENT_SECONDS,
                   project_id)

    def allows(self, url: str) -> bool:
        """An http(s) URL without credentials on an allowed origin; on a port other than 80
        and 443 only where an allowed line names that port (a bare host means the defaults)."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:  # "http://[broken/…": not a URL the site could have served
            return False
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.username:
            return False
        if _dialled(url) != (parts.hostname, port):
            return False
        if port not in (None, 80, 443) and not any(
                line.endswith(f":{port}") for line in self.origins.splitlines()):
            return False
        return origin_allowed(self.origins, f"{parts.scheme}://{parts.netloc}")


def _dialled(url: str) -> tuple[str | None, int | None]:
    """The host and port requests would dial for `url`. urllib3 ends the authority at a
    backslash (as browsers do) where urlsplit does not: `http://10.0.0.1\\.example.com/`
    is host `10.0.0.1\\.example.com` to urlsplit, 10.0.0.1 to requests. A URL the two read
    differently is not fetched (non-ASCII hosts too: requests dials their IDNA form)."""
    prepared = requests.PreparedRequest()
    try:
        prepared.prepare_url(url, None)
        parts = urlsplit(prepared.url)
        return parts.hostname, parts.port
    except (requests.RequestException, ValueError):
        return None, None


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


Fetched = tuple[Artifact | None, str]  # the file, or None and why


class FetchCache:
    """Fetched files by URL (None for a failure) within a byte budget and a lifetime."""

    def __init__(self, max_bytes: int, seconds: float):
        self.max_bytes, self.seconds = max_bytes, seconds
        self.entries: OrderedDict[str, tuple[float, Fetched]] = OrderedDict()
        self.used = 0
        self.lock = threading.Lock()

    def get(self, url: str) -> tuple[bool, Fetched]:
        with self.lock:
            entry = self.entries.get(url)
            if entry is None:
                return False, (None, "")
            if entry[0] < time.monotonic():
                self._drop(url)
                return False, (None, "")
            self.entries.move_to_end(url)
            return True, entry[1]

    def put(self, url: str, fetched: Fetched) -> None:
        size = _size(fetched)
        if size > self.max_bytes:
            return
        with self.lock:
            if url in self.entries:
                self._drop(url)
            self.entries[url] = (time.monotonic() + self.seconds, fetched)
            self.used += size
            while self.used > self.max_bytes:
                self._drop(next(iter(self.entries)))

    def _drop(self, url: str) -> None:
        _, fetched = self.entries.pop(url)
        self.used -= _size(fetched)


def _size(fetched: Fetched) -> int:
    return len(fetched[0].content) + 256 if fetched[0] else 256  # a failure costs a little


_cache: FetchCache | None = None


def fetch_cache() -> FetchCache:
    global _cache
    if _cache is None:
        _cache = FetchCache(settings.SOURCEMAPS_FETCH_CACHE_BYTES,
                            settings.SOURCEMAPS_FETCH_CACHE_SECONDS)
    return _cache


def take_dial(project_id: int, per_minute: int) -> bool:
    """One file dialled on the project's budget for this minute, counted in Valkey for every
    worker; False once the budget is spent (its files, or its seconds of dialling: a site that
    answers each file just within the deadline would otherwise hold workers for minutes a
    minute), or while Valkey cannot count it (no budget, no outbound connection)."""
    if not project_id:
        return True
    minute = int(time.time() // 60)
    key, spent_key = (name.format(project=project_id, minute=minute)
                      for name in (RATE_KEY, SECONDS_KEY))
    try:
        with client().pipeline(transaction=True) as pipe:
            count, _, spent = pipe.incr(key).expire(key, 120).get(spent_key).execute()
    except redis.RedisError:
        return False
    return (count <= per_minute
            and int(spent or 0) < limits.SOURCE_FETCH_PROJECT_SECONDS_PER_MINUTE * 1000)


def charge_dial(project_id: int, seconds: float) -> None:
    """The seconds a dial took, on the project's budget of this minute (see take_dial)."""
    if not project_id:
        return
    key = SECONDS_KEY.format(project=project_id, minute=int(time.time() // 60))
    with contextlib.suppress(redis.RedisError), client().pipeline(transaction=True) as pipe:
        pipe.incrby(key, max(1, round(seconds * 1000))).expire(key, 120).execute()


@dataclass
class Fetcher:
    """One event's fetches: at most `policy.per_event` files within `policy.event_seconds`, each
    file dialled on the project's budget per minute. With `dial=False` only the cache answers
    (inside the processing transaction, after `prefetch` dialled)."""

    policy: FetchPolicy
    cache: FetchCache
    dial: bool = True
    files: int = 0
    started: float = field(default_factory=time.monotonic)

    def get(self, url: str, kind: str) -> tuple[Artifact | None, str]:
        """A minified file or a source map, or None and why ("" where the URL is not one the
        project allows). A map with more mapping segments than an upload may have is refused,
        as at upload: parsing cost follows segments, not bytes."""
        if not self.policy.allows(url):
            return None, ""
        if self.files >= self.policy.per_event:
            return None, "fetch limit per event reached"
        self.files += 1
        down = DOWN + origin_of(url)
        # A redirect the project's origins refuse is its own answer, not the file's: kept under
        # a key of those origins, so another project's fetch of the URL does not read it.
        refused = f"{REFUSED}{hashlib.sha256(self.policy.origins.encode()).hexdigest()}:{url}"
        cached, entry = self.cache.get(url)
        if not cached:
            cached, entry = self.cache.get(refused)
        if not cached:
            origin_cached, origin_entry = self.cache.get(down)
            if origin_cached:  # the origin failed to answer lately: not dialled again
                return origin_entry
            if not self.dial:
                return None, NOT_PREFETCHED
            if time.monotonic() - self.started > self.policy.event_seconds:
                return None, "fetch time per event spent"
            if not take_dial(self.policy.project_id, self.policy.per_minute):
                return None, "fetch rate of the project reached"  # not cached: next minute
            dialled = time.monotonic()
            entry, unreachable = fetch(url, self.policy)
            charge_dial(self.policy.project_id, time.monotonic() - dialled)
            self.cache.put(refused if entry[1] == REDIRECT_REFUSED else down if unreachable
                           else url, entry)
        artifact, why = entry
        if artifact is not None and not self.policy.allows(artifact.url):
            return None, REDIRECT_REFUSED  # cached by another
        if artifact is not None and kind == "source_map" \
                and segments(artifact.content) > settings.SOURCEMAPS_MAX_MAP_SEGMENTS:
            return None, "source map over the mapping segment limit"
        return artifact, why


def fetch(url: str, policy: FetchPolicy) -> tuple[Fetched, bool]:
    """The file at `url` (following redirects within the allowed origins), or None and why;
    and whether the origin itself failed to answer (a connection or time failure, remembered
    for the origin, so that new URLs on a stalling site do not each wait out the deadline).
    Nothing a site sends raises: a failed fetch leaves the frames as sent."""
    bounds = (policy.allow_private, policy.timeout, policy.max_bytes + CHUNK)
    guard = None
    try:
        with netguard.guarded(bounds=bounds) as guard:
            for _ in range(limits.SOURCE_FETCH_REDIRECTS + 1):
                with requests.get(url, headers=HEADERS, stream=True, allow_redirects=False,
                                  timeout=policy.timeout) as response:
                    if response.is_redirect:
                        url = urljoin(url, response.headers.get("location", ""))
                        if not policy.allows(url):
                            return (None, REDIRECT_REFUSED), False
                        continue
                    if response.status_code != 200:
                        return (None, f"HTTP {response.status_code}"), False
                    content, why = _body(response, policy.max_bytes)
                    if content is None:
                        return (None, why), False
                    return (_artifact(url, content, response.headers), ""), False
            return (None, "too many redirects"), False
    except (requests.RequestException, OSError, urllib3.exceptions.HTTPError) as exc:
        return (None, (guard.reason if guard else "") or type(exc).__name__), True
    except (zlib.error, ValueError, UnicodeError) as exc:  # what the site sent does not decode
        return (None, f"unreadable response ({type(exc).__name__})"), False


def _body(response: requests.Response, max_bytes: int) -> tuple[bytes | None, str]:
    """The decoded body within `max_bytes`, decompressing here (never by urllib3, whose output
    per read is not bounded by what was read)."""
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("identity", "gzip", "deflate", ""):
        return None, f"unsupported content encoding {encoding[:32]}"
    inflate = None
    if encoding in ("gzip", "deflate"):
        inflate = zlib.decompressobj(zlib.MAX_WBITS | 32)  # gzip or zlib header, detected
    body = bytearray()
    while True:
        chunk = response.raw.read(CHUNK, decode_content=False)
        if not chunk:
            break
        if inflate is not None:
            chunk = inflate.decompress(inflate.unconsumed_tail + chunk, max_bytes + 1 - len(body))
        body += chunk
        if len(body) > max_bytes:
            return None, f"file over {max_bytes} bytes"
    if inflate is not None:
        body += inflate.flush()
        if len(body) > max_bytes or inflate.unconsumed_tail:
            return None, f"file over {max_bytes} bytes"
    return bytes(body), ""


def _artifact(url: str, content: bytes, headers) -> Artifact:
    """A fetched file; its identity for the parsed-map cache is its content's hash."""
    kept = {name: headers[name] for name in KEPT_HEADERS if name in headers}
    return Artifact(url, content, kept, bundle_id=0,
                    file_id="sha256:" + hashlib.sha256(content).hexdigest())
