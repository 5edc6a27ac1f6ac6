"""Nesting is bounded by one explicit rule at the edge, not by Python's recursion limit: a body
the edge accepts must never fail in the worker, which reads it again deeper in its own stack
(a failure there is retried and ends as a dead letter after the 200)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from ingest.models import RawEvent
from ingest.payload import nesting_exceeds
from monitor import limits
from monitor.models import Event
from tests.helpers.ingest_http import post_store
from tests.helpers.processing import drain

pytestmark = pytest.mark.django_db


def nested(depth: int) -> str:
    """JSON text of `depth` levels of alternating lists and objects around a string, written
    by hand: json.dumps itself stops at the recursion limit."""
    opens = "".join('{"k":' if level % 2 else "[" for level in range(depth))
    closes = "".join("}" if level % 2 else "]" for level in reversed(range(depth)))
    return opens + '"x"' + closes


def body(place: str, depth: int) -> str:
    return json.dumps(_event(place, "@nested@")).replace('"@nested@"', nested(depth))


def _event(place: str, value: object) -> dict:
    event = {"platform": "python", "message": "nested", "extra": {}, "contexts": {}, "tags": {}}
    if place == "exception":
        event["exception"] = {"values": [{"type": "E", "value": "v", "mechanism": {
            "type": "generic", "data": {"d": value}}}]}
    elif place == "breadcrumbs":
        event["breadcrumbs"] = {"values": [{"message": "m", "data": {"d": value}}]}
    else:
        event[place]["d"] = value
    return event


def _deepest_accepted(client, key, place: str) -> int:
    """The deepest value at `place` the store endpoint answers 200 for (a binary search)."""
    low, high = 1, 20_000
    while low < high:
        mid = (low + high + 1) // 2
        response = post_store(client, key.project_id, body(place, mid),
                              key.public_key)
        assert response.status_code in (200, 400), response.content
        low, high = (mid, high) if response.status_code == 200 else (low, mid - 1)
    return low


@pytest.mark.parametrize("place", ["extra", "contexts", "exception", "breadcrumbs"])
def test_what_the_edge_accepts_the_worker_processes(project_key, place):
    client = Client()
    depth = _deepest_accepted(client, project_key, place)
    RawEvent.objects.all().delete()
    response = post_store(client, project_key.project_id,
                          body(place, depth), project_key.public_key)
    assert response.status_code == 200
    drain()
    assert list(RawEvent.objects.values_list("last_error", flat=True)) == []
    assert Event.objects.filter(project=project_key.project).count() == 1


def test_nesting_past_the_limit_is_a_400_that_says_so(project_key):
    client = Client()
    text = body("extra", limits.JSON_NESTING + 1)
    response = post_store(client, project_key.project_id, text, project_key.public_key)
    assert response.status_code == 400
    assert b"nested" in response.content
    assert not RawEvent.objects.exists()
    text = body("extra", limits.JSON_NESTING - 2)  # the event's own two levels
    assert post_store(client, project_key.project_id, text,
                      project_key.public_key).status_code == 200


@pytest.mark.parametrize("text, limit, exceeds", [
    (b'{"a": [1, {"b": 2}]}', 3, False),
    (b'{"a": [1, {"b": 2}]}', 2, True),
    (b'["[[[[[[", "{{{{{"]', 1, False),  # brackets inside strings are text
    (b'["\\"[[[[", "x\\\\"]', 1, False),  # escaped quotes and backslashes
    (b"[[], [[]], []]", 3, False),
    (b"[[], [[]], []]", 2, True),
    (b"[" * 50_000 + b"]" * 50_000, 64, True),
])
def test_nesting_is_read_without_parsing(text, limit, exceeds):
    assert nesting_exceeds(text, limit) is exceeds
