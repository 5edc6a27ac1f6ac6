"""faultline-fp-5 (served): a Node event leaves out the in-app frames above
the innermost call its application made by dispatch (a call through a variable or a table:
`handler(req.body)`, `routes[job.route](job.input)`), so one fault reached from an Express
route, a Koa middleware, a plain http handler, a worker thread or a CLI command is one
fingerprint, while the application functions that call one shared in-app helper by name stay
apart (grouping.fingerprint.application_frames).

The synthetic events are @sentry/node's shape (frames outermost first, code lines, the SDK's
`in_app`); the corpus events are of the mined choice codebases (lab/corpus)."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from grouping.fingerprint import (
    DEFAULT_CONFIG,
    FP3,
    FP5,
    PREVIOUS,
    application_frames,
    callee_name,
    group,
    names_callee,
)
from ingest.normalize import normalize_event
from lab import corpus as lab_corpus
from monitor.models import GroupHash, Issue
from tests.helpers.events import ingest
from tests.helpers.node_frames import node_frame as frame
from tests.helpers.processing import fingerprint_mode, served_config

CORPUS = Path(__file__).resolve().parents[2] / "lab" / "corpus"
APP = "/srv/ledger/app"


def library(path: str, function: str, line: str) -> dict:
    return frame(f"/srv/ledger/node_modules/{path}", function, line, in_app=False)


EXPRESS = library("express/lib/router/layer.js", "Layer.handle [as handle_request]",
                  "fn(req, res, next);")
LOADER = library("node:internal/modules/cjs/loader", "Module._compile",
                 "result = compiledWrapper.call(thisValue, exports, require, module);")
BIG = library("big.js/big.js", "new Big", "throw Error(INVALID + 'number');")
# the one-line in-app helper that wraps a library call: its line is every caller's crash site
TO_CENTS = frame(f"{APP}/money.js", "toCents", "return new Big(amount).times(100).toNumber();")


def event(*frames: dict, type_: str = "Error", value: str = "[big.js] Invalid number") -> dict:
    payload = {"platform": "node", "exception": {"values": [
        {"type": type_, "value": value, "stacktrace": {"frames": list(frames)}}]}}
    return normalize_event(payload, 1_700_000_000.0, "0" * 32)


def test_the_callers_of_a_shared_helper_stay_two_fingerprints():
    """Two application functions, each called by its route handler, both call one in-app helper
    that wraps a library call that throws: two bugs, one crash site (the helper's line)."""
    invoice = event(EXPRESS,
                    frame(f"{APP}/routes.js", "?", "res.json(createInvoice(req.body));"),
                    frame(f"{APP}/billing.js", "createInvoice",
                          "const total = toCents(input.amount);"),
                    TO_CENTS, BIG)
    refund = event(EXPRESS,
                   frame(f"{APP}/routes.js", "?", "res.json(refundOrder(req.body));"),
                   frame(f"{APP}/refunds.js", "refundOrder", "const back = toCents(input.refund);"),
                   TO_CENTS, BIG)
    assert group(invoice, FP5).components[-1] == group(refund, FP5).components[-1]  # one site
    assert group(invoice, FP5).hash != group(refund, FP5).hash
    assert group(invoice, FP5).components[-2:] == (
        "frame:billing.js|createInvoice|const total = toCents(input.amount);",
        "frame:money.js|toCents|return new Big(amount).times(100).toNumber();")


def test_route_handlers_that_call_a_shared_helper_by_name_stay_apart():
    """An entry frame (its caller is Express, not the application) that names the helper is the
    application's caller, not the framework's: two routes, two bugs."""
    invoice = event(EXPRESS, frame(f"{APP}/routes.js", "?", "res.json(toCents(req.body.total));"),
                    TO_CENTS, BIG)
    refund = event(EXPRESS, frame(f"{APP}/routes.js", "?", "res.json(toCents(req.body.back));"),
                   TO_CENTS, BIG)
    assert group(invoice, FP5).hash != group(refund, FP5).hash


PARSE_FEED = frame(f"{APP}/feed.js", "parseFeed",
                   "const feed = new XMLParser().parse(input.xml);")
XML = library("fast-xml-parser/src/xmlparser/OrderedObjParser.js", "parseXml",
              "throw new Error(`Closing tag '${tagName}' is expected`);")


def express_parse_feed() -> dict:
    return event(EXPRESS, frame(f"{APP}/web.js", "?", "const result = handler(req.body);"),
                 PARSE_FEED, XML, value="Closing tag 'rss' is expected")


def cli_parse_feed() -> dict:
    return event(LOADER,
                 frame(f"{APP}/cli.js", "Object.main", "runCommand(argv[0], argv[1]);"),
                 frame(f"{APP}/cli.js", "runCommand", "return handler(JSON.parse(json));"),
                 PARSE_FEED, XML, value="Closing tag 'channel' is expected")


def test_one_function_reached_from_express_and_a_cli_is_one_fingerprint():
    express, cli = express_parse_feed(), cli_parse_feed()
    assert group(express, FP5).hash == group(cli, FP5).hash
    assert group(express, FP3).hash != group(cli, FP3).hash  # one per entry point before
    assert group(cli, FP5).components == (
        "type:Error", "frame:feed.js|parseFeed|const feed = new XMLParser().parse(input.xml);")


def test_an_entry_frame_and_the_crash_site_alone_keep_the_site_and_the_type():
    """A stack of one entry frame and the crash site hashes the site (file, own name, line) and
    the type; a site the framework calls itself is all there is."""
    worker = event(library("node:internal/event_target", "[nodejs.internal.kHybridDispatch]",
                           "return listener.call(this, event);"),
                   frame(f"{APP}/worker.js", "MessagePort.<anonymous>",
                         "routes[job.route](job.input);"),
                   frame(f"{APP}/feed.js", "Object.parseFeed [as feed/parseFeed]",
                         "const feed = new XMLParser().parse(input.xml);"),
                   XML, value="Closing tag 'item' is expected")
    direct = event(EXPRESS, PARSE_FEED, XML, value="Closing tag 'rss' is expected")
    expected = ("type:Error",
                "frame:feed.js|parseFeed|const feed = new XMLParser().parse(input.xml);")
    assert group(worker, FP5).components == group(direct, FP5).components == expected
    assert group(worker, FP5).hash == group(express_parse_feed(), FP5).hash
    other_type = event(EXPRESS, PARSE_FEED, XML, type_="TypeError", value="x is undefined")
    assert group(other_type, FP5).hash != group(direct, FP5).hash


def test_async_frames_are_read_by_their_function_name():
    """V8's async frames (`at async loadFeed`): awaited by name they stay, reached by dispatch
    (`await handlers[name](input)`) the frames above go."""
    fetch = frame(f"{APP}/feed.js", "async loadFeed", "const feed = await parseFeed(text);")
    named = frame(f"{APP}/jobs.js", "async refresh", "await loadFeed(job.url);")
    dispatch = frame(f"{APP}/jobs.js", "async runJob", "await handlers[job.name](job.input);")
    assert callee_name(fetch) == "loadFeed"
    assert names_callee(named, fetch) and not names_callee(dispatch, fetch)
    assert application_frames([named, fetch, PARSE_FEED]) == [named, fetch, PARSE_FEED]
    assert application_frames([dispatch, fetch, PARSE_FEED]) == [fetch, PARSE_FEED]


def test_a_caller_without_a_code_line_or_an_anonymous_callee_is_kept():
    """Where the caller's line is missing or the callee has no name, nothing tells a dispatch
    apart: the frames stay (no join that could merge two bugs)."""
    bare = dict(frame(f"{APP}/routes.js", "?", ""), context_line=None)
    callback = frame(f"{APP}/billing.js", "?", "return toCents(input.amount);")
    caller = frame(f"{APP}/billing.js", "withRetry", "return fn();")
    assert application_frames([bare, PARSE_FEED]) == [bare, PARSE_FEED]
    assert application_frames([caller, callback, TO_CENTS]) == [caller, callback, TO_CENTS]


def test_other_platforms_hash_as_under_faultline_fp_3():
    python = {"platform": "python", "exception": {"values": [{
        "type": "ValueError", "value": "bad", "stacktrace": {"frames": [
            frame("/srv/app/cli.py", "main", "handler(args)"),
            frame("/srv/app/feed.py", "parse_feed", "return parse(text)")]}}]}}
    browser = dict(python, platform="javascript")
    for payload in (python, browser):
        normalized = normalize_event(payload, 1_700_000_000.0, "0" * 32)
        assert group(normalized, FP5).hash == group(normalized, FP3).hash


@functools.cache
def _rows(name: str) -> tuple[dict, ...]:
    return tuple(lab_corpus.read_rows(CORPUS / f"{name}.jsonl.zst"))


def test_a_mined_fault_through_every_entry_point_is_one_fingerprint():
    """apigate's listItems (graphql's GraphQLError on a bad limit) through Koa, Express,
    node:http, a worker thread and a CLI: five fingerprints under faultline-fp-3, one under
    fp-5."""
    label = "apigate/graphql/listItems:limit:GraphQLError"
    events = {}
    for row in _rows("node-apigate"):
        if lab_corpus.site_label(row) == label and row["entry"] not in events:
            events[row["entry"]] = normalize_event(row["event"], 1_700_000_000.0, "0" * 32)
    assert len(events) == 5
    assert len({group(e, FP3).hash for e in events.values()}) == 5
    assert len({group(e, FP5).hash for e in events.values()}) == 1


@pytest.mark.django_db
def test_issues_made_under_faultline_fp_3_keep_their_events(project):
    """An installation moving to faultline-fp-5 keeps its issues: the first event under fp-5
    joins the issue its faultline-fp-3 hash has, and the fault's other entry points follow it
    there instead of opening issues of their own."""
    def payload(*frames: dict) -> dict:
        return {"platform": "node", "exception": {"values": [
            {"type": "Error", "value": "Closing tag 'rss' is expected",
             "stacktrace": {"frames": list(frames)}}]}}

    express = payload(EXPRESS, frame(f"{APP}/web.js", "?", "const result = handler(req.body);"),
                      PARSE_FEED, XML)
    cli = payload(LOADER, frame(f"{APP}/cli.js", "Object.main", "runCommand(argv[0], argv[1]);"),
                  frame(f"{APP}/cli.js", "runCommand", "return handler(JSON.parse(json));"),
                  PARSE_FEED, XML)
    fingerprint_mode(project)
    with served_config(FP3):
        ingest(project, express)
    (issue,) = Issue.objects.all()
    with served_config(FP5):
        ingest(project, express)
        ingest(project, cli)
    assert list(Issue.objects.values_list("id", flat=True)) == [issue.id]
    assert Issue.objects.get().times_seen == 3
    configs = sorted(GroupHash.objects.values_list("fingerprint_config", "issue_id"))
    assert configs == [(FP3, issue.id), (FP5, issue.id)]


def test_faultline_fp_5_is_served():
    """Served through faultline-fp-6, which follows it and reads Node events as it does."""
    assert PREVIOUS[DEFAULT_CONFIG][0] == FP5
