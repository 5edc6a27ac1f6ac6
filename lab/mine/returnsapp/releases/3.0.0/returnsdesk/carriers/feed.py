"""The carriers' tracking feed: one JSON object per line."""

import json
from datetime import UTC, datetime

STATUS = {"picked_up": "in transit", "in_transit": "in transit", "delivered": "at warehouse",
          "returned": "at warehouse"}


def scanned_at(event):
    return datetime.fromtimestamp(event["ts"], UTC).isoformat()


def decode_event(line):
    event = json.loads(line)
    tracking = event["tracking"]
    return {"tracking": tracking, "status": STATUS[event["status"]], "at": scanned_at(event)}


def import_feed(text):
    return [decode_event(line) for line in text.splitlines() if line.strip()]
