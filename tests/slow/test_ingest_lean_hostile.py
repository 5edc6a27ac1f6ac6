"""Hostile requests through the real web server (granian) and the lean ingest entry: each gets a
clean 4xx, the one Django's route of the endpoint gives: too many stacked content codings (each
would decompress up to the limit), too many concatenated zstd frames, an envelope header line
past its bound, a project id too long for an integer, an Origin header that is not a URL."""

from __future__ import annotations

import contextlib
import gzip
import http.client
import json
from urllib.parse import urlsplit

import pytest
import zstandard
from django.test import Client

from ingest.models import RawEvent
from monitor import limits
from monitor.models import ProjectKey

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def over_http(base: str, path: str, body: bytes, headers: dict) -> tuple[int, dict, bytes]:
    url = urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    try:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        return (response.status, {k.lower(): v for k, v in response.getheaders()},
                response.read())
    finally:
        conn.close()


def through_django(path: str, body: bytes, headers: dict) -> int:
    extra = {"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()
             if name.lower() != "content-type"}
    return Client().generic("POST", path, body, content_type="application/json",
                            **extra).status_code


def cases(key: ProjectKey) -> list[tuple[str, int, str, bytes, dict]]:
    """(name, expected status, path, body, headers)."""
    pid = key.project_id
    auth = {"X-Sentry-Auth": f"Sentry sentry_version=7, sentry_key={key.public_key}",
            "Content-Type": "application/json"}
    event = json.dumps({"message": "hostile"}).encode()
    envelope = b"\n".join([b"{}", json.dumps({"type": "event", "length": len(event)}).encode(),
                           event])
    layers = limits.CONTENT_CODINGS + 1
    stacked_event, stacked_envelope = event, envelope
    for _ in range(layers):
        stacked_event, stacked_envelope = gzip.compress(stacked_event), gzip.compress(
            stacked_envelope)
    codings = {"Content-Encoding": ", ".join(["gzip"] * layers)}
    frames = b"".join(zstandard.ZstdCompressor().compress(part)
                      for part in [event, *[b""] * limits.ZSTD_FRAMES])
    return [
        ("store, codings stacked past the bound", 415, f"/api/{pid}/store/", stacked_event,
         {**auth, **codings}),
        ("envelope, codings stacked past the bound", 415, f"/api/{pid}/envelope/",
         stacked_envelope, {**auth, **codings}),
        ("more zstd frames than the bound", 413, f"/api/{pid}/store/", frames,
         {**auth, "Content-Encoding": "zstd"}),
        ("an item header line past the bound", 400, f"/api/{pid}/envelope/",
         b'{}\n{"type": "attachment", "x": "' + b"x" * limits.ENVELOPE_HEADER_BYTES + b'"}\nx',
         auth),
        ("a project id of 5,000 digits", 404, f"/api/{'1' * 5000}/store/", event, auth),
        ("an Origin that is not a URL", 403, f"/api/{pid}/store/", event,
         {**auth, "Origin": "http://[::1"}),
    ]


def test_hostile_requests_get_the_4xx_of_the_django_route(web, key):
    for name, expected, path, body, headers in cases(key):
        status, got_headers, got_body = over_http(web, path, body, headers)
        assert status == expected, (name, got_body[:300])
        assert through_django(path, body, headers) == expected, name
        if path.startswith(f"/api/{key.project_id}/"):  # an ingest endpoint's JSON error
            assert json.loads(got_body)["detail"] == got_headers["x-sentry-error"], name
    assert not RawEvent.objects.filter(project_id=key.project_id).exists()
