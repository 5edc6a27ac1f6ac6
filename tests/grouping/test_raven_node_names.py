"""The legacy raven-node (2.x) names a callback V8 gives no receiver `null.<anonymous>` and an
async function's frame after an await `async main`, where @sentry/node sends `?` and `main`:
faultline-fp-6 reads raven-node's names as the current SDK sends them, so an application that
moves from raven to @sentry/node keeps its issues (tests/slow/test_raven_sdks.py measures it
end to end). Before, each such fault split on the upgrade."""

from __future__ import annotations

import pytest

from grouping.fingerprint import FP5, _group, current_sdk_name, earlier_hashes, group
from ingest.normalize import normalize_event

APP = "/srv/shop/app.js"
TOTAL = "return this.lines.reduce((sum, line) => sum + line.price.amount * line.quantity, 0);"


def frame(function: str, line: str) -> dict:
    return {"filename": APP, "abs_path": APP, "function": function, "lineno": 3, "colno": 9,
            "context_line": line, "post_context": [""], "in_app": True, "module": "app"}


def event(callback: str, caller: str) -> dict:
    """Order.total's TypeError after an await, as raven-node or @sentry/node sends it."""
    frames = [frame(caller, "await reprice(order);"),
              frame("reprice", "return checkout(order);"),
              frame("checkout", "return Math.round(order.total() * 100) / 100;"),
              frame("Order.total", TOTAL), frame(callback, TOTAL)]
    payload = {"platform": "node", "exception": [
        {"type": "TypeError", "value": "Cannot read properties of undefined (reading 'amount')",
         "stacktrace": {"frames": frames}}]}
    return normalize_event(payload, 1_700_000_000.0, "0" * 32)


@pytest.mark.parametrize(("name", "platform", "read"), [
    ("null.<anonymous>", "node", "?"),
    ("async main", "node", "main"),
    ("async null.<anonymous>", "node", "?"),
    ("async Object.<anonymous>", "node", "Object.?"),
    ("null.<anonymous>", "javascript", "null.<anonymous>"),  # browsers: as sent
    ("async main", "javascript", "async main"),
    ("asyncMain", "node", "asyncMain"),
    ("main", "node", "main"),
])
def test_raven_node_names_are_read_as_the_current_sdk_sends_them(name, platform, read):
    assert current_sdk_name(name, platform) == read


def test_one_fault_is_one_fingerprint_from_raven_node_and_sentry_node():
    raven, sentry = event("null.<anonymous>", "async main"), event("?", "main")
    assert group(raven).hash == group(sentry).hash
    assert "frame:app.js|main|await reprice(order);" in group(raven).components


def test_a_raven_node_event_keeps_its_faultline_fp_5_hash_as_its_previous_one():
    raven = event("null.<anonymous>", "async main")
    grouping = group(raven)
    assert earlier_hashes(raven, grouping.config, grouping.hash)[0] == _group(raven, FP5).hash
