"""Node services shipped as a minified esbuild bundle without a source map (`dist/server.js`,
mined under lab/corpus/minified) are minified code without a map: the minified gate
(grouping.policy.MINIFIED_GATE) decides them, as it decides a browser bundle, instead of the
family's key, which reads a minifier's names (`Vo.parse`) and let ML join different faults of
one library call; the gate's key (`places`) is where the stack ran in the bundle, so one spot of
code failing on different inputs (messages) is one issue."""

from pathlib import Path

import pytest

from grouping.clean import (
    BUNDLE_COLUMN,
    app_site,
    bundle_places,
    minified_unresolved,
    node_bundles,
)
from grouping.policy import MINIFIED_GATE, gate_key, minified_key
from ingest.normalize import normalize_event
from lab.corpus import HERE, MINIFIED, read_rows
from monitor.models import GroupHash, Issue
from tests.helpers.events import decide, ingest

SERVER = "/srv/feeds/dist/server.js"


def normalized(payload: dict, index: int = 0) -> dict:
    return normalize_event(payload, 1_700_000_000.0 + index, f"{index:032x}")


def node_event(frames: list[tuple[str, str, int]]) -> dict:
    return {"platform": "node", "exception": {"values": [{
        "type": "TypeError", "value": "Cannot read properties of undefined (reading 'toString')",
        "stacktrace": {"frames": [
            {"filename": "node:internal/process/task_queues", "function": "processTicks",
             "lineno": 95, "colno": 5, "in_app": False},
            *({"filename": file, "function": function, "lineno": 58, "colno": column,
               "in_app": True} for file, function, column in frames)]}}]}}


BUNDLED = [(SERVER, "IncomingMessage.?", 1_908), (SERVER, "r5", 424_464), (SERVER, "Vo.parse", 77)]


def test_a_node_bundle_is_known_by_its_columns():
    event = normalized(node_event(BUNDLED))
    assert node_bundles(event["exception"][0]["stacktrace"]["frames"]) == {SERVER}
    assert minified_unresolved(event)  # a frame at column 77 of the bundle is the bundle's too
    assert minified_key(event, MINIFIED_GATE.key, "faultline-fp-2").startswith("minified|")


def test_a_line_a_library_wrote_into_the_stack_is_no_file_of_the_application():
    """@js-joda/core appends its cause's stack after a `-------` line, which @sentry/node reads
    as a frame with no column: the bundle's event is gated all the same."""
    event = node_event(BUNDLED)
    event["exception"]["values"][0]["stacktrace"]["frames"].append(
        {"filename": "-------", "function": "?", "in_app": True})
    assert minified_unresolved(normalized(event))


def test_such_a_line_is_neither_the_crash_site_nor_what_it_called():
    """The ML keys read the application's crash site and the library function it called
    (grouping.clean.app_site): the last frame of the application's code and the library's frame
    after it, not the `-------` line after those."""
    library = "/srv/dates/node_modules/@js-joda/core/dist/js-joda.js"
    source = node_event([("/srv/dates/app/parse.js", "parseWhen", 12)])
    source["exception"]["values"][0]["stacktrace"]["frames"] += [
        {"filename": library, "function": "DateTimeFormatter.parse", "lineno": 40, "colno": 9},
        {"filename": "-------", "function": "?", "in_app": True}]
    site, callee = app_site(normalized(source))
    assert site["filename"] == "/srv/dates/app/parse.js"
    assert callee["filename"] == library


def test_hand_written_node_code_is_not_gated():
    short = [(SERVER, name, BUNDLE_COLUMN) for name in ("handle", "parseFeed")]
    assert not minified_unresolved(normalized(node_event(short)))
    # one application frame in a hand-written file: not all of the stack is the bundle's
    mixed = [*BUNDLED, ("/srv/feeds/app/feed.js", "parseFeed", 13)]
    assert not minified_unresolved(normalized(node_event(mixed)))
    # a source map applied (symbolication marks the frames it resolved): not gated
    resolved = normalized(node_event(BUNDLED))
    for frame in resolved["exception"][0]["stacktrace"]["frames"]:
        frame["data"] = {"resolved_with": "debug-id"}
    assert not minified_unresolved(resolved)


def test_the_mined_bundles_are_gated_and_the_mined_sources_are_not():
    bundled = [normalized(row["event"], i) for path in sorted(MINIFIED.glob("node-*.jsonl.zst"))
               for i, row in enumerate(read_rows(path))]
    sources = [normalized(row["event"], i) for path in sorted(HERE.glob("node-*.jsonl.zst"))
               for i, row in enumerate(read_rows(path))]
    assert len(bundled) > 500 and len(sources) > 1500
    assert all(minified_unresolved(e) for e in bundled)
    assert not any(minified_unresolved(e) for e in sources)


def test_the_places_key_reads_where_the_stack_ran_and_not_the_message():
    one, other = normalized(node_event(BUNDLED)), normalized(node_event(BUNDLED))
    assert gate_key(MINIFIED_GATE.key, one) == "places" and MINIFIED_GATE.join
    other["exception"][0]["value"] = "Cannot read properties of null (reading 'toString')"
    moved = normalized(node_event([*BUNDLED[:2], (SERVER, "Vo.parse", 78)]))
    assert bundle_places(one)[0] == "type:TypeError"
    assert bundle_places(one)[-1] == f"{SERVER}:58:77"
    keys = [minified_key(e, "places", "faultline-fp-2") for e in (one, other, moved)]
    assert keys[0] == keys[1] != keys[2]
    cdn, site = (normalized({**browser, "platform": "javascript"}) for browser in (
        node_event([(f"{origin}/assets/app.RBW7TDIM.js?v=2", "t", 12_343)])
        for origin in ("https://cdn.example.net", "https://planner.example")))
    assert bundle_places(cdn) == bundle_places(site) == ["type:TypeError",
                                                         "/assets/app.RBW7TDIM.js:58:12343"]


def first_event(bug: str, crash: str, message: str, release: str = "") -> dict:
    """feeds' first bundled event of `bug` (in `release`) whose crash frame is `crash`, saying
    `message`."""
    rows = read_rows(Path(MINIFIED / "node-feeds.jsonl.zst"))
    return next(row["event"] for row in rows if row["bug"] == bug
                and row["release"].startswith(release)
                and row["event"]["exception"]["values"][0]["value"] == message
                and row["event"]["exception"]["values"][0]["stacktrace"]["frames"][-1][
                    "function"] == crash)


@pytest.mark.django_db
def test_two_faults_of_one_bundled_library_call_stay_two_issues(project, no_breaker):
    """feeds' `parseFeed` and `readItems` both fail in the bundled XML parser's `Vo.parse` on
    `reading 'toString'` of undefined: the family's key (`TypeError|Vo.parse`) and the texts
    (distance 0) joined them; the gate keeps their fingerprints' frames (the calling
    application function, mangled, and its place in the bundle) and keeps them apart."""
    message = "Cannot read properties of undefined (reading 'toString')"
    events = [first_event(f"feeds/feed/{site}:xml:TypeError", "Vo.parse", message)
              for site in ("parseFeed", "readItems")]
    for event in events:
        ingest(project, event)
        decide()
    assert Issue.objects.count() == 2


@pytest.mark.django_db
def test_one_spot_of_a_bundle_failing_on_two_inputs_is_one_issue(project, no_breaker):
    """feeds' `readLink` through Express in the bundled 1.4 release, the XML parser failing on
    `[` and on `4`: the messages differ (so do the fingerprints), the place does not."""
    events = [first_event("feeds/feed/readLink:xml:Error", "ux.parse",
                          f"char '{char}' is not expected.:1:1", "feeds@1.4.1")
              for char in ("[", "4")]
    for event in events:
        ingest(project, event)
        decide()
    assert GroupHash.objects.count() == 2 and Issue.objects.count() == 1
