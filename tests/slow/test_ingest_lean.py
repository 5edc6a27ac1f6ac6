"""The lean ingest entry (ingest.lean) through the real web server (granian) over HTTP: the same
answers as Django's routes of the endpoints for every bound (size, decompression, auth, CORS,
rate limits, bad input), a key disabled or deleted is refused at once although the server
cached it, and an event answered 200 survives a SIGKILL of the server right after the reply
(committed, or spooled and replayed)."""

from __future__ import annotations

import contextlib
import gzip
import http.client
import json
import uuid
import zlib
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connections
from django.test import Client

from faultline.localservices import free_port
from ingest.models import RawEvent
from monitor.models import Event, ProjectKey
from tests.conftest import LOG_DIR, WEB_COMMAND, Process, wait_for, wait_healthy

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

CORS_HEADERS = ("access-control-allow-origin", "access-control-expose-headers", "vary")


def over_http(base: str, method: str, path: str, body: bytes = b"",
              headers: dict | None = None) -> tuple[int, dict[str, str], bytes]:
    url = urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        # The server may answer (413 from Content-Length) before it has read the body.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            conn.request(method, path, body=body or None, headers=headers or {})
        response = conn.getresponse()
        return (response.status, {k.lower(): v for k, v in response.getheaders()},
                response.read())
    finally:
        conn.close()


def through_django(method: str, path: str, body: bytes = b"",
                   headers: dict | None = None) -> tuple[int, dict[str, str], bytes]:
    """The same request through Django's URL route of the endpoint (the test client)."""
    extra = {}
    content_type = "application/octet-stream"
    for name, value in (headers or {}).items():
        if name.lower() == "content-type":
            content_type = value
        else:
            extra["HTTP_" + name.upper().replace("-", "_")] = value
    path, _, query = path.partition("?")
    response = Client().generic(method, path + (f"?{query}" if query else ""), body,
                                content_type=content_type, **extra)
    return (response.status_code, {k.lower(): v for k, v in response.headers.items()},
            response.content)


def auth(key: ProjectKey) -> dict:
    return {"X-Sentry-Auth": f"Sentry sentry_version=7, sentry_key={key.public_key}"}


def envelope(event_id: str, payload: bytes, header: dict | None = None) -> bytes:
    return b"\n".join([json.dumps(header or {"event_id": event_id}).encode(),
                       json.dumps({"type": "event", "length": len(payload)}).encode(), payload])


def cases(key: ProjectKey) -> list[tuple[str, int, str, str, bytes, dict]]:
    """(name, expected status, method, path, body, headers)."""
    pid = key.project_id
    store, env = f"/api/{pid}/store/", f"/api/{pid}/envelope/"
    json_type = {"Content-Type": "application/json"}
    event = json.dumps({"message": "hello"}).encode()
    bomb = gzip.compress(b"{" + b" " * (3 * 1024 * 1024) + b"}")
    dsn = f"http://{key.public_key}@localhost/{pid}"
    return [
        ("store", 200, "POST", store, event, {**auth(key), **json_type}),
        ("query-string key", 200, "POST", f"{store}?sentry_key={key.public_key}", event,
         json_type),
        ("envelope, key in its DSN header", 200, "POST", env,
         envelope("", event, {"dsn": dsn}), {}),
        ("gzipped envelope", 200, "POST", env,
         gzip.compress(envelope(uuid.uuid4().hex, event)),
         {**auth(key), "Content-Encoding": "gzip"}),
        ("security report", 201, "POST", f"/api/{pid}/security/?sentry_key={key.public_key}",
         json.dumps({"csp-report": {"document-uri": "https://shop.example/"}}).encode(),
         {"Content-Type": "application/csp-report"}),
        ("preflight", 200, "OPTIONS", store, b"", {"Origin": "https://shop.example"}),
        ("GET", 405, "GET", store, b"", {}),
        ("no key", 401, "POST", store, event, json_type),
        ("unknown key", 403, "POST", f"{store}?sentry_key={'0' * 32}", event, json_type),
        ("key of another project", 404, "POST", f"/api/{pid + 1000}/store/", event,
         {**auth(key), **json_type}),
        ("origin not allowed", 403, "POST", store, event,
         {**auth(key), **json_type, "Origin": "https://evil.example"}),
        ("malformed JSON", 400, "POST", store, b"{nope", {**auth(key), **json_type}),
        ("a JSON array", 400, "POST", store, b"[1]", {**auth(key), **json_type}),
        ("bad event id", 400, "POST", store, b'{"event_id": "xyz"}',
         {**auth(key), **json_type}),
        ("an event id with a newline and non-Latin-1 text (named in X-Sentry-Error)", 400,
         "POST", store, json.dumps({"event_id": "\u20ac\r\nX-Injected: 1"}).encode(),
         {**auth(key), **json_type}),
        ("event over the size limit", 413, "POST", store,
         b'{"m": "' + b"x" * (1024 * 1024) + b'"}', {**auth(key), **json_type}),
        ("compression bomb", 413, "POST", store, bomb,
         {**auth(key), **json_type, "Content-Encoding": "gzip"}),
        ("truncated gzip", 400, "POST", store, gzip.compress(event)[:-12],
         {**auth(key), **json_type, "Content-Encoding": "gzip"}),
        ("unsupported encoding", 415, "POST", store, event,
         {**auth(key), **json_type, "Content-Encoding": "lzma"}),
        ("envelope with an unparsable item header", 400, "POST", env, b'{}\n{nope\n{}',
         auth(key)),
        ("too many query fields", 400, "POST",
         store + "?" + "&".join(f"f{i}=1" for i in range(1100)) + f"&sentry_key={key.public_key}",
         event, json_type),
    ]


def test_the_lean_entry_answers_as_the_django_routes(web, worker, key):
    for name, expected, method, path, body, headers in cases(key):
        status, got_headers, got_body = over_http(web, method, path, body, headers)
        assert status == expected, (name, got_body[:300])
        d_status, d_headers, d_body = through_django(method, path, body, headers)
        assert d_status == status, (name, d_body[:300])
        for header in (*CORS_HEADERS, "content-type", "allow", "x-sentry-error",
                       "access-control-allow-methods", "access-control-allow-headers"):
            assert got_headers.get(header) == d_headers.get(header), (name, header)
        assert got_headers["content-length"] == str(len(got_body)), name
        assert "x-injected" not in got_headers, name
        assert got_headers.get("x-sentry-error", "").isascii(), name
        if status >= 400:
            assert json.loads(got_body)["detail"] == json.loads(d_body)["detail"], name
    # Processed rows are deleted: nothing may be in flight when the tables are flushed.
    wait_for(lambda: not RawEvent.objects.filter(project_id=key.project_id).exists(),
             timeout=60, message="the accepted events to be processed")


def test_the_rate_limit_answers_429_with_retry_after(web, key):
    key.rate_limit_count, key.rate_limit_window = 2, 3600  # no window ends mid-test
    key.save()
    path = f"/api/{key.project_id}/store/"
    headers = {**auth(key), "Content-Type": "application/json"}
    statuses = [over_http(web, "POST", path, json.dumps({"message": str(i)}).encode(), headers)
                for i in range(3)]
    assert [s for s, _, _ in statuses] == [200, 200, 429]
    _, limited_headers, _ = statuses[2]
    assert int(limited_headers["retry-after"]) > 0
    assert limited_headers["x-sentry-rate-limits"].endswith(":error;default;security:key:key_quota")
    RawEvent.objects.filter(project_id=key.project_id).delete()


class Server:
    """A web server of this test's own: one process (so one key cache), its own spool."""

    def __init__(self, env: dict[str, str], spool_root: Path, name: str):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = Process(WEB_COMMAND, dict(
            env, FAULTLINE_BIND=f"127.0.0.1:{self.port}", WEB_WORKERS="1",
            SPOOL_DIR=str(spool_root), SPOOL_HOST="lean-host", SPOOL_REPLAY_INTERVAL="1",
            DB_CONN_MAX_AGE="300", INGEST_KEY_CACHE_SECONDS="3600",
        ), LOG_DIR / f"{name}.log").start()
        wait_healthy(self.base, self.process)

    def store(self, key: ProjectKey, event_id: str) -> int:
        body = zlib.compress(json.dumps({"event_id": event_id, "message": "lean"}).encode())
        status, _, _ = over_http(self.base, "POST", f"/api/{key.project_id}/store/", body,
                                 {**auth(key), "Content-Type": "application/json",
                                  "Content-Encoding": "deflate"})
        return status


def stored(key: ProjectKey, event_ids: list[str]) -> set[str]:
    """Which of the events are in the database: raw, or already processed by a worker (which
    deletes the raw row)."""
    raw = RawEvent.objects.filter(project_id=key.project_id, event_id__in=event_ids)
    processed = Event.objects.filter(project_id=key.project_id, event_id__in=event_ids)
    return ({row.event_id.hex for row in raw}
            | {uuid.UUID(str(e)).hex for e in processed.values_list("event_id", flat=True)})


def test_a_disabled_or_deleted_key_is_refused_although_the_server_cached_it(
    live_env, tmp_path, key
):
    server = Server(live_env, tmp_path / "spool", "web-lean-keys")
    try:
        assert server.store(key, uuid.uuid4().hex) == 200  # the key is now in its cache
        ProjectKey.objects.filter(pk=key.pk).update(is_active=False)  # no signal reaches it
        refused = uuid.uuid4().hex
        assert server.store(key, refused) == 403
        assert stored(key, [refused]) == set()
        ProjectKey.objects.filter(pk=key.pk).update(is_active=True)
        assert server.store(key, uuid.uuid4().hex) == 200
        replacement = ProjectKey.objects.create(project=key.project)  # a rotation
        key.delete()
        assert server.store(key, uuid.uuid4().hex) == 403
        assert server.store(replacement, uuid.uuid4().hex) == 200
    finally:
        server.process.stop()
        RawEvent.objects.all().delete()


def test_an_event_answered_200_survives_a_sigkill_right_after_the_reply(
    live_env, tmp_path, key, postgres
):
    spool_root = tmp_path / "spool"
    server = Server(live_env, spool_root, "web-lean-kill")
    committed = uuid.uuid4().hex
    assert server.store(key, committed) == 200
    server.process.kill()
    assert stored(key, [committed]) == {committed}  # committed before the reply

    server = Server(live_env, spool_root, "web-lean-kill")
    assert server.store(key, uuid.uuid4().hex) == 200  # the key is cached before the outage
    connections.close_all()
    postgres.stop()
    spooled = [uuid.uuid4().hex for _ in range(3)]
    try:
        assert [server.store(key, event_id) for event_id in spooled] == [200, 200, 200]
        server.process.kill()  # fsynced to the spool before each reply
    finally:
        postgres.start()
        connections.close_all()
    assert stored(key, spooled) == set()
    server = Server(live_env, spool_root, "web-lean-kill")  # its replayer takes the segment
    try:
        wait_for(lambda: stored(key, spooled) == set(spooled), timeout=60,
                 message="the spooled events to be replayed")
    finally:
        server.process.stop()
        RawEvent.objects.filter(project_id=key.project_id).delete()
