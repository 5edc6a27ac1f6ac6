"""The `names` minified gate (grouping.policy.MINIFIED_KEYS): minified browser JavaScript without
a source map keyed on the exception type and the function names the minifier kept, which a new
build, the SDK's wrappers and the entry point leave alone; and a gate that joins by its key
alone (MinifiedGate.join), as lab.select tries it and training.metrics.simulate_ml and the
decision step read it."""

from __future__ import annotations

import numpy as np

from grouping.clean import kept_function_names
from grouping.policy import JOIN, MINIFIED_GATE, MinifiedGate, minified_key, replay_policy
from lab.select import GATE, split_gate
from training import metrics
from training.evaluate import keyed

ORIGIN = "http://planner.example.com/assets/"


def frame(function: str, bundle: str = "app.RBW7TDIM.js", line: int = 16) -> dict:
    return {"filename": ORIGIN + bundle, "function": function, "lineno": line,
            "colno": 10_000 + line, "in_app": True}


def event(frames: list[dict], value: str = "You passed undefined",
          exc_type: str = "Error") -> dict:
    return {"platform": "javascript", "exception": {"values": [{
        "type": exc_type, "value": value, "stacktrace": {"frames": frames}}]}}


def build_one() -> dict:
    """A fault in `cards/renderCard`, called directly, one build."""
    return event([frame("?"), frame("Object.Cf [as cards/renderCard]"), frame("Us.t.compile"),
                  frame("Object.zc [as compile]", line=10)])


def build_two() -> dict:
    """The same fault after a rebuild (new bundle hash, new mangled names, columns) reached
    from a click handler the SDK wrapped, with a helper inlined twice."""
    bundle = "app.LDQQEOYR.js"
    return event([frame("HTMLButtonElement.r", "sentry.KNLZRPDP.js", 498),
                  frame("HTMLButtonElement.<anonymous>", bundle),
                  frame("Object.Qa [as cards/renderCard]", bundle),
                  frame("Xe.n.compile", bundle), frame("Xe.n.compile", bundle),
                  frame("Object.bu [as compile]", bundle, 11)], value="You passed null")


def other_function() -> dict:
    """Another application function failing in the same library call."""
    return event([frame("Object.Cf [as cards/renderStrictCard]"), frame("Us.t.compile"),
                  frame("Object.zc [as compile]", line=10)])


def normalized(raw: dict) -> dict:
    from ingest.normalize import normalize_event

    return normalize_event(raw, 1_700_000_000.0, "0" * 32)


def test_kept_function_names_survive_a_rebuild_and_the_entry_point():
    one, two = normalized(build_one()), normalized(build_two())
    assert kept_function_names(one) == ["cards/renderCard", "compile"]
    assert kept_function_names(two) == kept_function_names(one)
    assert kept_function_names(normalized(other_function())) != kept_function_names(one)


def test_the_names_key_parts_functions_and_types_not_builds():
    one, two = normalized(build_one()), normalized(build_two())
    key = minified_key(one, "names", "faultline-fp-2")
    assert key == minified_key(two, "names", "faultline-fp-2")
    assert key != minified_key(normalized(other_function()), "names", "faultline-fp-2")
    retyped = normalized(event(build_one()["exception"]["values"][0]["stacktrace"]["frames"],
                               exc_type="TypeError"))
    assert key != minified_key(retyped, "names", "faultline-fp-2")
    # fingerprinting alone splits the two builds: the entry point and the message differ
    assert (minified_key(one, "fingerprint", "faultline-fp-2")
            != minified_key(two, "fingerprint", "faultline-fp-2"))


def test_a_joining_gate_reads_no_distance_for_minified_events_only():
    joining = replay_policy(0.02, minified=MinifiedGate("names", "", join=True))
    # a hand-written Node stack (columns a person writes; a Node bundle's are gated too)
    node = {**build_one(), "platform": "node"}
    for frame_ in node["exception"]["values"][0]["stacktrace"]["frames"]:
        frame_["colno"] = 12
    minified, node = normalized(build_one()), normalized(node)
    assert joining.event_threshold(minified, "javascript") == JOIN
    assert joining.event_conflict_threshold(minified, "javascript") == JOIN
    assert joining.event_threshold(node, "javascript") == 0.02
    by_distance = replay_policy(0.02, minified=MinifiedGate("names", ""))
    assert by_distance.event_threshold(minified, "javascript") == 0.02
    assert replay_policy(0.02).minified == MINIFIED_GATE


def test_simulated_decisions_join_two_builds_only_under_a_joining_names_gate():
    rows = [{"event": build_one(), "bug": "renderCard"},
            {"event": build_two(), "bug": "renderCard"},
            {"event": other_function(), "bug": "renderStrictCard"}]
    data = metrics.prepare(rows)
    assert len(set(data.hashes)) == 3
    vectors = np.eye(3, dtype=np.float32)  # every pair 1.0 apart: only a key alone joins
    fingerprint = MinifiedGate("fingerprint", "")
    alone = metrics.simulate_ml(keyed(data, {"default": "function"}, fingerprint), vectors, 0.02,
                                minified=fingerprint)
    assert len(set(alone)) == 3
    for key, gate in (("function", MinifiedGate("names", "", join=True)),
                      split_gate(f"function{GATE}names+join")):
        joined = metrics.simulate_ml(keyed(data, {"default": key}, gate), vectors, 0.02,
                                     minified=gate)
        assert joined[0] == joined[1] != joined[2]
    distance_only = MinifiedGate("names", "")
    apart = metrics.simulate_ml(keyed(data, {"default": "function"}, distance_only), vectors,
                                0.02, minified=distance_only)
    assert len(set(apart)) == 3


def test_lab_select_names_its_gates():
    assert split_gate("function") == ("function", MINIFIED_GATE)
    rule, gate = split_gate(f"site+callee{GATE}path+template+join")
    assert rule == "site+callee" and gate.key == "path+template" and gate.join
    rule, gate = split_gate(f"function{GATE}names")
    assert gate.key == "names" and not gate.join
