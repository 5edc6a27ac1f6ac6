"""Rules chosen leaving whole codebases out (lab/select.py): the rule that holds on every
left-out codebase beats the one that wins on average; a family without codebases takes the
fallback, which the policy and the issue page name. Real events, cleaning and keys; the vectors
are placed by hand so that the distances are known (the model is not what is tested here)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from grouping import rules
from grouping.policy import of_model
from lab import select
from monitor.models import Issue, Project
from tests.helpers.clients import member  # noqa: F401 - a fixture
from tests.helpers.events import event, ingest
from training import metrics


def python_event(exc_type: str, crash_function: str, caller: str) -> dict:
    frame = lambda function, line: {  # noqa: E731
        "function": function, "module": "app.core", "filename": "app/core.py",
        "abs_path": "/srv/app/core.py", "lineno": 10, "context_line": line, "in_app": True}
    return {"platform": "python", "exception": {"values": [{
        "type": exc_type, "value": "it failed", "stacktrace": {"frames": [
            frame(caller, f"return {crash_function}(data)"),
            frame(crash_function, "raise Failure(data)")]}}]}}


def codebase(name: str, planes: list[list[tuple[str, str, str, float, int]]]
             ) -> select.Codebase:
    """Each plane: groups of events (bug, type, crash function, cosine distance from the
    plane's first direction, how many events, each from its own caller); every plane is
    orthogonal to the others (distance 1)."""
    rows, vectors = [], []
    for n, plane in enumerate(planes):
        for bug, exc_type, function, distance, count in plane:
            theta = math.acos(1.0 - distance)
            for _ in range(count):
                rows.append({"bug": f"{name}/{bug}", "event": python_event(
                    exc_type, function, f"caller_{len(rows)}")})
                vector = np.zeros(2 * len(planes), dtype=np.float32)
                vector[2 * n], vector[2 * n + 1] = math.cos(theta), math.sin(theta)
                vectors.append(vector)
    data = metrics.prepare(rows, rules.CURRENT, scope=name)
    assert len(set(data.hashes)) == len(rows)  # every event a new fingerprint: ML decides
    return select.Codebase(name, "python", data, np.stack(vectors), False)


# In every codebase one bug's events crash in two functions (a helper extracted: only the type
# key lets them meet), another bug is reached by two callers and two bugs are far apart; in
# "trap" alone, two different bugs of one type in two functions lie closer than the helper's
# two halves: the type key merges them there, and only there.
MOVED = [("moved", "ValueError", "mean", 0.0, 4), ("moved", "ValueError", "average", 0.055, 4)]
PATHS = [("paths", "TypeError", "parse", 0.0, 1), ("paths", "TypeError", "parse", 0.035, 1)]


def ordinary(name: str) -> select.Codebase:
    return codebase(name, [MOVED, PATHS, [("lone", "OSError", "read", 0.0, 1),
                                          ("lone2", "OSError", "write", 0.30, 1)]])


def trap() -> select.Codebase:
    return codebase("trap", [MOVED, PATHS, [("load-a", "KeyError", "load_a", 0.0, 1),
                                            ("load-b", "KeyError", "load_b", 0.025, 1)]])


RULES = [select.Candidate("function", False, 0.98), select.Candidate("type", False, 0.98)]
GRID = [0.02, 0.04, 0.06, 0.08]


def today(family: str) -> tuple[str, float]:
    return "function", 0.02


def test_the_rule_that_holds_on_every_left_out_codebase_beats_the_best_on_average():
    codebases = [ordinary("a"), ordinary("b"), ordinary("c"), trap()]
    runs = select.Runs()
    by_rule = {v.candidate.key: v for v in
               (select.leave_one_out(runs, codebases, r, GRID) for r in RULES)}
    typed, function = by_rule["type"], by_rule["function"]
    # the type key wins on average (it joins the extracted helper) but merges the trap's twins
    assert typed.median_f1 > function.median_f1
    assert typed.worst_precision < select.TARGET_PRECISION <= function.worst_precision
    assert select.pick([typed, function]) is function
    trap_fold = next(f for f in typed.folds if f.left_out == "trap")
    assert trap_fold.threshold >= 0.04 and trap_fold.score.precision < 1.0
    chosen = select.select(runs, codebases, RULES, today, GRID)
    assert chosen.chosen["python"].candidate.key == "function"
    # pooled on every codebase, the type key's choice looks fine: what LOCO saw through
    pooled = runs.score(codebases, "type", False, select.choose_threshold(
        runs, codebases, RULES[1], GRID))
    assert pooled.precision >= select.TARGET_PRECISION


def test_ties_go_to_the_smaller_threshold_and_the_more_specific_rule():
    codebases = [ordinary("a"), ordinary("b")]
    runs = select.Runs()
    # "paths" joins at 0.04 under both rules; nothing more joins under it: 0.04 is chosen
    verdict = select.leave_one_out(runs, codebases, RULES[0], GRID)
    assert verdict.threshold == 0.04 and all(f.threshold == 0.04 for f in verdict.folds)
    same = select.Verdict(select.Candidate("type", False, 0.98), verdict.folds, 0.04)
    assert select.pick([same, verdict]) is verdict


def test_a_family_without_codebases_takes_the_fallback_and_the_policy_names_it():
    codebases = [ordinary("a"), ordinary("b"), ordinary("c")]
    runs = select.Runs()
    selection = select.select(runs, codebases, RULES, today, GRID)
    assert selection.fallback is not None
    assert select.no_worse(selection.fallback, selection.fallback_today)
    chosen = select.as_rules(selection, today, families=1)
    assert "php" not in chosen["thresholds"] and chosen["sources"]["default"].startswith(
        "fallback:")
    served = rules.Rules(key=chosen["key"], frames=2, context="crash",
                         thresholds=chosen["thresholds"],
                         conflict_thresholds=chosen["conflict_thresholds"],
                         sources=chosen["sources"], fallback=chosen["fallback"])
    policy = of_model(None, served)
    php = policy.rule_for("php")
    assert php.source == chosen["sources"]["default"] and php.threshold == \
        chosen["thresholds"]["default"] and php.key == chosen["key"]["default"]
    assert policy.rule_for("python").source.startswith("python: ")
    assert policy.for_project(Project(grouping_threshold=0.3)).rule_for("php").source \
        .startswith("project:")


def test_a_rule_worse_than_todays_default_is_not_a_fallback():
    codebases = [ordinary("a"), ordinary("b"), trap()]
    runs = select.Runs()
    today_rule = select.fixed(runs, codebases, select.Candidate("function", False, 1.0), 0.06)
    typed = select.leave_one_out(runs, codebases, RULES[1], GRID)
    assert not select.no_worse(typed, today_rule)


@pytest.mark.django_db
def test_the_issue_page_says_which_rule_decided_a_platform_without_codebases(project,
                                                                               member):  # noqa: F811
    project.platform = "php"
    project.save()
    ingest(project, {**event(), "platform": "php", "fingerprint": ["a"]})
    issue = Issue.objects.get()
    page = member.get(f"/{project.organization.slug}/{project.slug}/issues/{issue.id}/",
                      {"tab": "grouping"}).content.decode()
    source = rules.CURRENT.source_for("php")
    assert "php" not in rules.CURRENT.thresholds and source.startswith("fallback:")
    assert 'id="grouping-rule"' in page and source in page


def test_pooled_tallies_score_as_the_codebases_concatenated():
    codebases = [ordinary("a"), trap()]
    runs = select.Runs()
    pooled = runs.score(codebases, "type", False, 0.06)
    labels = [f"{c.name}|{x}" for c in codebases for x in c.data.labels]
    clusters = [(c.name, x) for c in codebases for x in runs.clusters(c, "type", False, 0.06)]
    expected = metrics.score(labels, clusters)
    assert (pooled.bugs, pooled.issues, pooled.precision, pooled.f1) == (
        expected.bugs, expected.issues, expected.pairwise_precision, expected.bcubed_f1)
    assert pooled.precision < 1.0 and pooled.bugs == 8
    # no two events share a fingerprint here: every pair together is one ML joined
    assert pooled.join_precision == pooled.precision


def test_merges_fingerprinting_made_do_not_count_against_the_rule():
    """Two faults with one stack share a fingerprint (real codebases have them): no threshold
    parts them, so the choice judges the pairs ML joins, not those fingerprinting did."""
    rows = [{"bug": f"fp/{bug}", "event": python_event("ValueError", "parse", "view")}
            for bug in ("one", "two")]
    rows += [{"bug": "fp/three", "event": python_event("TypeError", "load", f"caller_{n}")}
             for n in range(2)]
    data = metrics.prepare(rows, rules.CURRENT, scope="fp")
    assert data.hashes[0] == data.hashes[1] and data.hashes[2] != data.hashes[3]
    vectors = np.array([[1, 0], [1, 0], [0, 1], [0, 1]], dtype=np.float32)
    shared = select.Codebase("fp", "python", data, vectors, False)
    score = select.Runs().score([shared], "function", False, 0.04)
    assert score.precision < 0.98 and score.join_precision == 1.0


def test_a_familys_own_text_shape_reaches_its_texts():
    """The rules may give a family its own number of frames (chosen per family): a minified
    bundle's library frames alone do not say which application function called them."""
    from grouping.clean import clean_event
    from ingest.normalize import normalize_event

    frames = [{"function": name, "filename": "assets/app.js", "abs_path": "https://x/app.js",
               "lineno": 1, "colno": n, "in_app": True}
              for n, name in enumerate(["applyCoupon", "handler", "Big", "parse"])]
    payload = {"platform": "javascript", "exception": {"values": [{
        "type": "Error", "value": "[big.js] Invalid number", "stacktrace": {"frames": frames}}]}}
    event = normalize_event(payload, 1.0, "0" * 32)
    shaped = rules.Rules(frames={"javascript": 4, "default": 2}, context="crash")
    assert shaped.frames_for("javascript") == 4 and shaped.frames_for("go") == 2
    assert "applyCoupon" in clean_event(event, rules=shaped)
    assert "applyCoupon" not in clean_event(event, rules=rules.Rules(frames=2, context="crash"))


def test_the_previous_rule_stays_where_no_chosen_rule_beats_it():
    codebases = [ordinary("a"), ordinary("b"), trap()]
    runs = select.Runs()
    previous = lambda family: ("function", 0.04)  # noqa: E731
    selection = select.select(runs, codebases, [RULES[1]], previous, GRID)
    assert selection.chosen["python"].candidate.key == "type"  # the only one tried: fails trap
    merged = select.merge({2: selection}, 2)
    kept = merged.chosen["python"]
    assert kept.kept and (kept.candidate.key, kept.threshold) == ("function", 0.04)
    assert select.source_text("python", kept).startswith(
        "python: function at 0.04, the previous rule, kept")


def test_site_labels_count_one_call_site_and_error_type_as_one_bug():
    from lab.corpus import site_label

    def row(platform, bug, split="mined"):
        return {"platform": platform, "bug": bug, "split": split}

    assert site_label(row("python", "cfg/fixtures.count/ParserError@parse_node")) == (
        "cfg/fixtures.count/ParserError")
    assert site_label(row("node", "billing/rates/compound:years:Error-2")) == (
        "billing/rates/compound:years:Error")
    assert site_label(row("javascript", "web/cart/unitPrice:price:Error")) == (
        "web/cart/unitPrice:price:Error")
    assert site_label(row("ruby", "bookshelf/import-yaml:alias")) == "bookshelf/import-yaml:alias"
    assert site_label(row("python", "app/x@y", split="train")) == "app/x@y"  # generated: as is
