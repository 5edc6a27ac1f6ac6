"""What makes a captured event machine-independent and reproducible: the build folders become
the deployed paths (`/srv/<codebase>/...`, one `node_modules` whatever the version), loopback
ports become the service's host, the miner's harness frames, trigger tag and its HTTP client's
trace headers go, the frames of a race in Node's scheduling go (`race_frames`), and the keys
that only say when and on which machine it ran are dropped (as evaluation/corpus/jscapture
does)."""

from __future__ import annotations

import json
import re

# Trace propagation the miner's own HTTP client added to its requests (random per run).
CLIENT_HEADERS = ("baggage", "sentry-trace")
VOLATILE = ("contexts", "breadcrumbs", "extra", "modules", "timestamp", "start_timestamp",
            "event_id", "sdkProcessingMetadata")


# Where Node drains the microtasks after a timer callback is a race: inside the timer loop when
# another timer is due (the stack then gains these two frames), after it when none is.
RACE_FRAMES = (("node:internal/timers", "process.processTimers"),
               ("node:internal/process/task_queues", "runNextTicks"))


def race_frames(frames: list[dict]) -> list[dict]:
    """The frames without the timer loop's microtask drain, so that a second capture of the same
    trigger sends the same stack whichever way the race went."""
    pair = [{"filename": name, "function": function} for name, function in RACE_FRAMES]
    for start in range(len(frames) - 1):
        found = [{k: f.get(k) for k in ("filename", "function")} for f in frames[start:start + 2]]
        if found == pair:
            return frames[:start] + frames[start + 2:]
    return frames


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
            trace["frames"] = race_frames([f for f in trace["frames"]
                                           if not str(f.get("filename", "")).startswith(harness)])
    return event
