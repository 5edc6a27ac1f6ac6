"""The `values` minified gate's key (grouping.policy.MINIFIED_KEYS), and the served minified gate
(grouping.policy.MINIFIED_GATE, joining by its key alone) through the real processing stage, the
shipped model and pgvector: one stack of a minified bundle without a map that fails on
`undefined` in one event and on `null` in the next is one issue (fingerprinting alone made two),
and a stack that reads another property (`'slice'` against `'map'`, at another column) stays
its own issue."""

import pytest

from grouping.clean import js_values_out, minified_unresolved
from grouping.fingerprint import group
from grouping.policy import MINIFIED_GATE, minified_key
from ingest.normalize import normalize_event
from monitor.models import GroupHash, Issue
from tests.helpers.events import decide, ingest

BUNDLE = "https://planner.example/assets/app.RBW7TDIM.js"


def browser_event(value: str) -> dict:
    crash = 12_351 if "'map'" in value else 12_343  # another property: another expression
    frames = [{"filename": BUNDLE, "function": name, "lineno": 16, "colno": column,
               "in_app": True}
              for name, column in (("HTMLButtonElement.<anonymous>", 9_001),
                                   ("Object.Cf [as times/arrivalTime]", 11_011), ("t", crash))]
    return {"platform": "javascript", "exception": {"values": [{
        "type": "TypeError", "value": value, "stacktrace": {"frames": frames}}]}}


NULL_SLICE = "Cannot read properties of null (reading 'slice')"
UNDEFINED_SLICE = "Cannot read properties of undefined (reading 'slice')"
NULL_MAP = "Cannot read properties of null (reading 'map')"


def normalized(payload: dict) -> dict:
    return normalize_event(payload, 1_700_000_000.0, "0" * 32)


def test_the_values_key_drops_printed_values_and_keeps_quoted_names():
    assert MINIFIED_GATE.join
    assert js_values_out("You passed [object Object]") == js_values_out("You passed false")
    assert js_values_out(NULL_SLICE) == js_values_out(UNDEFINED_SLICE) != js_values_out(NULL_MAP)
    slice_null, slice_undefined, map_null = (normalized(browser_event(value))
                                             for value in (NULL_SLICE, UNDEFINED_SLICE, NULL_MAP))
    assert all(minified_unresolved(e) for e in (slice_null, slice_undefined, map_null))
    assert group(slice_null).hash != group(slice_undefined).hash  # the message is in the hash
    keys = [minified_key(e, "values", "faultline-fp-2")
            for e in (slice_null, slice_undefined, map_null)]
    assert keys[0] == keys[1] != keys[2]


@pytest.mark.django_db
def test_one_stack_failing_on_null_and_on_undefined_is_one_issue(project, no_breaker):
    for value in (NULL_SLICE, UNDEFINED_SLICE, NULL_MAP):
        ingest(project, browser_event(value))
        decide()
    assert GroupHash.objects.count() == 3  # three fingerprints
    slice_issue, map_issue = (Issue.objects.get(hashes__hash=group(normalized(
        browser_event(value))).hash) for value in (UNDEFINED_SLICE, NULL_MAP))
    assert Issue.objects.count() == 2 and slice_issue != map_issue
    assert slice_issue.times_seen == 2
    joined = GroupHash.objects.get(hash=group(normalized(browser_event(UNDEFINED_SLICE))).hash)
    assert joined.decided_by == GroupHash.DecidedBy.ML
    assert joined.ml_rule == MINIFIED_GATE.source
