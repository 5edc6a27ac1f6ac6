"""Raw events stored as ingest stores them and processed in this process, a Python
ZeroDivisionError event to send, and processing as an earlier release served it."""

import contextlib
import json
import time
import uuid
from collections.abc import Iterator

import pytest

from ingest import processing
from ingest.accept import store_raw_event
from ingest.processing import process_pending


def raw(project, payload: dict | bytes, event_id=None, kind="event") -> uuid.UUID:
    event_id = event_id or uuid.uuid4()
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    store_raw_event(project.id, event_id, kind, body)
    return event_id


def drain() -> int:
    total = 0
    while claimed := process_pending(100):
        total += claimed
    return total


def processing_seconds(project, payload: dict) -> float:
    """Seconds that processing one stored payload took; it became one event, without error."""
    from ingest.models import RawEvent
    from monitor.models import Event

    raw(project, payload)
    start = time.perf_counter()
    drain()
    elapsed = time.perf_counter() - start
    assert list(RawEvent.objects.values_list("last_error", flat=True)) == []
    assert Event.objects.filter(project=project).count() == 1
    return elapsed


def zero_division(lineno=10, user=None, release=None):
    event = {
        "platform": "python",
        "exception": {
            "values": [
                {
                    "type": "ZeroDivisionError",
                    "value": "division by zero",
                    "stacktrace": {
                        "frames": [
                            {
                                "module": "shop.views",
                                "function": "checkout",
                                "lineno": lineno,
                                "in_app": True,
                                "context_line": "ratio = paid / total",
                            }
                        ]
                    },
                }
            ]
        },
    }
    if user:
        event["user"] = user
    if release:
        event["release"] = release
    return event


@contextlib.contextmanager
def served_config(config: str) -> Iterator[None]:
    """Processing inside hashes every project's events under fingerprint configuration
    `config`, as the release that served it did: what is made inside is what an installation
    held before it upgraded."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(processing, "fingerprint_config_for", lambda project: config)
        yield


def fingerprint_mode(project) -> None:
    """The project groups by fingerprint alone (its issues need no embeddings worker)."""
    project.grouping_mode = project.GroupingMode.FINGERPRINT
    project.save(update_fields=["grouping_mode"])
