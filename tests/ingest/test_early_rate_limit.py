"""A key already over its rate limit is refused before its request's body is read, when the key
is known before the body (X-Sentry-Auth or ?sentry_key=): no bytes read, decompressed or parsed
for a 429. A key named only in the envelope's own header is checked once its header line is
read (tests/ingest/test_body_before_auth.py: before the rest of the body). Each request is
answered as the lean WSGI entry answers it (ingest.lean: its request, the endpoints' `respond`;
not its connection handling, which would close the test's transaction) with a body that counts
what is read of it, and the real Redis budgets."""

from __future__ import annotations

import json

import pytest

from ingest import lean, ratelimit, views
from ingest.models import RawEvent
from tests.helpers.ingest_http import CountingInput, envelope, wsgi_environ

pytestmark = pytest.mark.django_db

ALL_CATEGORIES = (ratelimit.EVENTS, ratelimit.ATTACHMENTS, ratelimit.FEEDBACK)


def call(path: str, body: bytes, query: str = "", **headers) -> tuple[int, dict, CountingInput]:
    stream = CountingInput(body)
    environ = wsgi_environ(path, stream, len(body), query, **headers)
    project_id, name = lean.endpoint(path)
    reply = views.respond(views.ENDPOINTS[name], lean.LeanRequest(environ), project_id)
    return int(reply.status_line.split()[0]), dict(reply.headers), stream


def auth(key) -> dict:
    return {"HTTP_X_SENTRY_AUTH": f"Sentry sentry_version=7, sentry_key={key.public_key}"}


def use_up(key, categories=ALL_CATEGORIES) -> None:
    for category in categories:
        ratelimit.take(key.public_key, category, key.rate_limit_count, key.rate_limit_count,
                       key.rate_limit_window)


@pytest.fixture
def key(project_key):
    project_key.rate_limit_count, project_key.rate_limit_window = 2, 3600  # no window ends mid-test
    project_key.save()
    return project_key


def an_envelope(message: str = "hello") -> bytes:
    return envelope({}, {"type": "event"}, {"message": message})


def test_an_envelope_over_every_budget_is_refused_unread(key):
    use_up(key)
    status, headers, body = call(f"/api/{key.project_id}/envelope/", an_envelope(), **auth(key))
    assert status == 429
    assert body.bytes_read == 0
    retry_after = int(headers["Retry-After"])
    assert 1 <= retry_after <= 3600
    assert headers["X-Sentry-Rate-Limits"].startswith(f"{retry_after}:")
    assert "error;default;security" in headers["X-Sentry-Rate-Limits"]
    assert RawEvent.objects.count() == 0


def test_the_query_strings_key_is_checked_before_the_body_too(key):
    use_up(key)
    status, _, body = call(f"/api/{key.project_id}/envelope/", an_envelope(),
                           query=f"sentry_key={key.public_key}")
    assert (status, body.bytes_read) == (429, 0)


def test_a_body_past_the_size_limit_gets_the_429_when_over_the_limit(key, settings):
    settings.INGEST_MAX_ENVELOPE_COMPRESSED = 1000
    oversized = an_envelope("x" * 5000)
    assert call(f"/api/{key.project_id}/envelope/", oversized, **auth(key))[0] == 413
    use_up(key)
    assert call(f"/api/{key.project_id}/envelope/", oversized, **auth(key))[0] == 429


def test_a_budget_left_in_another_category_lets_the_envelope_be_read(key):
    """Over the events budget only: feedback and attachments may still be stored."""
    use_up(key, [ratelimit.EVENTS])
    status, _, body = call(f"/api/{key.project_id}/envelope/", an_envelope(), **auth(key))
    assert status == 429  # as before: the event is refused after the body is read
    assert body.bytes_read > 0


def test_a_key_under_its_limit_is_served_as_before(key):
    status, _, body = call(f"/api/{key.project_id}/envelope/", an_envelope(), **auth(key))
    assert status == 200 and body.bytes_read == len(an_envelope())
    assert RawEvent.objects.count() == 1


def test_a_key_named_only_in_the_envelope_header_is_read_first(key):
    use_up(key)
    dsn = f"http://{key.public_key}@localhost/{key.project_id}"
    data = envelope({"dsn": dsn}, {"type": "event"}, {"message": "m"})
    status, _, body = call(f"/api/{key.project_id}/envelope/", data)
    assert status == 429 and body.bytes_read > 0


def test_security_reports_over_the_limit_are_refused_unread(key):
    use_up(key, [ratelimit.EVENTS])
    report = json.dumps({"csp-report": {"document-uri": "https://a.example/",
                                        "violated-directive": "script-src"}}).encode()
    status, _, body = call(f"/api/{key.project_id}/security/", report,
                           query=f"sentry_key={key.public_key}",
                           CONTENT_TYPE="application/csp-report")
    assert (status, body.bytes_read) == (429, 0)


def test_store_was_already_checked_before_its_body(key):
    use_up(key, [ratelimit.EVENTS])
    status, _, body = call(f"/api/{key.project_id}/store/", b'{"message": "m"}', **auth(key))
    assert (status, body.bytes_read) == (429, 0)
