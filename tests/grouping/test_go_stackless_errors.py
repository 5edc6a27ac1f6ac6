"""A Go error with no stack of its own (`fmt.Errorf`, a struct error) gets from sentry-go the
stack of the goroutine that called `CaptureException`: the entry point's frames, not the
fault's. The stackless gate (grouping.policy.STACKLESS_GATE) keys such an event by what the
error says (grouping.clean.error_key: the chain's types and the outermost message's template)
and joins by that key, so one fault reported by the HTTP handler, the CLI and the worker is one
issue, while two faults whose errors say different things stay two. Events are go-cronhook's,
a Go choice codebase, as mined (lab/corpus), through the real processing stage, the shipped
model and pgvector."""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path

import pytest

from grouping.clean import capture_path, error_key
from grouping.policy import STACKLESS_GATE, policy_for
from lab.corpus import read_rows
from monitor.models import GroupHash, Issue
from tests.helpers.events import decide, ingest, normalize

pytestmark = pytest.mark.django_db
CORPUS = Path(__file__).resolve().parents[2] / "lab" / "corpus" / "go-cronhook.jsonl.zst"
RELEASE = "cronhook@0.6.0"


@cache
def _mined(bug: str, entry: str, release: str) -> dict:
    return next(r["event"] for r in read_rows(CORPUS)
                if (r["bug"], r["entry"], r["release"]) == (f"cronhook/{bug}", entry, release))


def mined(bug: str, entry: str, release: str = RELEASE) -> dict:
    """The first cronhook event of `bug` reached from `entry` in `release`, as the SDK sent it."""
    return copy.deepcopy(_mined(bug, entry, release))


def test_an_error_reported_from_its_capture_path_is_recognised():
    for bug, entry in (("deliver-status", "http"), ("deliver-status", "cli"),
                       ("deliver-status", "worker"), ("spec-hour", "http")):
        assert capture_path(normalize(mined(bug, entry)))
    # a panic's stack is where it failed: its innermost frame is the failing statement
    assert not capture_path(normalize(mined("target:index", "http")))
    # the same shape from another SDK, or a bare sentinel captured as it is, is not
    other = mined("deliver-status", "http")
    other["platform"] = "python"
    assert not capture_path(normalize(other))
    sentinel = mined("deliver-status", "http")
    root = sentinel["exception"][0]  # sentry-go sends the chain as a list, the root first
    root["type"], root["value"] = "*errors.errorString", "EOF"
    assert not capture_path(normalize(sentinel))


def test_the_key_is_what_the_error_says_not_the_entry_point():
    keys = {error_key(normalize(mined("deliver-status", entry)))
            for entry in ("http", "cli", "worker")}
    assert keys == {"error|*main.DeliveryError|deliver pager: endpoint answered <int>"}
    hour, minute = (error_key(normalize(mined(bug, "cli"))) for bug in ("spec-hour",
                                                                        "spec-minute"))
    assert hour != minute  # one wrapper's word apart: two faults


def test_one_fault_from_three_entry_points_is_one_issue(project, no_breaker):
    for entry in ("http", "cli", "worker"):
        ingest(project, mined("deliver-status", entry))
        decide()
    # three fingerprints (each entry point's capture frames), one issue
    assert GroupHash.objects.count() == 3
    assert Issue.objects.count() == 1
    joined = GroupHash.objects.filter(decided_by=GroupHash.DecidedBy.ML)
    assert joined.count() == 2
    assert {row.ml_rule for row in joined} == {STACKLESS_GATE.source}
    rule = policy_for(project).rule_for_event(normalize(mined("deliver-status", "cli")))
    assert rule.key == "stackless:error+join"


def test_two_faults_whose_errors_say_different_things_stay_apart(project, no_breaker):
    issue_of = {}
    for bug in ("spec-hour", "spec-minute", "transfer-owner"):
        for entry in ("http", "cli"):
            ingest(project, mined(bug, entry))
            decide()
            issue_of[bug, entry] = GroupHash.objects.order_by("-id").first().issue_id
    assert GroupHash.objects.count() == 6  # each entry point its own fingerprint
    for bug in ("spec-hour", "spec-minute", "transfer-owner"):
        assert issue_of[bug, "http"] == issue_of[bug, "cli"], bug
    # `hour` and `minute`: one chain of types, one wrapper's word apart
    assert len(set(issue_of.values())) == Issue.objects.count() == 3
