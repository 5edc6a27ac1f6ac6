"""The rename path's moved functions (grouping.rename, `moves`): a function that kept its name
in another file joins its issue where its crash line reads as written; the same name in another
file with another line stays apart. Events are the mined choice codebases' (lab/corpus), through
the real pipeline (ingest, processing, the embeddings worker's decision) and the shipped model."""

from __future__ import annotations

import dataclasses
from functools import cache
from pathlib import Path

import pytest

from grouping.policy import RENAME_PATH
from grouping.rename import file_of, moved_site, record_of, site_of, statement
from lab.corpus import read_rows
from monitor.models import GroupHash
from tests.helpers.events import normalize
from tests.helpers.returns_desk import arrive

pytestmark = pytest.mark.django_db
CORPUS = Path(__file__).resolve().parents[2] / "lab" / "corpus"
HANDLER = "chatrelay/hooks/ingest:type:TypeError"  # ingest.js → webhooks.js in 1.3.0


@cache
def mined(codebase: str, bug: str, release: str, entry: str) -> dict:
    """The first event of `bug` in `release` reached from `entry`, as sent."""
    name = bug.split("/", 1)[0]
    return next(r["event"] for r in read_rows(CORPUS / f"{codebase}.jsonl.zst")
                if (r["bug"], r["release"], r["entry"]) == (bug, f"{name}@{release}", entry))


def handler(release: str) -> dict:
    return mined("node-chatrelay", HANDLER, release, "http")


def fetch(bug: str, release: str, entry: str) -> dict:
    return mined("ruby-tallyhouse", f"tallyhouse/{bug}", release, entry)


def test_a_moved_function_is_another_site_only_with_the_same_line():
    before, after = normalize(handler("1.1.0")), normalize(handler("1.3.0"))
    assert (site_of(before), file_of(before)) == (site_of(after), "ingest.js")
    assert file_of(after) == "webhooks.js"
    assert statement(before, "line") == statement(after, "line")
    old, new = record_of(before, RENAME_PATH), record_of(after, RENAME_PATH)
    assert old.line_statement == new.line_statement != ""
    assert moved_site(("ingest", "ingest.js"), ("ingest", "webhooks.js"), True, "line")
    assert not moved_site(("ingest", "ingest.js"), ("ingest", "webhooks.js"), False, "line")
    assert not moved_site(("ingest", "ingest.js"), ("ingest", "webhooks.js"), True, "")
    assert not moved_site(("ingest", "ingest.js"), ("ingest", "ingest.js"), True, "line")
    assert moved_site(("ingest", "ingest.js"), ("receive", "ingest.js"), False, "")
    # a path that does not count moves keeps no line digest
    assert record_of(after, dataclasses.replace(RENAME_PATH, moves="")).line_statement == ""


def test_a_function_moved_to_another_file_keeps_its_issue(ml_project):
    first = arrive(ml_project, handler("1.1.0"))
    moved = arrive(ml_project, handler("1.3.0"))
    assert moved.issue_id == first.issue_id
    joined = GroupHash.objects.get(project=ml_project, hash=moved.grouping_hash)
    assert joined.decided_by == GroupHash.DecidedBy.ML and joined.ml_rule == RENAME_PATH.source
    assert joined.ml_distance <= RENAME_PATH.tight
    assert (joined.site_function, joined.site_file) == ("ingest", "webhooks.js")
    kept = GroupHash.objects.get(project=ml_project, hash=first.grouping_hash)
    assert (kept.site_function, kept.site_file) == ("ingest", "ingest.js")


def test_without_moves_the_moved_function_opens_a_new_issue(ml_project, monkeypatch):
    """The control: the same events, the path not counting moves (as served before)."""
    from grouping import ml

    served = ml.rename_query
    monkeypatch.setattr(ml, "rename_query", lambda policy, event: served(
        dataclasses.replace(policy, rename=dataclasses.replace(policy.rename, moves="")), event))
    first = arrive(ml_project, handler("1.1.0"))
    assert arrive(ml_project, handler("1.3.0")).issue_id != first.issue_id


def test_one_name_in_two_files_with_another_line_stays_apart(ml_project):
    """Ruby names the C method a line calls (`fetch`) as the frame's function: customers.rb's
    `CUSTOMERS.fetch(id)` and invoicing.rb's `CUSTOMERS.fetch(invoice[:customer_id])` do the
    same thing under one name in two files, and are two bugs. Counting the move on what the
    line does alone would join them; the line as written keeps them apart."""
    lookup = arrive(ml_project, fetch("customer-missing", "2.2.0", "job"))
    invoice = arrive(ml_project, fetch("invoice-customer", "2.3.0", "cli"))
    assert (site_of(lookup.data), file_of(lookup.data)) == ("fetch", "customers.rb")
    assert (site_of(invoice.data), file_of(invoice.data)) == ("fetch", "invoicing.rb")
    assert statement(lookup.data, "operations") == statement(invoice.data, "operations")
    assert statement(lookup.data, "line") != statement(invoice.data, "line")
    assert invoice.issue_id != lookup.issue_id
