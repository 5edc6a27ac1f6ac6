"""An envelope whose key is only in its header line (no key in the request) is read only as
far as that line needs (ingest.body.HEAD_READ_BYTES) before its sender is authenticated: an
unknown sender never holds a whole body of the web process's body budget, so a flood of them
cannot make a known sender's large envelope wait, and a known sender's envelope reads on from
where the header's read stopped, whole, in every content coding and without a length."""

from __future__ import annotations

import gzip
import json
import os
import zlib

import brotli
import pytest
import zstandard
from django.db import connection

from ingest import bodymemory, lean, views
from ingest.body import HEAD_READ_BYTES
from ingest.models import RawEvent
from monitor import limits
from tests.helpers.ingest_http import CountingInput, envelope, wsgi_environ

pytestmark = pytest.mark.django_db(transaction=True)

MiB = 1024 * 1024
ENCODE = {
    None: lambda data: data,
    "gzip": gzip.compress,
    "deflate": zlib.compress,
    "br": lambda data: brotli.compress(data, quality=4),
    "zstd": zstandard.ZstdCompressor().compress,
}


def call(project_id: int, body: bytes, encoding: str | None, chunked: bool = False):
    stream = CountingInput(body)
    environ = wsgi_environ(f"/api/{project_id}/envelope/", stream, len(body),
                           encoding=encoding, chunked=chunked)
    try:
        reply = views.respond(views.ENDPOINTS["envelope"], lean.LeanRequest(environ), project_id)
    finally:
        connection.close()
    return reply.status, stream.bytes_read


def large(public_key: str, project_id: int, size: int = 3 * MiB) -> bytes:
    """An event and a skipped item of random hex (the compressed body is large too)."""
    filler = os.urandom(size // 2).hex().encode()
    dsn = f"http://{public_key}@localhost/{project_id}"
    return envelope({"dsn": dsn}, {"type": "event"}, {"message": "large"},
                    {"type": "profile", "length": len(filler)}, filler)


@pytest.fixture
def spent(settings, monkeypatch):
    """A web process whose body budget another request holds in full."""
    settings.INGEST_MAX_ENVELOPE_COMPRESSED = 20 * MiB
    monkeypatch.setattr(limits, "BODY_MEMORY_WAIT_SECONDS", 0.2)
    monkeypatch.setattr(bodymemory, "_budget", None)
    budget = bodymemory.process_budget()
    holder = bodymemory.Ledger(budget)
    holder.hold(budget.total + limits.BODY_FREE_BYTES)
    yield budget
    holder.close()


@pytest.mark.parametrize("encoding", list(ENCODE))
@pytest.mark.parametrize("chunked", [False, True])
def test_an_unknown_sender_is_refused_having_read_only_the_header_s_share(project, spent,
                                                                         encoding, chunked):
    body = ENCODE[encoding](large("0" * 32, project.id))
    assert len(body) > 4 * HEAD_READ_BYTES
    status, taken = call(project.id, body, encoding, chunked)
    assert status == 403  # its key is unknown: not a 503 for want of body memory
    assert taken <= HEAD_READ_BYTES
    assert spent.waits == 0 and RawEvent.objects.count() == 0


@pytest.mark.parametrize("encoding", list(ENCODE))
@pytest.mark.parametrize("chunked", [False, True])
def test_a_known_sender_s_envelope_is_read_on_whole_after_its_header(project_key, encoding,
                                                                     chunked):
    data = large(project_key.public_key, project_key.project_id)
    status, taken = call(project_key.project_id, ENCODE[encoding](data), encoding, chunked)
    assert status == 200
    assert taken == len(ENCODE[encoding](data))
    stored = RawEvent.objects.get()
    assert json.loads(bytes(stored.payload)) == {"message": "large"}


def test_a_header_line_longer_than_its_limit_is_still_refused(project_key):
    head = {"dsn": f"http://{project_key.public_key}@localhost/{project_key.project_id}",
            "padding": "x" * limits.ENVELOPE_HEADER_BYTES}
    body = envelope(head, {"type": "event"}, {"message": "m"})
    status, taken = call(project_key.project_id, body, None)
    assert status == 400 and taken <= HEAD_READ_BYTES


def test_a_header_key_over_every_budget_gets_its_429_before_the_rest_is_read(project_key):
    from ingest import ratelimit

    project_key.rate_limit_count, project_key.rate_limit_window = 1, 3600
    project_key.save()
    for category in (ratelimit.EVENTS, ratelimit.ATTACHMENTS, ratelimit.FEEDBACK):
        ratelimit.take(project_key.public_key, category, 1, 1, 3600)
    body = gzip.compress(large(project_key.public_key, project_key.project_id))
    status, taken = call(project_key.project_id, body, "gzip")
    assert status == 429 and taken <= HEAD_READ_BYTES < len(body)
    assert RawEvent.objects.count() == 0
