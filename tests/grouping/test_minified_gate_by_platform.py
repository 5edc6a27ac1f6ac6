"""The served minified gate keys each platform's bundles by the key its own codebases chose
(grouping.policy.PLATFORM_GATE_KEYS): a browser bundle by its values, so one place reading two
properties (`'slice'`, `'map'`) is two issues; a Node bundle by its places, so one place failing
on two messages is one issue. Through the real processing stage, the shipped model and pgvector."""

import pytest

from grouping.policy import MINIFIED_GATE, gate_key, policy_for
from monitor.models import GroupHash, Issue
from tests.grouping.test_minified_values_gate import BUNDLE, normalized
from tests.grouping.test_node_bundle_gate import BUNDLED, node_event
from tests.helpers.events import decide, ingest

pytestmark = pytest.mark.django_db
SLICE = "Cannot read properties of null (reading 'slice')"
MAP = "Cannot read properties of null (reading 'map')"


def browser_at_one_place(value: str) -> dict:
    frames = [{"filename": BUNDLE, "function": name, "lineno": 16, "colno": column,
               "in_app": True}
              for name, column in (("HTMLButtonElement.<anonymous>", 9_001), ("t", 12_343))]
    return {"platform": "javascript", "exception": {"values": [{
        "type": "TypeError", "value": value, "stacktrace": {"frames": frames}}]}}


def node_saying(value: str) -> dict:
    event = node_event(BUNDLED)
    event["exception"]["values"][0]["value"] = value
    return event


def test_the_served_gate_keys_each_platform_by_its_own_choice(project, no_breaker):
    assert MINIFIED_GATE.key == "by-platform" and MINIFIED_GATE.join
    assert gate_key(MINIFIED_GATE.key, normalized(browser_at_one_place(SLICE))) == "values"
    assert gate_key(MINIFIED_GATE.key, normalized(node_saying(SLICE))) == "places"
    for value in (SLICE, MAP):
        ingest(project, browser_at_one_place(value))
        decide()
    assert Issue.objects.count() == 2  # another property read: another fault
    for value in (SLICE, MAP):
        ingest(project, node_saying(value))
        decide()
    assert Issue.objects.count() == 3  # one place of the Node bundle: one fault
    joined = GroupHash.objects.get(decided_by=GroupHash.DecidedBy.ML)
    assert joined.ml_rule == MINIFIED_GATE.source
    rule = policy_for(project).rule_for_event(normalized(node_saying(MAP)))
    assert rule.key == "minified:places+join"
