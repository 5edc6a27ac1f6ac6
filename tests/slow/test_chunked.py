"""Chunked request bodies (Transfer-Encoding: chunked, no Content-Length), as @sentry/node sends
them, through the real web server: accepted within the same limits as bodies with a length."""

from __future__ import annotations

import gzip
import http.client
import json
import uuid
from urllib.parse import urlsplit

import pytest

from ingest.models import RawEvent
from monitor.models import Event, Organization, Project, ProjectKey
from tests.conftest import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def key():
    org = Organization.objects.create(name="Chunky", slug=f"chunky-{uuid.uuid4().hex[:8]}")
    project = Project.objects.create(organization=org, name="Node", slug="node", platform="node")
    return ProjectKey.objects.create(project=project)


def post_chunked(web: str, path: str, parts, headers: dict) -> tuple[int, dict]:
    url = urlsplit(web)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        conn.request("POST", path, body=iter(parts), headers=headers, encode_chunked=True)
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        conn.close()


def _slices(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def _processed(key, event_id: str) -> None:
    """The session's worker stores the accepted event."""
    wait_for(lambda: Event.objects.filter(project_id=key.project_id, event_id=event_id).exists(),
             timeout=60, message="the chunked event to be processed")


def test_chunked_envelope_gzip_is_accepted(web, worker, key):
    event_id = uuid.uuid4().hex
    body = b"\n".join(
        [
            json.dumps({"event_id": event_id, "sent_at": "2026-11-22T00:00:00Z"}).encode(),
            json.dumps({"type": "event"}).encode(),
            json.dumps({"event_id": event_id, "message": "chunked hello"}).encode(),
        ]
    )
    status, reply = post_chunked(
        web,
        f"/api/{key.project_id}/envelope/?sentry_key={key.public_key}",
        _slices(gzip.compress(body), 7),
        {"Content-Type": "application/x-sentry-envelope", "Content-Encoding": "gzip"},
    )
    assert status == 200, reply
    assert reply == {"id": event_id}
    _processed(key, event_id)


def test_chunked_store_is_accepted(web, worker, key):
    event_id = uuid.uuid4().hex
    body = json.dumps({"event_id": event_id, "message": "chunked store"}).encode()
    status, reply = post_chunked(
        web,
        f"/api/{key.project_id}/store/?sentry_key={key.public_key}",
        _slices(body, 5),
        {"Content-Type": "application/json"},
    )
    assert status == 200, reply
    _processed(key, event_id)


def test_chunked_body_past_the_limit_is_413(web, key, settings):
    limit = settings.INGEST_MAX_EVENT_SIZE
    chunk = b" " * 65536
    parts = [b'{"message": "x"'] + [chunk] * (limit // len(chunk) + 2) + [b"}"]
    status, reply = post_chunked(
        web,
        f"/api/{key.project_id}/store/?sentry_key={key.public_key}",
        parts,
        {"Content-Type": "application/json"},
    )
    assert status == 413, reply
    assert "limit" in reply["detail"]
    assert not RawEvent.objects.filter(project_id=key.project_id).exists()
