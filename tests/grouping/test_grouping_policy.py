"""The grouping policy (grouping.policy): where each threshold, key rule and the fingerprint
configuration come from, once; pure, no database."""

import pytest

from embeddings.models import EmbeddingModel
from grouping import rules
from grouping.fingerprint import CONFIGURATIONS, DEFAULT_CONFIG, group
from grouping.policy import limit_for, of_model, replay_policy
from monitor.models import Project
from tests.helpers.events import event


def model(**chosen) -> EmbeddingModel:
    return EmbeddingModel(name="m", version="v" * 12, dimension=384, path="/m", **chosen)


def test_the_project_threshold_then_the_models_then_the_rules():
    stock = of_model(model())
    assert stock.threshold("javascript") == rules.CURRENT.threshold("javascript")
    assert stock.threshold("elixir") == rules.CURRENT.thresholds["default"]
    trained = of_model(model(thresholds={"python": 0.3, "default": 0.2}))
    assert trained.threshold("python") == 0.3 and trained.threshold("java") == 0.2
    # a model's thresholds without a default take the rules' default, not a literal
    partial = of_model(model(thresholds={"python": 0.3}))
    assert partial.threshold("java") == rules.CURRENT.thresholds["default"]
    project = Project(grouping_threshold=0.5, platform="javascript")
    adjusted = trained.for_project(project)
    assert adjusted.threshold("python") == 0.5 and adjusted.family(None) == "javascript"


def test_conflict_thresholds_are_the_models_own_and_never_looser_than_the_threshold():
    chose = of_model(model(thresholds={"default": 0.2}))  # trained before conflicts: no veto
    assert chose.conflict_threshold("python") == 0.2
    vetoes = of_model(model(thresholds={"default": 0.2}, conflict_thresholds={"python": 0.05}))
    assert vetoes.conflict_threshold("python") == 0.05 and vetoes.conflict_threshold("go") == 0.2
    loose = vetoes.for_project(Project(grouping_threshold=0.01))
    assert loose.conflict_threshold("python") == 0.01
    stock = of_model(model())
    expected = limit_for(rules.CURRENT.conflict_thresholds, "python")
    threshold = rules.CURRENT.threshold("python")
    assert stock.conflict_threshold("python") == (threshold if expected is None
                                                  else min(threshold, expected))


def test_key_rules_are_the_models_over_the_rules():
    payload = {**event(), "platform": "python"}
    from ingest.normalize import normalize_event

    normalized = normalize_event(payload, 1.0, "0" * 32)
    assert of_model(model(key_rules={"python": "type"})).key(normalized) == "ZeroDivisionError"
    assert of_model(model()).key_rule("python") == rules.CURRENT.key_for("python")
    assert replay_policy(0.1).threshold("anything") == 0.1
    assert replay_policy({"python": 0.1}).threshold("java") == 0.0  # no default: none joins


def test_the_fingerprint_configuration_is_named_and_an_unknown_one_is_refused():
    from ingest.normalize import normalize_event

    normalized = normalize_event(event(), 1.0, "0" * 32)
    grouping = group(normalized)
    assert grouping.config == DEFAULT_CONFIG == "faultline-fp-6"
    earlier = {"faultline-fp-1", "faultline-fp-2", "faultline-fp-3", "faultline-fp-5"}
    assert earlier <= set(CONFIGURATIONS)  # earlier hashes stay
    assert DEFAULT_CONFIG in CONFIGURATIONS
    assert group(normalized, DEFAULT_CONFIG) == grouping
    with pytest.raises(ValueError, match="unknown fingerprint configuration"):
        group(normalized, "faultline-fp-0")


def test_the_policy_names_the_rule_that_decides_each_family():
    trained = of_model(model(thresholds={"python": 0.3}, key_rules={"python": "type"}))
    python = trained.rule_for("python")
    assert (python.threshold, python.key) == (0.3, "type")
    assert python.source == "m@vvvvvvvvvvvv: python chosen with the model"
    # a family the model did not choose for takes the rules' fallback, and says so
    assert trained.rule_for("php").source == rules.CURRENT.source_for("default")
    assert trained.rule_for("php").threshold == rules.CURRENT.thresholds["default"]
    stock = of_model(model())
    for family in ("python", "php"):
        assert stock.rule_for(family).source == rules.CURRENT.source_for(family)
    admin = stock.for_project(Project(grouping_threshold=0.25))
    assert admin.rule_for("python").source == "project: threshold 0.25 set by an admin"
