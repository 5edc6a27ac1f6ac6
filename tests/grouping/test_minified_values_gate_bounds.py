"""What the minified 'values' gate must not do: override an admin's threshold for the project
(0: nothing joins), merge messages that quote different property names that happen to read
like JavaScript values, or join by a key the naive baseline does not have."""

import dataclasses

import numpy as np
import pytest

from grouping.clean import js_values_out, minified_unresolved
from grouping.fingerprint import group
from grouping.models import DecisionRecord
from grouping.policy import JOIN, MINIFIED_GATE, of_model, replay_policy
from ingest.normalize import normalize_event
from monitor.models import GroupHash, Issue, Project
from tests.helpers.events import decide, ingest
from training import metrics

BUNDLE = "https://planner.example/assets/app.RBW7TDIM.js"
NAMES = ("HTMLButtonElement.<anonymous>", "Object.Cf [as times/arrivalTime]", "t")


def browser_event(value: str, names=NAMES) -> dict:
    frames = [{"filename": BUNDLE, "function": name, "lineno": 16, "colno": 9_000 + n,
               "in_app": True} for n, name in enumerate(names)]
    return {"platform": "javascript", "exception": {"values": [{
        "type": "TypeError", "value": value, "stacktrace": {"frames": frames}}]}}


def normalized(payload: dict) -> dict:
    return normalize_event(payload, 1_700_000_000.0, "0" * 32)


def test_an_admins_threshold_stands_for_minified_events_too():
    event = normalized(browser_event("Cannot read properties of null (reading 'slice')"))
    assert minified_unresolved(event)
    served = of_model(None).for_project(Project(platform="javascript"))
    assert served.event_threshold(event, "javascript") == JOIN  # the gate joins by key alone
    strict = of_model(None).for_project(Project(platform="javascript", grouping_threshold=0.0))
    assert strict.event_threshold(event, "javascript") == 0.0
    assert strict.event_conflict_threshold(event, "javascript") == 0.0


def test_quoted_names_that_read_like_values_stay():
    assert js_values_out("Cannot read properties of undefined (reading 'null')") != js_values_out(
        "Cannot read properties of undefined (reading 'true')")
    assert js_values_out("You passed undefined") == js_values_out("You passed null")
    assert js_values_out("got [object Object]") == "got <v>"


def test_the_naive_baseline_without_a_key_joins_nothing_by_key_alone():
    rows = [{"event": browser_event("x is not a function", ("t", "Object.Cf [as cart/add]")),
             "bug": "a"},
            {"event": browser_event("y is not a function", ("n", "Object.Cf [as cart/add]")),
             "bug": "b"}]
    data = metrics.prepare(rows)
    policy = replay_policy(0.0, minified=MINIFIED_GATE)
    data = dataclasses.replace(data, keys=[policy.key(e) for e in data.events])
    vectors = np.eye(2, 8, dtype=np.float32)  # cosine distance 1.0
    clusters = metrics.simulate_ml(data, vectors, 0.1, gate=False)
    assert clusters[0] != clusters[1]


@pytest.mark.django_db
def test_an_admin_threshold_of_zero_keeps_minified_fingerprints_apart_live(project,
                                                                           no_breaker):
    project.grouping_threshold = 0.0
    project.save(update_fields=["grouping_threshold"])
    values = ("Cannot read properties of null (reading 'slice')",
              "Cannot read properties of undefined (reading 'slice')")
    for value in values:
        ingest(project, browser_event(value))
        decide()
    assert Issue.objects.count() == 2
    second = GroupHash.objects.get(hash=group(normalized(browser_event(values[1]))).hash)
    assert DecisionRecord.objects.get(group_hash=second).threshold == 0.0


@pytest.mark.parametrize("piece", ["[object ", "[object a", "null'", "'null", "undefinedx",
                                   "a.null ", "`true"])
def test_the_values_pattern_is_linear_on_hostile_messages(piece):
    """A message is at most limits.EVENT_MESSAGE_CHARS after normalization; the pattern is
    checked on a hundred times that, built of near-matches, as the other text rules are
    (tests/grouping/test_regex_budget.py)."""
    import time

    text = piece * (800_000 // len(piece))
    started = time.perf_counter()
    js_values_out(text)
    assert time.perf_counter() - started < 1.0
