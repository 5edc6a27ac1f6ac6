"""Requests to the ingest endpoints as SDKs send them, through a Django test client."""

import json


def auth(key: str) -> dict:
    return {
        "HTTP_X_SENTRY_AUTH": f"Sentry sentry_version=7, sentry_client=test/1.0, sentry_key={key}"
    }


def post_store(client, project_id, body, key=None, encoding=None, **headers):
    if isinstance(body, dict):
        body = json.dumps(body).encode()
    if encoding:
        headers["HTTP_CONTENT_ENCODING"] = encoding
    if key:
        headers.update(auth(key))
    return client.post(
        f"/api/{project_id}/store/", body, content_type="application/json", **headers
    )


def post_envelope(client, project_id, body, key=None, **headers):
    if key:
        headers.update(auth(key))
    return client.post(
        f"/api/{project_id}/envelope/",
        body,
        content_type="application/x-sentry-envelope",
        **headers,
    )


def envelope(*parts) -> bytes:
    return b"\n".join(p if isinstance(p, bytes) else json.dumps(p).encode() for p in parts)
