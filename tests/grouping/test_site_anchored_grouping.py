"""The served grouping rules anchored on the application's own crash site (grouping.clean
.anchored_key, chosen by lab.select leaving each choice codebase out and written into the shipped
model's manifest), through the real processing stage, the shipped model and pgvector, on real
SDK events of the mined corpus (lab/corpus): one fault across an app edit (a `_x_step` helper
extracted, another entry point, another release) stays one issue; two sites that fail with the
same message stay two."""

from pathlib import Path

import pytest

from embeddings import shipped
from grouping import rules as grouping_rules
from grouping.policy import policy_for
from lab import corpus as lab_corpus
from monitor.models import GroupHash, Issue
from tests.helpers.events import decide, ingest

CORPUS = Path(__file__).resolve().parents[2] / "lab" / "corpus"


def mined(file: str, label: str, release: str, function: str, value: str,
          entry: str | None = None) -> dict:
    """The first event of a bug (lab.corpus.site_label) in a release whose innermost in-app
    frame is `function` and whose message starts with `value` (from `entry`, if given)."""
    for row in lab_corpus.read_rows(CORPUS / f"{file}.jsonl.zst"):
        exceptions = row["event"]["exception"]["values"]
        frames = [f for e in exceptions for f in (e.get("stacktrace") or {}).get("frames", [])
                  if f.get("in_app")]
        if (lab_corpus.site_label(row) == label and row["release"] == release and frames
                and frames[-1].get("function") == function
                and entry in (None, row.get("entry"))
                and exceptions[0].get("value", "").startswith(value)):
            return row["event"]
    raise LookupError((label, release, function, value))


SEED_DATA = "config-loader/fixtures.load_seed_data/ParserError"


@pytest.mark.django_db
def test_one_fault_across_entry_points_messages_and_an_extracted_helper_is_one_issue(
        project, no_breaker):
    # PyYAML's ParserError at config-loader's `load_seed_data`: from the click command at 6.0,
    # from the asyncio worker at 6.0.1 with another parser message (the conflict veto kept it
    # apart before), and from the worker at 6.0.3, where the call moved into
    # `_load_seed_data_step`
    events = [
        mined("python-config-loader", SEED_DATA, "config-loader@6.0", "load_seed_data",
              "while parsing a flow sequence", entry="click"),
        mined("python-config-loader", SEED_DATA, "config-loader@6.0.1", "load_seed_data",
              "while parsing a flow mapping", entry="asyncio"),
        mined("python-config-loader", SEED_DATA, "config-loader@6.0.3",
              "_load_seed_data_step", "while parsing a flow sequence", entry="asyncio"),
    ]
    for event in events:
        ingest(project, event)
        decide()
    assert Issue.objects.count() == 1
    policy = policy_for(project)
    rule = policy.rule_for("python")
    key = shipped.load().choices["key_rules"]["python"]  # chosen for the shipped model
    assert key.startswith("site") and rule.key == key
    # the text shape the manifest chose with it, over the grouping rules'
    frames = shipped.load().choices["frames"]["python"]
    assert policy.rules.frames_for("python") == frames != grouping_rules.CURRENT.frames_for(
        "python")
    assert set(GroupHash.objects.filter(decided_by=GroupHash.DecidedBy.ML)
               .values_list("ml_rule", flat=True)) == {rule.source}


@pytest.mark.django_db
def test_two_sites_failing_with_one_message_stay_two_issues(project, no_breaker):
    # the same TypeError and message from feeds' `parseFeed` and `readLink`: two bugs
    parse = mined("node-feeds", "feeds/feed/parseFeed:xml:TypeError", "feeds@1.1.0",
                  "parseFeed", "xmlData.substring is not a function")
    link = mined("node-feeds", "feeds/feed/readLink:xml:TypeError", "feeds@1.1.0",
                 "readLink", "xmlData.substring is not a function")
    project.platform = "node"
    project.save()
    ingest(project, parse)
    decide()
    ingest(project, link)
    decide()
    assert Issue.objects.count() == 2
