"""@sentry/node 7.x names an anonymous function by V8's text (`Object.<anonymous>`: a module's
top-level code), 8.x and later `Object.?`: faultline-fp-6 reads 7.x's names as the later
releases send them, so an application's issue does not split when it upgrades its SDK, and
a 7.x event finds the issue it made under faultline-fp-5 through that hash (PREVIOUS)."""

from __future__ import annotations

import pytest

from grouping.fingerprint import (
    FP3,
    FP5,
    FP6,
    _group,
    current_sdk_name,
    earlier_hashes,
    group,
)
from ingest.normalize import normalize_event
from lab import corpus as lab_corpus

APP = "/srv/shop/app/start.js"


def frame(function: str, line: str, path: str = APP, in_app: bool = True) -> dict:
    return {"filename": path, "abs_path": path, "function": function, "lineno": 3, "colno": 9,
            "context_line": line, "post_context": [""], "in_app": in_app,
            "module": "start"}


def event(top_level: str, platform: str = "node") -> dict:
    """A TypeError in start-up code: the module's top level calls listenPort by name."""
    frames = [frame("Module._compile", "return compiledWrapper.call(this);",
                    "node:internal/modules/cjs/loader", in_app=False),
              frame(top_level, "listenPort(config);"),
              frame("listenPort", "return JSON.parse(text).server.port;")]
    payload = {"platform": platform, "exception": {"values": [
        {"type": "TypeError", "value": "Cannot read properties of undefined (reading 'port')",
         "stacktrace": {"frames": frames}}]}}
    return normalize_event(payload, 1_700_000_000.0, "0" * 32)


@pytest.mark.parametrize(("name", "platform", "read"), [
    ("Object.<anonymous>", "node", "Object.?"),
    ("Timeout.<anonymous>", "node", "Timeout.?"),
    ("Object.<anonymous>", "javascript", "Object.<anonymous>"),  # browsers: V8's own text
    ("<anonymous>", "node", "<anonymous>"),  # read as no name either way
    ("new <anonymous>", "node", "new <anonymous>"),
    ("Object.<anonymous> [as start]", "node", "Object.<anonymous> [as start]"),
    ("Object.?", "node", "Object.?"),
])
def test_only_7x_names_are_read_as_the_current_sdk_names_them(name, platform, read):
    assert current_sdk_name(name, platform) == read


def test_a_fault_in_top_level_code_is_one_fingerprint_before_and_after_the_upgrade():
    sdk7, sdk8 = event("Object.<anonymous>"), event("Object.?")
    assert group(sdk7).hash == group(sdk8).hash
    assert "frame:start.js|Object.?|listenPort(config);" in group(sdk7).components


def test_a_7x_event_finds_the_issue_its_fp_5_hash_made_then_faultline_fp_3s():
    sdk7 = event("Object.<anonymous>")
    grouping = group(sdk7, FP6)
    as_sent = _group(sdk7, FP5).hash  # faultline-fp-5 reads 7.x's names as sent
    assert as_sent != grouping.hash
    assert earlier_hashes(sdk7, FP6, grouping.hash)[0] == as_sent == grouping.previous_hash
    assert _group(sdk7, FP3).hash in grouping.older_hashes
    # the current SDK's event has no such hash to look for
    assert as_sent not in earlier_hashes(event("Object.?"), FP6, grouping.hash)


def test_browser_events_keep_the_names_they_send():
    assert group(event("Object.<anonymous>", "javascript")).hash != \
        group(event("Object.?", "javascript")).hash


def test_no_mined_corpus_event_has_a_name_the_reading_changes():
    """The corpus (the current SDKs' events): the reading changes no hash of theirs."""
    changed, seen = [], 0
    for path in lab_corpus.corpus_files():
        for row in lab_corpus.read_rows(path):
            data = normalize_event(row["event"], 1_700_000_000.0, "0" * 32)
            for exc in data.get("exception", []):
                for f in (exc.get("stacktrace") or {}).get("frames") or []:
                    name = f.get("function") or ""
                    seen += data["platform"] == "node"
                    if current_sdk_name(name, f.get("platform") or data["platform"]) != name:
                        changed.append((path.name, name))
    assert seen > 10_000 and changed == []


def raw_event(top_level: str) -> dict:
    """event()'s payload as the SDK sends it."""
    frames = [frame("Module._compile", "return compiledWrapper.call(this);",
                    "node:internal/modules/cjs/loader", in_app=False),
              frame(top_level, "listenPort(config);"),
              frame("listenPort", "return JSON.parse(text).server.port;")]
    return {"platform": "node", "exception": {"values": [
        {"type": "TypeError", "value": "Cannot read properties of undefined (reading 'port')",
         "stacktrace": {"frames": frames}}]}}


def test_an_issue_a_7x_event_made_under_fp_5_keeps_its_events_and_the_upgraded_sdks(project):
    from monitor.models import GroupHash, Issue
    from tests.helpers.events import ingest
    from tests.helpers.processing import fingerprint_mode, served_config

    fingerprint_mode(project)
    with served_config(FP5):
        ingest(project, raw_event("Object.<anonymous>"))
    (issue,) = Issue.objects.all()
    ingest(project, raw_event("Object.<anonymous>"))  # 7.x, read as 8.x and later name it
    ingest(project, raw_event("Object.?"))  # the upgraded SDK
    assert list(Issue.objects.values_list("id", flat=True)) == [issue.id]
    assert GroupHash.objects.filter(project=project).count() == 2
