"""Ruby's served text holds 3 frames (lab.select's choice with tallyhouse in the choice group):
the 6-frame text held the entry point that reached the crash site (the Rack route, the rake
task's block, the job runner's lambda), so one fault reached from two entry points split; with
3 frames it joins at the served Ruby threshold, while two faults sharing one candidate key stay
apart. Events are tallyhouse's, as mined (lab/corpus), through the shipped model."""

from __future__ import annotations

import dataclasses
from functools import cache
from pathlib import Path

import pytest

from grouping.clean import clean_event, match_key
from lab.corpus import read_rows
from tests.helpers.events import normalize
from tests.helpers.served_encoder import distance, served_encode

pytestmark = pytest.mark.django_db
CORPUS = Path(__file__).resolve().parents[2] / "lab" / "corpus" / "ruby-tallyhouse.jsonl.zst"


@cache
def mined(bug: str, release: str, entry: str) -> dict:
    """The first tallyhouse event of `bug` in `release` reached from `entry`, normalized."""
    row = next(r for r in read_rows(CORPUS) if (r["bug"], r["release"], r["entry"]) == (
        f"tallyhouse/{bug}", f"tallyhouse@{release}", entry))
    return normalize(row["event"])


@pytest.fixture(scope="module")
def encode():
    return served_encode()


def served():
    """The served policy's Ruby text rules, key rule and threshold (the shipped manifest)."""
    from grouping.policy import policy_for
    from monitor.models import Project

    policy = policy_for(None).for_project(Project(platform="ruby"), adapted={})
    return policy, policy.rules, policy.key_rule("ruby"), policy.threshold("ruby")


def test_the_served_ruby_text_holds_the_manifests_three_frames():
    from embeddings import shipped

    _, served_rules, _, _ = served()
    assert served_rules.frames_for("ruby") == shipped.load().choices["frames"]["ruby"] == 3
    text = clean_event(mined("rate-tier", "2.2.0", "http"), rules=served_rules)
    assert len([line for line in text.splitlines() if line.startswith("  ")]) == 3


def test_one_fault_from_two_entry_points_joins_and_two_faults_of_one_key_stay_apart(encode):
    policy, served_rules, key, threshold = served()
    six = dataclasses.replace(served_rules, frames={"default": 6})  # the rule served before
    cli, job = mined("charge-gateway", "2.2.0", "cli"), mined("charge-gateway", "2.2.0", "job")
    assert match_key(cli, key) == match_key(job, key)
    assert distance(encode, policy.text(cli), policy.text(job)) <= threshold
    assert distance(encode, clean_event(cli, rules=six), clean_event(job, rules=six)) > threshold

    tier, usage = mined("rate-tier", "2.2.0", "http"), mined("usage-nil", "2.2.0", "http")
    assert match_key(tier, key) == match_key(usage, key)
    assert distance(encode, policy.text(tier), policy.text(usage)) > threshold
