"""Node events have their own family's rule: from a manifest that chose one for Node and one for
browser JavaScript, each event is served its own family's key rule, threshold, conflict
threshold and text shape, through the policy production builds from a model's manifest
(grouping.policy.of_model), the evaluation replays (training.metrics.simulate_ml) and lab's
reading of a manifest (lab.never_seen); a manifest that names no "node" serves Node the
JavaScript rule, as every manifest did before the split. The training groups do not move."""

from __future__ import annotations

import copy

import pytest

from grouping.policy import GroupingPolicy, frames_of, of_model, shaped, shapes_of
from grouping.rules import Rules
from lab.never_seen import rule_for, shape_for
from tests.helpers.events import normalize

BOTH = {
    "key_rules": {"default": "function", "javascript": "site+callee", "node": "names"},
    "thresholds": {"default": 0.02, "javascript": 0.02, "node": 0.06},
    "conflict_thresholds": {"default": 2.0, "javascript": 0.0, "node": 2.0},
    "frames": {"default": 1, "javascript": 6, "node": 2},
    "lines": {"javascript": "operations", "node": "raw"},
    "messages": {"javascript": "raw", "node": "template"},
}
JAVASCRIPT_ONLY = {table: {f: v for f, v in rows.items() if f != "node"}
                   for table, rows in BOTH.items()}
BASE = Rules(frames={"default": 4}, context="crash", line="normalized", message="type",
             thresholds={"default": 0.3}, key="type")


def crash(platform: str) -> dict:
    """One fault of an application's own code, three frames deep, from `platform`'s SDK."""
    frames = [{"filename": f"src/{name}.js", "function": name, "lineno": line, "in_app": True,
               "context_line": f"return {name}(order.total, 'EUR')"}
              for name, line in (("handler", 10), ("checkout", 20), ("applyCoupon", 30))]
    return normalize({"platform": platform, "exception": {"values": [{
        "type": "TypeError", "value": "Cannot read properties of undefined (reading 'rate')",
        "stacktrace": {"frames": frames}}]}})


def served(choices: dict) -> GroupingPolicy:
    """The policy of a model whose manifest made `choices`, built as grouping.policy.of_model
    builds it (tables from the model's row, the text shape from its manifest)."""
    return GroupingPolicy(rules=shaped(BASE, frames_of(choices), shapes_of(choices)),
                          thresholds=choices["thresholds"],
                          conflict_thresholds=choices["conflict_thresholds"],
                          key_rules=choices["key_rules"])


def rule_of(policy: GroupingPolicy, family: str) -> tuple:
    rules = policy.rules
    return (policy.key_rule(family), policy.threshold(family), policy.conflict_threshold(family),
            rules.frames_for(family), rules.line_for(family), rules.message_for(family))


def lab_rule_of(choices: dict, family: str) -> tuple:
    """The same read as lab reads a manifest (lab.never_seen.load_rules' shape)."""
    rules = {"thresholds": choices["thresholds"], "keys": choices["key_rules"],
             "conflicts": choices["conflict_thresholds"], "frames": choices["frames"],
             "lines": choices["lines"], "messages": choices["messages"]}
    key, veto, threshold = rule_for(rules, family)
    return (key, threshold, 0.0 if veto else threshold, *shape_for(rules, family, BASE))


NODE = ("names", 0.06, 0.06, 2, "raw", "template")
BROWSER = ("site+callee", 0.02, 0.0, 6, "operations", "raw")


def test_a_node_and_a_browser_event_are_served_their_own_familys_rule():
    policy = served(BOTH)
    node, browser = crash("node"), crash("javascript")
    assert rule_of(policy, policy.family(node["platform"])) == NODE
    assert rule_of(policy, policy.family(browser["platform"])) == BROWSER
    assert policy.rule_for_event(node).key == "names"
    assert policy.rule_for_event(browser).key == "site+callee"
    assert policy.key(node) != policy.key(browser)  # each keyed by its own rule
    assert policy.text(node) != policy.text(browser)  # and written in its own shape


def test_a_manifest_without_node_serves_node_the_javascript_rule():
    policy = served(JAVASCRIPT_ONLY)
    node, browser = crash("node"), crash("javascript")
    family = policy.family(node["platform"])
    assert rule_of(policy, family) == BROWSER == rule_of(policy, "javascript")
    assert policy.key(node) == policy.key(browser)
    assert policy.text(node) == policy.text(browser)
    assert policy.source(family) == policy.source("javascript")


@pytest.mark.parametrize("choices", [BOTH, JAVASCRIPT_ONLY], ids=["both", "javascript-only"])
def test_lab_reads_a_manifest_as_production_serves_it(choices):
    policy = served(choices)
    for family in ("node", "javascript", "go"):
        assert lab_rule_of(choices, family) == rule_of(policy, family), family


@pytest.mark.django_db
@pytest.mark.parametrize("choices", [BOTH, JAVASCRIPT_ONLY], ids=["both", "javascript-only"])
def test_the_served_policy_of_a_models_manifest_reads_nodes_own_rule(choices):
    """Through the registry's rows: the model's thresholds and key rules on its row, its text
    shape in its TrainedModel's manifest, as embeddings.registry.shipped registers them."""
    from embeddings.models import EmbeddingModel
    from training.models import TrainedModel

    row = EmbeddingModel.objects.create(
        name="node-split", version=f"node-split-{len(choices['frames'])}", dimension=8,
        path="/nonexistent", thresholds=choices["thresholds"], key_rules=choices["key_rules"],
        conflict_thresholds=choices["conflict_thresholds"])
    TrainedModel.objects.create(name="node-split", embedding_model=row, path="/nonexistent",
                                manifest={"choices": copy.deepcopy(choices)})
    policy = of_model(EmbeddingModel.objects.get(pk=row.pk), BASE)
    node = rule_of(policy, policy.family("node"))
    assert node == (NODE if "node" in choices["key_rules"] else BROWSER)
    assert rule_of(policy, policy.family("javascript")) == BROWSER


def test_the_replay_decides_node_by_nodes_threshold():
    """training.metrics.simulate_ml reads a family's limits as production does: two Node events
    0.04 apart join under Node's 0.06 and stay apart under JavaScript's 0.02 (a manifest
    without "node"); two browser events the same distance apart stay apart under both."""
    import numpy as np

    from training.metrics import Dataset, simulate_ml

    def issues(platform: str, choices: dict) -> int:
        events = [crash(platform), crash(platform)]
        vectors = np.array([[1.0, 0.0], [0.96, np.sqrt(1 - 0.96 ** 2)]], dtype=np.float32)
        data = Dataset(labels=["a", "a"], events=events, hashes=["h1", "h2"],
                       eligible=[True, True], texts=["t", "t"],
                       families=[GroupingPolicy(BASE, 0.0).family(platform)] * 2,
                       keys=["k", "k"])
        return len(set(simulate_ml(data, vectors, choices["thresholds"],
                                   conflict=choices["conflict_thresholds"])))

    assert issues("node", BOTH) == 1 and issues("node", JAVASCRIPT_ONLY) == 2
    assert issues("javascript", BOTH) == 2 == issues("javascript", JAVASCRIPT_ONLY)


def test_node_codebases_train_and_choose_with_the_javascript_ones_as_before():
    """The split moves no codebase between training and choice: Node's mined codebases are
    ranked with the browser ones, as when the shipped model was trained."""
    from training import mined

    assert mined.codebase_of("lab/corpus/node-apigate.jsonl.zst") == ("javascript", "apigate")
    assert mined.codebase_of("lab/corpus/javascript-planner-web.jsonl.zst") == (
        "javascript", "planner-web")


@pytest.mark.django_db
def test_a_fresh_database_serves_a_node_project_the_shipped_manifests_node_rule():
    """What a fresh `make run` serves: the shipped model's manifest, read through the registry,
    gives a Node project's events the manifest's Node entries where it has them (else its
    JavaScript ones), and a browser project's the JavaScript ones."""
    from embeddings import shipped
    from grouping.policy import policy_for
    from monitor.models import Project

    choices = shipped.load().choices

    def manifest_rule(family: str) -> tuple:
        def of(table: str):
            rows = choices[table]
            return rows.get(family, rows["javascript"])

        return (of("key_rules"), of("thresholds"), min(of("thresholds"),
                of("conflict_thresholds")), of("frames"), of("lines"), of("messages"))

    for platform in ("node", "javascript"):
        policy = policy_for(None).for_project(Project(platform=platform), adapted={})
        assert rule_of(policy, policy.family(None)) == manifest_rule(platform), platform
