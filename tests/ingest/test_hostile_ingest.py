"""Hostile payloads at the ingest edge: work is bounded before it is done, and every
refusal is a clean 4xx."""

from __future__ import annotations

import gzip
import json
import tracemalloc
import uuid

import pytest
from django.test import Client

from ingest.models import RawEvent
from ingest.stats import item_counts
from tests.helpers.ingest_http import auth, envelope, post_envelope, post_store

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return Client()


def _many_items(n: int) -> bytes:
    return b"\n".join([b'{"dsn":"http://nobody@example.com/1"}'] + [b'{"type":"x"}\n{}'] * n)


def _peak(func) -> tuple[object, int]:
    tracemalloc.start()
    try:
        result = func()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_unknown_sender_is_refused_before_the_body_is_decompressed(client, project_key):
    post_envelope(
        client, project_key.project_id, gzip.compress(_many_items(1)), HTTP_CONTENT_ENCODING="gzip"
    )  # warm up: URL conf, imports
    body = gzip.compress(_many_items(400_000))
    assert len(body) < 100_000  # small on the wire, ~6 MB decompressed, 400k items
    response, peak = _peak(
        lambda: post_envelope(client, project_key.project_id, body, HTTP_CONTENT_ENCODING="gzip")
    )
    assert response.status_code == 403
    assert peak < 3 * 1024 * 1024, f"{peak / 2**20:.1f} MiB before authentication"
    response, peak = _peak(
        lambda: post_envelope(
            client, project_key.project_id, body, "0" * 32, HTTP_CONTENT_ENCODING="gzip"
        )
    )
    assert response.status_code == 403
    assert peak < 3 * 1024 * 1024


def test_too_many_items_is_413_even_for_a_valid_key(client, project_key, settings):
    body = gzip.compress(_many_items(400_000))
    response = post_envelope(
        client, project_key.project_id, body, project_key.public_key, HTTP_CONTENT_ENCODING="gzip"
    )
    assert response.status_code == 413
    assert f"more than {settings.INGEST_MAX_ENVELOPE_ITEMS} items" in response.json()["detail"]


def test_header_line_without_newline_past_the_limit_is_400(client, project_key):
    body = b'{"dsn": "' + b"x" * 200_000 + b'"}'
    response = post_envelope(client, project_key.project_id, gzip.compress(body),
                             HTTP_CONTENT_ENCODING="gzip")
    assert response.status_code == 400


def test_invented_item_types_do_not_grow_the_broker(client, project_key):
    parts = [{"event_id": uuid.uuid4().hex}]
    for n in range(50):
        parts += [{"type": f"made-up-{n}"}, {}]
    parts += [{"type": "session"}, {}]
    response = post_envelope(client, project_key.project_id, envelope(*parts),
                             project_key.public_key)
    assert response.status_code == 200
    (day_counts,) = item_counts(project_key.project_id).values()
    assert day_counts == {"unknown": 50, "session": 1}


def test_csp_reporting_api_list_takes_a_token_per_report(client, project_key, redis_client):
    project_key.rate_limit_count = 3
    project_key.rate_limit_window = 3600  # no window ends mid-test
    project_key.save()
    body = {
        "blockedURL": "https://x.example/a.js",
        "effectiveDirective": "script-src",
        "documentURL": "https://app.example/",
    }
    report = {"type": "csp-violation", "body": body}
    response = client.post(
        f"/api/{project_key.project_id}/security/?sentry_key={project_key.public_key}",
        json.dumps([report] * 5),
        content_type="application/reports+json",
    )
    assert response.status_code == 429
    assert RawEvent.objects.count() == 0


def test_deeply_nested_reporting_api_list_is_400(client, project_key):
    response = client.post(
        f"/api/{project_key.project_id}/security/?sentry_key={project_key.public_key}",
        "[" * 100_000 + "]" * 100_000,
        content_type="application/reports+json",
    )
    assert response.status_code == 400


def test_integer_of_5000_digits_is_400(client, project_key):
    body = b'{"message": "x", "extra": {"n": ' + b"9" * 5000 + b"}}"
    response = post_store(client, project_key.project_id, body, project_key.public_key)
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]


def test_nan_and_infinite_numbers_are_stored_as_null(client, project_key):
    from tests.helpers.processing import drain

    body = b'{"message": "nan", "timestamp": NaN, "extra": {"a": NaN, "b": -Infinity, "c": 1e400}}'
    assert (
        post_store(client, project_key.project_id, body, project_key.public_key).status_code == 200
    )
    body2 = json.dumps({"message": "nan2", "timestamp": "nan", "platform": "İ" * 64}).encode()
    assert post_store(client, project_key.project_id, body2, project_key.public_key,
                      **auth(project_key.public_key)).status_code == 200
    drain()
    assert not RawEvent.objects.exists()  # both processed, no dead letter
    from monitor.models import Event

    event = Event.objects.get(title="nan")
    assert event.data["extra"] == {"a": None, "b": None, "c": None}
    assert len(Event.objects.get(title="nan2").platform) <= 64
