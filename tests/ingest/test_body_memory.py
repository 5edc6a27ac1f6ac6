"""The web process's budget of request-body bytes (ingest.bodymemory, INGEST_BODY_MEMORY): the
envelope endpoint answered as the lean WSGI entry answers it (its request and `respond`) on real
threads with the real database and Redis. Many large envelopes at once hold no more than the
budget (tracemalloc counts what Python really allocated, every thread together); a request
that finds it spent waits, then gets a 503 with Retry-After; whatever a request took is given
back whether it answered 200, 400, 413 or 415; small envelopes never draw on it at all."""

from __future__ import annotations

import gzip
import io
import os
import subprocess
import sys
import threading
import tracemalloc
import zlib
from pathlib import Path

import brotli
import pytest
import zstandard
from django.db import connection

from ingest import bodymemory, lean, views
from ingest.models import RawEvent
from monitor import limits
from tests.helpers.ingest_http import envelope, wsgi_environ

pytestmark = pytest.mark.django_db(transaction=True)

MiB = 1024 * 1024
COMPRESSED = 2 * MiB
DECODED = 8 * MiB
ROOT = Path(__file__).resolve().parents[2]


def one_body_peak(**env: int) -> int:
    """settings.INGEST_ONE_BODY_PEAK for these limits, as a process started with them reads it."""
    script = "from django.conf import settings; print(settings.INGEST_ONE_BODY_PEAK)"
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + script], cwd=ROOT,
        capture_output=True, text=True, timeout=120, check=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "faultline.settings",
             **{name: str(value) for name, value in env.items()}})
    return int(result.stdout.strip().splitlines()[-1])


PEAK = one_body_peak(INGEST_MAX_ENVELOPE_COMPRESSED=COMPRESSED,
                     INGEST_MAX_ENVELOPE_SIZE=DECODED)


@pytest.fixture
def budget(settings, monkeypatch) -> bodymemory.Budget:
    """A fresh budget of one maximal envelope, under test-sized limits."""
    settings.INGEST_MAX_ENVELOPE_COMPRESSED = COMPRESSED
    settings.INGEST_MAX_ENVELOPE_SIZE = DECODED
    settings.INGEST_BODY_MEMORY = PEAK
    monkeypatch.setattr(bodymemory, "_budget", None)
    return bodymemory.process_budget()


def call(key, body: bytes, encoding: str | None = None, chunked: bool = False
         ) -> tuple[int, dict]:
    """`chunked`: no Content-Length, the body framed as the server gives a chunked one."""
    environ = wsgi_environ(f"/api/{key.project_id}/envelope/", io.BytesIO(body), len(body),
                           f"sentry_key={key.public_key}", encoding, chunked)
    try:
        reply = views.respond(views.ENDPOINTS["envelope"], lean.LeanRequest(environ),
                              key.project_id)
    finally:
        connection.close()  # each test thread has its own connection
    return reply.status, dict(reply.headers)


def event_item(message: str) -> list:
    return [{"type": "event"}, {"message": message}]


def large_envelope(number: int, size: int = DECODED - 4096) -> bytes:
    """An event and a profile item (skipped, counted) that fill `size` bytes: a quarter hex text
    of random bytes (so the gzipped body is large too), the rest zeros."""
    text = os.urandom(size // 8).hex().encode()
    payload = text + bytes(size - len(text))
    return envelope({}, *event_item(f"large {number}"),
                    {"type": "profile", "length": len(payload)}, payload)


def in_threads(calls: list) -> list[tuple[int, dict]]:
    results: list = [None] * len(calls)

    def run(index: int) -> None:
        try:
            results[index] = calls[index]()
        except BaseException as exc:  # surfaced below
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not [r for r in results if isinstance(r, BaseException)], results
    return results


def test_many_large_envelopes_at_once_hold_no_more_than_the_budget(project_key, budget):
    bodies = [gzip.compress(large_envelope(i), 1) for i in range(8)]
    assert all(MiB < len(body) <= COMPRESSED for body in bodies)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        results = in_threads([lambda body=body: call(project_key, body, "gzip")
                              for body in bodies])
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    statuses = [status for status, _ in results]
    assert set(statuses) <= {200, 503} and 200 in statuses, statuses
    # What one envelope holds at its peak is about 3x its decoded size: 8 at once would be ~200 MiB.
    slack = 8 * limits.BODY_FREE_BYTES + 8 * MiB  # the free allowances, parsed JSON, Django
    assert peak <= budget.total + slack, (peak / MiB, budget.total / MiB)
    assert budget.peak > DECODED  # the envelopes did draw on it
    assert budget.taken == 0
    assert RawEvent.objects.count() == statuses.count(200)


def test_one_maximal_envelope_alone_is_accepted_within_one_envelopes_budget(project_key,
                                                                             budget):
    """Stacked codings, the inner one stored (no compression): the body as sent, the inner
    form, the decoded envelope and its copy are each about their limit at once, the peak the
    budget's minimum (settings) allows for."""
    inner = gzip.compress(large_envelope(0, DECODED - 4096), compresslevel=0)
    assert DECODED - 4096 < len(inner) <= DECODED
    body = brotli.compress(inner, quality=1)
    assert len(body) <= COMPRESSED
    status, _ = call(project_key, body, "gzip, br")
    assert status == 200
    assert budget.waits == 0 and budget.taken == 0
    assert budget.peak > 3 * DECODED - MiB, budget.peak / MiB


def test_a_request_past_a_spent_budget_waits_then_gets_a_503_with_retry_after(project_key,
                                                                              budget):
    holder = bodymemory.Ledger(budget)
    holder.hold(budget.total + limits.BODY_FREE_BYTES)  # another request holds all of it
    body = envelope({}, *event_item("past the free bytes"),
                    {"type": "profile"}, b"x" * (limits.BODY_FREE_BYTES * 3 // 2))
    status, headers = call(project_key, body)
    assert status == 503
    assert headers["Retry-After"] == str(bodymemory.RETRY_AFTER_SECONDS)
    assert "Retry-After" in headers["Access-Control-Expose-Headers"]
    assert budget.waits >= 1
    assert RawEvent.objects.count() == 0
    holder.close()
    assert call(project_key, body)[0] == 200
    assert budget.taken == 0 and RawEvent.objects.count() == 1


def zstd_bomb(size: int) -> bytes:
    return zstandard.ZstdCompressor(level=1).compress(bytes(size))


@pytest.mark.parametrize("name, body, encoding, status", [
    ("gzip bomb", gzip.compress(bytes(4 * DECODED), 1), "gzip", 413),
    ("zstd bomb", zstd_bomb(4 * DECODED), "zstd", 413),
    ("brotli bomb", brotli.compress(bytes(4 * DECODED), quality=1), "br", 413),
    ("stacked bomb", gzip.compress(gzip.compress(bytes(4 * DECODED))), "gzip, gzip", 413),
    ("truncated gzip", gzip.compress(os.urandom(DECODED // 8).hex().encode())[:-64], "gzip",
     400),
    ("bad item JSON", gzip.compress(envelope({}, {"type": "profile", "length": 3 * MiB},
                                             bytes(3 * MiB), {"type": "event"}, b"{nope")),
     "gzip", 400),
    ("too many codings", zlib.compress(bytes(MiB)), "deflate, gzip, br", 415),
    ("chunk past the limit", os.urandom(COMPRESSED + 1), None, 413),
])
def test_the_budget_is_given_back_after_an_error(project_key, budget, name, body, encoding,
                                                 status):
    assert call(project_key, body, encoding, chunked=name == "chunk past the limit")[0] == status
    assert budget.taken == 0
    if status != 415:  # refused before a byte is read
        assert budget.peak > MiB, name


def test_small_envelopes_never_wait_even_while_the_budget_is_spent(project_key, budget):
    holder = bodymemory.Ledger(budget)
    holder.hold(budget.total + limits.BODY_FREE_BYTES)
    bodies = [gzip.compress(envelope({}, *event_item(f"small {i} " + "y" * 3000)))
              for i in range(32)]
    results = in_threads([lambda body=body: call(project_key, body, "gzip") for body in bodies])
    assert [status for status, _ in results] == [200] * 32
    assert budget.waits == 0
    assert RawEvent.objects.count() == 32
    holder.close()
    assert budget.taken == 0


def test_a_budget_below_one_maximal_envelope_stops_start_up():
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, capture_output=True,
        text=True, timeout=120,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "faultline.settings",
             "INGEST_MAX_ENVELOPE_COMPRESSED": str(COMPRESSED),
             "INGEST_MAX_ENVELOPE_SIZE": str(DECODED), "INGEST_BODY_MEMORY": str(PEAK - 1)})
    assert result.returncode != 0
    assert f"INGEST_BODY_MEMORY={PEAK - 1}: expected at least {PEAK}" in result.stderr
    assert PEAK == COMPRESSED + (limits.CONTENT_CODINGS + 1) * DECODED
