"""An event's `user` object is free-form SDK data like `extra`, and is bounded like it: at most
limits.EVENT_CONTAINER_ITEMS keys. Unbounded, a 1 MiB event could carry ~100,000 user keys,
all stored in Event.user (which every page of an issue's events reads, a row each) and in the
event's payload."""

import json

import pytest

from monitor import eventstore, limits
from monitor.models import Event
from tests.helpers.processing import drain, raw, zero_division

pytestmark = pytest.mark.django_db

KEYS = 20_000


def test_a_user_with_thousands_of_keys_is_cut_like_free_form_data(project):
    user = {"id": "42", "email": "a@example.com"} | {f"k{i}": i for i in range(KEYS)}
    event = zero_division()
    event["user"] = user
    body = json.dumps(event).encode()
    assert len(body) < 1 << 20  # within INGEST_MAX_EVENT_SIZE: accepted at the edge
    raw(project, body)
    drain()
    stored = Event.objects.get(project=project)
    assert len(stored.user) <= limits.EVENT_CONTAINER_ITEMS + 1, len(stored.user)
    assert stored.user["id"] == "42"
    assert stored.user["…"] == f"{KEYS + 2 - limits.EVENT_CONTAINER_ITEMS} more keys"
    payload = eventstore.load_payload(stored)
    assert len(payload["user"]) <= limits.EVENT_CONTAINER_ITEMS + 1
    assert ["user", "id:42"] in payload["tags"]


def test_an_ordinary_user_is_kept_whole(project):
    event = zero_division()
    event["user"] = {"id": "7", "username": "ann", "ip_address": "10.0.0.1",
                     "data": {"plan": "pro"}, "geo": {"country_code": "DE"}}
    raw(project, event)
    drain()
    stored = Event.objects.get(project=project)
    assert stored.user["id"] == "7" and stored.user["username"] == "ann"
    assert stored.user["data"] == {"plan": "pro"} and "…" not in stored.user
