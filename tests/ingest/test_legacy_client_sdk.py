"""The legacy clients raven-node and raven-go send events without an `sdk`: the store endpoint
names it from the request's sentry_client (X-Sentry-Auth or the query), else from a Raven or
Sentry client's User-Agent, as Sentry does (docs/ingest.md, "Legacy Raven clients"). What a
hostile sender puts there is bounded: an odd or long client names none, the event as sent."""

import base64
import json
import uuid
import zlib

import pytest
from django.test import Client, RequestFactory

from ingest.auth import client_sdk
from ingest.models import RawEvent

pytestmark = pytest.mark.django_db


def stored(key, body: bytes, **headers) -> dict:
    response = Client().post(f"/api/{key.project_id}/store/", body,
                             content_type="application/octet-stream", **headers)
    assert response.status_code == 200, response.content
    return json.loads(bytes(RawEvent.objects.get(event_id=response.json()["id"]).payload))


def raven_node_body(event: dict) -> bytes:
    """What raven-node 2.x posts: base64 of a zlib stream, no Content-Encoding."""
    return base64.b64encode(zlib.compress(json.dumps(event).encode()))


def test_a_raven_node_event_names_its_client_as_its_sdk(project_key):
    event = {"event_id": uuid.uuid4().hex, "message": "Shop started run %s", "platform": "node"}
    auth = (f"Sentry sentry_version=5, sentry_timestamp=1796661153701, "
            f"sentry_client=raven-node/2.6.4, sentry_key={project_key.public_key}")
    payload = stored(project_key, raven_node_body(event), HTTP_X_SENTRY_AUTH=auth)
    assert payload["sdk"] == {"name": "raven-node", "version": "2.6.4"}
    assert payload["message"] == "Shop started run %s"


def test_raven_go_names_itself_in_user_agent_only(project_key):
    event = {"event_id": uuid.uuid4().hex, "message": "Go shop started", "platform": "go"}
    payload = stored(project_key, json.dumps(event).encode(),
                     HTTP_X_SENTRY_AUTH=f"Sentry sentry_version=4, sentry_key="
                                        f"{project_key.public_key}",
                     HTTP_USER_AGENT="raven-go/1.0")
    assert payload["sdk"] == {"name": "raven-go", "version": "1.0"}


def test_an_sdk_the_event_names_is_kept_and_its_bytes_untouched(project_key):
    body = json.dumps({"event_id": uuid.uuid4().hex, "message": "é",
                       "sdk": {"name": "raven-js", "version": "3.27.2"}}).encode()
    response = Client().post(
        f"/api/{project_key.project_id}/store/?sentry_key={project_key.public_key}"
        f"&sentry_version=7&sentry_client=raven-js%2F3.27.2", body, content_type="text/plain")
    assert response.status_code == 200
    assert bytes(RawEvent.objects.get(event_id=response.json()["id"]).payload) == body


def test_non_ascii_text_is_written_as_sent(project_key):
    """Re-written with the sdk, the event keeps its text unescaped: no six bytes for one."""
    event = {"event_id": uuid.uuid4().hex, "message": "注文" * 1000}
    body = json.dumps(event, ensure_ascii=False).encode()
    payload = stored(project_key, body, HTTP_X_SENTRY_AUTH=f"Sentry sentry_client=raven-node/"
                                                            f"2.6.4, sentry_key="
                                                            f"{project_key.public_key}")
    assert payload["message"] == "注文" * 1000 and payload["sdk"]["name"] == "raven-node"


@pytest.mark.parametrize(("headers", "sdk"), [
    ({"HTTP_X_SENTRY_AUTH": "Sentry sentry_client=raven-python/6.10.0, sentry_key=k"},
     {"name": "raven-python", "version": "6.10.0"}),
    ({"QUERY_STRING": "sentry_client=raven-js%2F3.27.2"},
     {"name": "raven-js", "version": "3.27.2"}),
    ({"HTTP_USER_AGENT": "raven-go/1.0"}, {"name": "raven-go", "version": "1.0"}),
    ({"HTTP_USER_AGENT": "python-requests/2.31.0"}, None),  # not a Sentry client
    ({"HTTP_X_SENTRY_AUTH": "Sentry sentry_client=test/1.0, sentry_key=k"}, None),
    ({"HTTP_X_SENTRY_AUTH": "Sentry sentry_client=curl/8.0", "HTTP_USER_AGENT": "raven-go/1.0"},
     {"name": "raven-go", "version": "1.0"}),
    ({"HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64)"}, None),
    ({"HTTP_X_SENTRY_AUTH": "Sentry sentry_client=" + "r" * 5000 + "/1, sentry_key=k"}, None),
    ({"HTTP_X_SENTRY_AUTH": "Sentry sentry_client=raven-node/" + "1" * 100}, None),
    ({"HTTP_X_SENTRY_AUTH": "Sentry sentry_client=<script>/1"}, None),
    ({}, None),
])
def test_client_sdk_reads_only_a_bounded_name_and_version(headers, sdk):
    assert client_sdk(RequestFactory().post("/api/1/store/", **headers)) == sdk
