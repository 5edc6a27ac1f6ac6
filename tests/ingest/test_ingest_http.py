"""The ingest endpoints over HTTP (Django test client), on the real database and broker."""

import gzip
import json
import uuid
import zlib

import brotli
import pytest
import zstandard
from django.test import Client

from ingest.models import RawEvent
from ingest.stats import item_counts
from monitor.models import Project, ProjectKey
from tests.helpers.ingest_http import envelope, post_envelope, post_store

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return Client()


def test_store_accepts_and_commits_the_raw_event(client, project_key):
    event_id = uuid.uuid4().hex
    response = post_store(
        client,
        project_key.project_id,
        {"event_id": event_id, "message": "hi"},
        project_key.public_key,
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"id": event_id}
    raw = RawEvent.objects.get(event_id=event_id)
    assert json.loads(bytes(raw.payload))["message"] == "hi"


def test_store_generates_an_id_when_missing(client, project_key):
    response = post_store(
        client, project_key.project_id, {"message": "no id"}, project_key.public_key
    )
    assert response.status_code == 200
    event_id = response.json()["id"]
    assert RawEvent.objects.filter(event_id=event_id).exists()


def test_repeated_event_id_is_idempotent(client, project_key):
    body = {"event_id": uuid.uuid4().hex, "message": "twice"}
    for _ in range(3):
        response = post_store(client, project_key.project_id, body, project_key.public_key)
        assert response.status_code == 200
        assert response.json() == {"id": body["event_id"]}
    assert RawEvent.objects.filter(event_id=body["event_id"]).count() == 1


def test_key_from_query_string_and_authorization_header(client, project_key):
    pid, key = project_key.project_id, project_key.public_key
    response = client.post(
        f"/api/{pid}/store/?sentry_key={key}&sentry_version=7",
        b'{"message":"q"}',
        content_type="application/json",
    )
    assert response.status_code == 200
    response = client.post(
        f"/api/{pid}/store/",
        b'{"message":"a"}',
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Sentry sentry_key={key}, sentry_version=7",
    )
    assert response.status_code == 200


def test_key_from_envelope_dsn_header(client, project_key):
    body = envelope({"dsn": project_key.dsn}, {"type": "event"}, {"message": "dsn"})
    response = post_envelope(client, project_key.project_id, body)
    assert response.status_code == 200, response.content


def test_auth_failures(client, project_key, org):
    pid = project_key.project_id
    response = post_store(client, pid, {"message": "x"})
    assert response.status_code == 401
    assert "missing DSN key" in response.json()["detail"]
    assert response["X-Sentry-Error"] == response.json()["detail"]

    assert post_store(client, pid, {"message": "x"}, key="0" * 32).status_code == 403

    other = Project.objects.create(organization=org, name="Other", slug="other")
    response = post_store(client, other.id, {"message": "x"}, project_key.public_key)
    assert response.status_code == 403
    assert "does not belong" in response.json()["detail"]

    response = post_store(client, 999_999, {"message": "x"}, project_key.public_key)
    assert response.status_code == 404

    project_key.is_active = False
    project_key.save()
    response = post_store(client, pid, {"message": "x"}, project_key.public_key)
    assert response.status_code == 403
    assert "disabled" in response.json()["detail"]
    assert not RawEvent.objects.exists()


@pytest.mark.parametrize("encoding", ["gzip", "x-gzip", "deflate", "deflate-raw", "br", "zstd"])
def test_every_content_encoding(client, project_key, encoding):
    body = json.dumps({"message": f"via {encoding}"}).encode()
    if encoding in ("gzip", "x-gzip"):
        data = gzip.compress(body)
    elif encoding == "deflate":
        data = zlib.compress(body)
    elif encoding == "deflate-raw":
        compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
        data, encoding = compressor.compress(body) + compressor.flush(), "deflate"
    elif encoding == "br":
        data = brotli.compress(body)
    else:
        data = zstandard.ZstdCompressor().compress(body)
    response = post_store(client, project_key.project_id, data, project_key.public_key, encoding)
    assert response.status_code == 200, response.content
    raw = RawEvent.objects.get(event_id=response.json()["id"])
    assert bytes(raw.payload) == body


def test_gzipped_envelope(client, project_key):
    body = envelope({}, {"type": "event"}, {"message": "gz envelope"})
    response = post_envelope(
        client,
        project_key.project_id,
        gzip.compress(body),
        project_key.public_key,
        HTTP_CONTENT_ENCODING="gzip",
    )
    assert response.status_code == 200
    assert RawEvent.objects.count() == 1


@pytest.mark.parametrize(
    "body, status, message",
    [
        (b'{"message": "unterminated', 400, "malformed JSON"),
        (b'{"message": "\xff\xfe bad bytes"}', 400, "not valid UTF-8"),
        (b'["a", "list"]', 400, "must be a JSON object"),
        (b"", 400, "malformed JSON"),
        (b'{"event_id": "nope", "message": "x"}', 400, "not a valid id"),
    ],
)
def test_bad_store_bodies(client, project_key, body, status, message):
    response = post_store(client, project_key.project_id, body, project_key.public_key)
    assert response.status_code == status
    assert message in response.json()["detail"]
    assert not RawEvent.objects.exists()


def test_oversized_event_is_413(client, project_key, settings):
    body = json.dumps({"message": "x" * (settings.INGEST_MAX_EVENT_SIZE + 10)}).encode()
    response = post_store(client, project_key.project_id, body, project_key.public_key)
    assert response.status_code == 413
    compressed = gzip.compress(body)
    assert len(compressed) < settings.INGEST_MAX_EVENT_SIZE
    response = post_store(
        client, project_key.project_id, compressed, project_key.public_key, "gzip"
    )
    assert response.status_code == 413
    assert not RawEvent.objects.exists()


def test_compression_bomb_is_413(client, project_key):
    bomb = gzip.compress(b'{"message": "' + b"A" * (200 * 1024 * 1024) + b'"}')
    response = post_envelope(
        client, project_key.project_id, bomb, project_key.public_key, HTTP_CONTENT_ENCODING="gzip"
    )
    assert response.status_code == 413
    response = post_store(client, project_key.project_id, bomb, project_key.public_key, "gzip")
    assert response.status_code == 413


def test_oversized_event_item_inside_an_envelope_is_413(client, project_key, settings):
    big = json.dumps({"message": "x" * settings.INGEST_MAX_EVENT_SIZE}).encode()
    body = envelope({}, {"type": "event", "length": len(big)}, big)
    response = post_envelope(client, project_key.project_id, body, project_key.public_key)
    assert response.status_code == 413
    assert "envelope item 1" in response.json()["detail"]


def test_bad_envelopes(client, project_key):
    pid, key = project_key.project_id, project_key.public_key
    response = post_envelope(client, pid, b"{not json\n", key)
    assert response.status_code == 400
    response = post_envelope(client, pid, envelope({}, {"type": "event"}, b"{broken"), key)
    assert response.status_code == 400
    assert "envelope item 1 (event) is malformed JSON" in response.json()["detail"]
    response = post_envelope(client, pid, envelope({}, {"type": "event", "length": 50}, b"{}"), key)
    assert response.status_code == 400
    assert not RawEvent.objects.exists()


def test_non_event_items_are_accepted_skipped_and_counted(client, project_key):
    event_id = uuid.uuid4().hex
    body = envelope(
        {"event_id": event_id},
        {"type": "event"},
        {"event_id": event_id, "message": "with friends"},
        {"type": "attachment", "length": 3, "filename": "a.txt"},
        b"abc",
        {"type": "session"},
        {"sid": "s", "status": "ok"},
        {"type": "client_report"},
        {"discarded_events": []},
        {"type": "transaction"},
        {"type": "transaction", "spans": []},
        {"type": "check_in"},
        {"check_in_id": "c", "status": "ok"},
    )
    response = post_envelope(client, project_key.project_id, body, project_key.public_key)
    assert response.status_code == 200
    assert response.json() == {"id": event_id}
    assert RawEvent.objects.count() == 1
    (day_counts,) = item_counts(project_key.project_id).values()
    from attachments.models import Attachment  # stored beside the event

    assert Attachment.objects.get().name == "a.txt"
    assert day_counts == {
        "session": 1,
        "client_report": 1,
        "transaction": 1,
        "check_in": 1,
    }


def test_envelope_without_event_replies_with_its_header_id(client, project_key):
    body = envelope({"sent_at": "2024-01-01T00:00:00Z"}, {"type": "session"}, {"sid": "s"})
    response = post_envelope(client, project_key.project_id, body, project_key.public_key)
    assert response.status_code == 200 and response.json() == {}
    assert not RawEvent.objects.exists()


def test_transaction_on_store_endpoint_is_accepted_not_stored(client, project_key):
    response = post_store(
        client,
        project_key.project_id,
        {"type": "transaction", "transaction": "/"},
        project_key.public_key,
    )
    assert response.status_code == 200
    assert not RawEvent.objects.exists()


def test_cors_preflight_and_origin_check(client, project_key):
    pid = project_key.project_id
    response = client.options(
        f"/api/{pid}/store/",
        HTTP_ORIGIN="https://app.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "https://app.example"
    assert "x-sentry-auth" in response["Access-Control-Allow-Headers"].lower()

    project = project_key.project
    project.allowed_origins = "https://app.example\n*.trusted.example"
    project.save()
    ok = post_store(
        client,
        pid,
        {"message": "x"},
        project_key.public_key,
        HTTP_ORIGIN="https://www.trusted.example",
    )
    assert ok.status_code == 200
    assert ok["Access-Control-Allow-Origin"] == "https://www.trusted.example"
    denied = post_store(
        client, pid, {"message": "x"}, project_key.public_key, HTTP_ORIGIN="https://evil.example"
    )
    assert denied.status_code == 403


def test_get_is_405(client, project_key):
    assert client.get(f"/api/{project_key.project_id}/store/").status_code == 405


def test_rate_limit_per_key(client, project_key, redis_client):
    project_key.rate_limit_count = 3
    project_key.rate_limit_window = 3600  # no window ends mid-test
    project_key.save()
    other = ProjectKey.objects.create(project=project_key.project)
    statuses = [
        post_store(
            client, project_key.project_id, {"message": "x"}, project_key.public_key
        ).status_code
        for _ in range(5)
    ]
    assert statuses == [200, 200, 200, 429, 429]
    limited = post_store(client, project_key.project_id, {"message": "x"}, project_key.public_key)
    retry_after = int(limited["Retry-After"])
    assert 1 <= retry_after <= 3600
    assert limited["X-Sentry-Rate-Limits"] == f"{retry_after}:error;default;security:key:key_quota"
    assert "X-Sentry-Rate-Limits" in limited["Access-Control-Expose-Headers"]
    assert RawEvent.objects.count() == 3
    # another key of the same project has its own budget
    assert (
        post_store(client, other.project_id, {"message": "x"}, other.public_key).status_code == 200
    )


def test_security_endpoint_accepts_csp_reports(client, project_key):
    report = {
        "csp-report": {
            "blocked-uri": "https://evil.example/x.js",
            "effective-directive": "script-src",
        }
    }
    response = client.post(
        f"/api/{project_key.project_id}/security/?sentry_key={project_key.public_key}",
        json.dumps(report),
        content_type="application/csp-report",
    )
    assert response.status_code == 201
    raw = RawEvent.objects.get()
    assert raw.kind == RawEvent.Kind.CSP
