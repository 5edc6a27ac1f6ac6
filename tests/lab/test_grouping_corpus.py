"""The grouping corpus (lab/generate/corpus): real SDK events, deterministic, honest splits; and the
rules tuned on it: hard negatives stay apart with the real model."""

from __future__ import annotations

import pytest

from grouping import rules
from lab.generate import corpus
from lab.generate.corpus import java, pyapps, pycapture
from lab.generate.corpus.families import BY_NAME
from training import metrics as evaluation


@pytest.fixture(scope="module")
def small():
    """The small corpus (seed 3), generated once and cached under var/corpus/."""
    return corpus.ensure(seed=3, small=True)


def test_small_corpus_has_every_platform_split_and_real_sdk(small):
    platforms = {row["platform"] for row in small}
    assert platforms == {"python", "javascript", "java"}
    assert {row["split"] for row in small} == set(corpus.SPLITS)
    sdks = {row["event"]["sdk"]["name"] for row in small}
    assert {"sentry.python", "sentry.javascript.node"} <= sdks
    for app in {row["app"] for row in small}:
        releases = {row["event"]["release"] for row in small if row["app"] == app}
        assert len(releases) == 4, app


def test_splits_are_disjoint_by_bug_and_whole_apps_are_held_out(small):
    split_of_bug: dict[str, set[str]] = {}
    for row in small:
        split_of_bug.setdefault(row["bug"], set()).add(row["split"])
        assert (row["split"] == "heldout_app") == (row["app"] in corpus.HELDOUT_APPS)
    assert all(len(splits) == 1 for splits in split_of_bug.values())
    apps = {s: {r["app"] for r in small if r["split"] == s} for s in corpus.SPLITS}
    assert not apps["heldout_app"] & (apps["train"] | apps["validation"] | apps["test"])
    assert corpus.load(corpus.default_path(3, small=True), ("test",)) == [
        r for r in small if r["split"] == "test"
    ]


def test_generator_is_deterministic_by_seed(tmp_path):
    app = pyapps.build_app(pyapps.APPS[1], 3, 4)
    first = pycapture.capture_app(app, tmp_path / "a", 3, repeats=1)
    again = pycapture.capture_app(app, tmp_path / "b", 3, repeats=1)
    assert first == again and len(first) >= 4 * 4
    other = pycapture.capture_app(pyapps.build_app(pyapps.APPS[1], 4, 4), tmp_path / "c", 4, 1)
    assert first != other
    assert java.rows(3, small=True) == java.rows(3, small=True)


def test_the_faulting_line_changes_across_releases(small):
    """The variations are real: for most Python bugs the crash frame's code line is not the same
    in every release, and some events are chained."""
    lines: dict[str, set[str]] = {}
    for row in small:
        if row["platform"] != "python":
            continue
        root = row["event"]["exception"]["values"][0]
        crash = [f for f in root["stacktrace"]["frames"] if f.get("in_app")][-1]
        lines.setdefault(row["bug"], set()).add(crash["context_line"].strip())
    assert sum(len(v) > 1 for v in lines.values()) >= len(lines) // 2
    assert any(len(r["event"]["exception"]["values"]) > 1 for r in small)


def hard_negative_app() -> pyapps.App:
    """One function with two KeyErrors; one line raising four different errors; the same message
    (KeyError 'code') from two other sites."""
    spec = pyapps.AppSpec("hardneg", "hardneg", "cli", ("orders", "billing"), ("x",),
                          ("cmd", "cron"))
    step = pyapps.Step
    functions = [
        pyapps.Function("orders", "price_total", [
            step(BY_NAME["key"], "price", ["price"]),
            step(BY_NAME["key"], "currency", ["currency"])], entries=2),
        pyapps.Function("orders", "split_boxes", [
            step(BY_NAME["ratio"], "boxes", ["r.key", "r.value", "r.zero", "r.type"])], entries=1),
        pyapps.Function("billing", "read_plan", [
            step(BY_NAME["nested_key"], "plan", ["plan.code"])], entries=1),
        pyapps.Function("orders", "read_coupon", [
            step(BY_NAME["nested_key"], "coupon", ["coupon.code"])], entries=1),
    ]
    return pyapps.App(spec, functions)


@pytest.mark.django_db
def test_hard_negatives_stay_apart_and_edited_lines_join_with_the_real_model(tmp_path):
    from embeddings.encoder import get_encoder

    rows = pycapture.capture_app(hard_negative_app(), tmp_path, 5, repeats=1)
    data = evaluation.prepare(rows, rules.CURRENT)
    vectors = get_encoder().encode(data.texts)
    clusters = evaluation.simulate_ml(data, vectors, rules.CURRENT.thresholds,
                                      conflict=rules.CURRENT.conflict_thresholds or None)
    bugs_of: dict[int, set[str]] = {}
    for cluster, label in zip(clusters, data.labels, strict=True):
        bugs_of.setdefault(cluster, set()).add(label)
    assert all(len(bugs) == 1 for bugs in bugs_of.values()), bugs_of  # no wrong merge
    scores = evaluation.score(data.labels, clusters)
    fingerprint = evaluation.score(data.labels, data.hashes)
    assert scores.issues < fingerprint.issues  # edited, moved and rewrapped variants joined


def test_candidate_key_ignores_the_code_line():
    from tests.helpers.events import exc

    def crash(context, function="plan_of"):
        return exc([{"module": "users", "function": function, "in_app": True,
                     "context_line": context}], "KeyError", "'u-1'")

    edited = crash("plan = USERS[username]['plan']  # cached")
    assert clean_key(crash("return USERS[name]['plan']")) == clean_key(edited)
    assert clean_key(crash("x")) != clean_key(crash("x", function="limits_of"))


def clean_key(event):
    from grouping.clean import match_key

    return match_key(event, "function")


@pytest.mark.django_db
def test_no_wrong_merge_among_the_real_sdk_payloads():
    """Each real payload is its own bug: with the current rules none joins another."""
    from embeddings.encoder import get_encoder
    from tests.helpers.sdk_payloads import STORE_EVENTS, require_corpus, store_event

    require_corpus()
    rows = [{"bug": name, "event": store_event(name)} for name in STORE_EVENTS]
    data = evaluation.prepare(rows, rules.CURRENT)
    clusters = evaluation.simulate_ml(data, get_encoder().encode(data.texts),
                                      rules.CURRENT.thresholds,
                                      conflict=rules.CURRENT.conflict_thresholds or None)
    assert evaluation.score(data.labels, clusters).pairwise_precision == 1.0
