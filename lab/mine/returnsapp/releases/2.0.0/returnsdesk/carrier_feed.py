"""The carriers' tracking feed: one JSON object per line."""

import json

STATUS = {"picked_up": "in transit", "in_transit": "in transit", "delivered": "at warehouse",
          "returned": "at warehouse"}


def parse_line(line):
    event = json.loads(line)
    return {"tracking": event["tracking"], "status": STATUS[event["status"]]}


def import_feed(text):
    return [parse_line(line) for line in text.splitlines() if line.strip()]
