"""Review of the capture-path key (grouping.clean.error_key): an error reported from its capture
path joins by its key alone (grouping.policy.STACKLESS_GATE), with no distance to check, so the
key must keep what the error says however long its chain of types is."""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path

from embeddings.store import bounded_key
from grouping.clean import capture_path, error_key
from grouping.policy import policy_for
from lab.corpus import read_rows
from monitor import limits
from tests.helpers.events import normalize

CORPUS = Path(__file__).resolve().parents[2] / "lab" / "corpus" / "go-cronhook.jsonl.zst"
# wrappers of a deep call chain, each adding its words (`fmt.Errorf("...: %w", err)` or a
# struct error of the application's)
LAYERS = ("*scheduler.StepExecutionError", "*scheduler.ReconcileFailure",
          "*scheduler.PlanValidationError", "*store.TransactionAbortedError",
          "*jobs.RetryBudgetExhausted", "*jobs.DispatchFailure", "*api.HandlerError",
          "*fmt.wrapError")


@cache
def _mined(bug: str) -> dict:
    return next(r["event"] for r in read_rows(CORPUS)
                if (r["bug"], r["entry"], r["release"]) == (f"cronhook/{bug}", "cli",
                                                            "cronhook@0.6.0"))


def deep(bug: str) -> dict:
    """cronhook's `bug` reported through LAYERS more wrappers (the outermost keeps its stack)."""
    event = copy.deepcopy(_mined(bug))
    chain = event["exception"]
    outermost = chain[-1]
    wrappers = [{"type": t, "value": f"layer {n}: {outermost['value']}"}
                for n, t in enumerate(LAYERS)]
    event["exception"] = [*chain[:-1], *wrappers,
                          dict(outermost, value=f"run: {wrappers[-1]['value']}")]
    return event


def test_two_faults_with_a_long_chain_of_types_keep_two_keys(project):
    hour, minute = normalize(deep("spec-hour")), normalize(deep("spec-minute"))
    assert capture_path(hour) and capture_path(minute)
    assert len(">".join(e["type"] for e in hour["exception"])) > 250
    assert error_key(hour) != error_key(minute)  # `hour` and `minute`: two faults
    policy = policy_for(project)
    assert policy.joins_by_key(hour)  # no distance is checked: only the key keeps them apart
    stored = bounded_key(policy.key(hour)), bounded_key(policy.key(minute))
    assert stored[0] != stored[1] and max(map(len, stored)) <= limits.MATCH_KEY_CHARS


def test_they_stay_two_issues_through_the_pipeline(project, no_breaker):
    from monitor.models import GroupHash, Issue
    from tests.helpers.events import decide, ingest

    for bug in ("spec-hour", "spec-minute"):
        ingest(project, deep(bug))
        decide()
    assert GroupHash.objects.count() == 2
    assert Issue.objects.count() == 2
