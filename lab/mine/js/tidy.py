"""What makes a captured event machine-independent and reproducible: the build folders become
the deployed paths (`/srv/<codebase>/...`, one `node_modules` whatever the version), loopback
ports become the service's host, the miner's harness frames, trigger tag and its HTTP client's
trace headers go, and the keys that
only say when and on which machine it ran are dropped (as evaluation/corpus/jscapture does)."""

from __future__ import annotations

import json
import re

# Trace propagation the miner's own HTTP client added to its requests (random per run).
CLIENT_HEADERS = ("baggage", "sentry-trace")
VOLATILE = ("contexts", "breadcrumbs", "extra", "modules", "timestamp", "start_timestamp",
            "event_id", "sdkProcessingMetadata")


def tidy(event: dict, replacements: list[tuple[str, str]], harness: str, host: str) -> dict:
    for key in VOLATILE:
        event.pop(key, None)
    headers = (event.get("request") or {}).get("headers") or {}
    for name in CLIENT_HEADERS:
        headers.pop(name, None)
    tags = event.get("tags") or {}
    tags.pop("mine_trigger", None)
    if not tags:
        event.pop("tags", None)
    text = json.dumps(event)
    for old, new in replacements:
        text = text.replace(old, new)
    text = re.sub(r"127\.0\.0\.1(:\d+)?", host, text)
    event = json.loads(text)
    for exc in (event.get("exception") or {}).get("values", []):
        trace = exc.get("stacktrace") or {}
        if "frames" in trace:
            trace["frames"] = [f for f in trace["frames"]
                               if not str(f.get("filename", "")).startswith(harness)]
    return event
