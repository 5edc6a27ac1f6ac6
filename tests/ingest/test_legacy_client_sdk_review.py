"""Review of the store endpoint's `sdk` for legacy clients (ingest.views.with_sdk,
ingest.auth.client_sdk): the event's own bytes are kept as sent, with the client's `sdk` added
as its last member, so nothing a hostile body holds (a lone surrogate's escape, a float that
Python writes longer, a non-object `sdk`) can turn into a 500, a changed value or unledgered
memory; and the request's auth headers are read in one order for the key and the client."""

import json
import tracemalloc
import uuid

import pytest
from django.test import Client, RequestFactory

from ingest.auth import client_sdk
from ingest.bodymemory import Ledger
from ingest.models import RawEvent
from ingest.views import with_sdk

pytestmark = pytest.mark.django_db

RAVEN_NODE = {"name": "raven-node", "version": "2.6.4"}


def auth(key) -> str:
    return f"Sentry sentry_version=5, sentry_client=raven-node/2.6.4, sentry_key={key.public_key}"


def post(key, body: bytes):
    return Client().post(f"/api/{key.project_id}/store/", body,
                         content_type="application/json", HTTP_X_SENTRY_AUTH=auth(key))


def stored_bytes(key, body: bytes) -> bytes:
    response = post(key, body)
    assert response.status_code == 200, response.content
    return bytes(RawEvent.objects.get(event_id=response.json()["id"]).payload)


def test_a_lone_surrogate_escape_is_no_server_error(project_key):
    """JSON may escape half a surrogate pair (JavaScript strings hold them); Python reads it
    into a str that UTF-8 cannot encode."""
    body = b'{"event_id": "%s", "message": "cut \\ud83d"}' % uuid.uuid4().hex.encode()
    payload = json.loads(stored_bytes(project_key, body))
    assert payload["message"] == "cut \ud83d" and payload["sdk"] == RAVEN_NODE


def test_the_events_own_bytes_are_kept_as_sent(project_key):
    """Numbers as the client wrote them (Python writes 1e15 as 1000000000000000.0 and rounds a
    long decimal), its spacing and key order; only the sdk is added."""
    event_id = uuid.uuid4().hex.encode()
    body = (b'{ "event_id" : "%s", "extra": {"big": 1e15, "precise": 0.1000000000000000055511151'
            b'23125782702118, "n": -0}, "message": "\\u00e9t\\u00e9" }\n' % event_id)
    kept = stored_bytes(project_key, body)
    assert kept.startswith(body.rstrip()[:-1])
    assert json.loads(kept)["sdk"] == RAVEN_NODE


@pytest.mark.parametrize("sdk", [b"null", b'"raven-node"', b"[]", b"0"])
def test_a_non_object_sdk_gives_way_to_the_clients(project_key, sdk):
    body = b'{"event_id": "%s", "sdk": %s, "message": "m"}' % (uuid.uuid4().hex.encode(), sdk)
    assert json.loads(stored_bytes(project_key, body))["sdk"] == RAVEN_NODE


def test_an_empty_event_gets_its_sdk(project_key):
    assert json.loads(stored_bytes(project_key, b"{ }"))["sdk"] == RAVEN_NODE


def test_adding_the_sdk_allocates_the_new_body_once_and_ledgers_it():
    """A body of floats Python writes four times longer (`1e15`) costs no more than its own
    size again: re-serialising it held ~7 times its bytes outside the ledger."""
    data = b'{"extra": [' + b",".join([b"1e15"] * 50_000) + b"]}"
    event = json.loads(data)
    ledger = Ledger(None)
    ledger.hold(len(data))
    tracemalloc.start()
    try:
        out = with_sdk(event, RAVEN_NODE, data, 1024 * 1024, ledger)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert json.loads(out)["sdk"] == RAVEN_NODE
    assert peak < 1.5 * len(data)
    assert ledger.held == len(out)


def test_the_body_as_sent_where_the_sdk_would_pass_the_size_limit():
    data = b'{"message": "' + b"x" * 1000 + b'"}'
    ledger = Ledger(None)
    ledger.hold(len(data))
    assert with_sdk(json.loads(data), RAVEN_NODE, data, len(data) + 10, ledger) is data
    assert ledger.held == len(data)


def test_the_client_is_read_from_the_header_the_key_is_read_from():
    """X-Sentry-Auth before Authorization, as public_key_from_request reads them."""
    request = RequestFactory().post(
        "/api/1/store/", HTTP_X_SENTRY_AUTH="Sentry sentry_key=k, sentry_client=raven-node/2.6.4",
        HTTP_AUTHORIZATION="Sentry sentry_key=k, sentry_client=raven-python/6.10.0")
    assert client_sdk(request) == RAVEN_NODE



@pytest.mark.parametrize(("agent", "name"), [
    ("raven-go/1.0", "raven-go"), ("sentry.python/2.0.1", "sentry.python"),
    ("sentry/1.0", "sentry"), ("Raven-Python/6.10.0", "Raven-Python"),
    ("RavenDB.Client/5.4", None), ("ravendb/5.4", None), ("sentryflow-agent/2.1", None),
])
def test_a_user_agent_names_a_client_only_where_its_name_is_ravens_or_sentrys(agent, name):
    """Raven's and Sentry's clients name themselves `raven-…`, `sentry.…`, `sentry-…`; a
    product that only begins with the word is another client."""
    sdk = client_sdk(RequestFactory().post("/api/1/store/", HTTP_USER_AGENT=agent))
    assert (sdk or {}).get("name") == name
