"""Raw events stored as ingest stores them and processed in this process, and a Python
ZeroDivisionError event to send."""

import json
import uuid

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
