"""faultline-fp-6 finds a Node frame's caller across Node's own frames: after an `await`, V8
puts `process.processTicksAndRejections` (node:internal/process/task_queues) between the
awaiting application frame and the one it called. Under faultline-fp-5 that runtime frame
hid the dispatch (`await operation(name)(req.body)`), so the entry point's frame stayed in the
fingerprint and one fault was a fingerprint per entry point (grouping.fingerprint
.application_frames, runtime_frame).

The synthetic events are @sentry/node's shape; the corpus events are of a mined choice
codebase (lab/corpus)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from grouping.fingerprint import FP5, FP6, application_frames, group, runtime_frame
from ingest.normalize import normalize_event
from lab import corpus as lab_corpus
from monitor import limits
from monitor.models import GroupHash, Issue
from tests.helpers.events import ingest
from tests.helpers.node_frames import node_frame as frame
from tests.helpers.processing import fingerprint_mode, served_config

CORPUS = Path(__file__).resolve().parents[2] / "lab" / "corpus"
APP = "/srv/clinic/app"


TICKS = {"filename": "node:internal/process/task_queues", "function":
         "process.processTicksAndRejections", "lineno": 105, "colno": 5, "in_app": False}
WEB = frame(f"{APP}/web.js", "?",
            "const result = await operation(`${req.params.area}/${req.params.action}`)(req.body);")
KOA = frame(f"{APP}/koa.js", "?", "ctx.body = { result: (await operation(name)(payload)) };")
LIST_SLOTS = frame(f"{APP}/slots.js", "listSlots",
                   "const slots = new Array(Math.floor(minutes / (input.step ?? 30)));")


def payload(*frames: dict, value: str = "Invalid array length") -> dict:
    return {"platform": "node", "exception": {"values": [
        {"type": "RangeError", "value": value, "stacktrace": {"frames": list(frames)}}]}}


def event(*frames: dict, value: str = "Invalid array length") -> dict:
    return normalize_event(payload(*frames, value=value), 1_700_000_000.0, "0" * 32)


def test_a_dispatch_across_an_await_leaves_the_entry_point_out():
    web, koa = event(WEB, TICKS, LIST_SLOTS), event(KOA, TICKS, LIST_SLOTS)
    assert group(web, FP6).hash == group(koa, FP6).hash
    assert group(web, FP6).components == (
        "type:RangeError",
        "frame:slots.js|listSlots|const slots = new Array(Math.floor(minutes / (input.step ?? "
        "30)));")
    assert group(web, FP5).hash != group(koa, FP5).hash  # one per entry point before


def test_callers_that_name_the_helper_they_await_stay_apart():
    """Two application functions awaiting one in-app helper by name are two bugs at one site,
    across the runtime's frame as without it."""
    helper = frame(f"{APP}/fees.js", "feeFor", "return { amount: schedule[code].amount };")
    invoice = event(WEB, TICKS, frame(f"{APP}/invoices.js", "invoiceVisit",
                                      "const fee = await feeFor(input.code);"), TICKS, helper)
    refund = event(WEB, TICKS, frame(f"{APP}/refunds.js", "refundVisit",
                                     "const fee = await feeFor(input.original);"), TICKS, helper)
    assert group(invoice, FP6).hash != group(refund, FP6).hash
    assert group(invoice, FP6).components[-2].startswith("frame:invoices.js|invoiceVisit|")


def test_only_node_s_own_frames_are_crossed():
    """A library frame between two application frames is a call the library made (a
    middleware chain, a callback), so it still ends the search as before; so does the top."""
    koa_compose = frame("/srv/clinic/node_modules/koa-compose/index.js", "dispatch",
                        "return Promise.resolve(fn(context, dispatch.bind(null, i + 1)));",
                        in_app=False)
    assert runtime_frame(TICKS) and not runtime_frame(koa_compose)
    assert not runtime_frame(dict(TICKS, in_app=True))  # the SDK says it is the application's
    assert application_frames([WEB, koa_compose, LIST_SLOTS], across_runtime=True) == \
        [WEB, LIST_SLOTS]
    assert application_frames([TICKS, LIST_SLOTS], across_runtime=True) == [LIST_SLOTS]
    assert application_frames([WEB, TICKS, LIST_SLOTS]) == [WEB, LIST_SLOTS]  # fp-5
    assert application_frames([WEB, TICKS, LIST_SLOTS], across_runtime=True) == [LIST_SLOTS]


def test_the_mined_fault_through_express_and_koa_is_one_fingerprint():
    """clinicbook's listSlots (an invalid step) through Express and Koa, each resuming through
    processTicksAndRejections, and through node:http without it: three fingerprints under
    faultline-fp-5, one under fp-6."""
    label = "clinicbook/schedule/listSlots:step:RangeError"
    events = {}
    for row in lab_corpus.read_rows(CORPUS / "node-clinicbook.jsonl.zst"):
        if (lab_corpus.site_label(row) == label and row["entry"] not in events
                and row["release"] in ("clinicbook@1.1.0", "clinicbook@1.2.0")):
            events[row["entry"]] = normalize_event(row["event"], 1_700_000_000.0, "0" * 32)
    assert sorted(events) == ["express", "http", "koa"]
    assert len({group(e, FP5).hash for e in events.values()}) == len(events)
    assert len({group(e, FP6).hash for e in events.values()}) == 1


@pytest.mark.django_db
def test_issues_made_under_faultline_fp_5_keep_their_events(project):
    """An installation moving from faultline-fp-5 keeps its issues: the first event that now
    reads otherwise joins the issue its faultline-fp-5 hash has, and the other entry point
    follows it there."""
    fingerprint_mode(project)
    with served_config(FP5):
        ingest(project, payload(WEB, TICKS, LIST_SLOTS))
    (issue,) = Issue.objects.all()
    with served_config(FP6):
        ingest(project, payload(WEB, TICKS, LIST_SLOTS))
        ingest(project, payload(KOA, TICKS, LIST_SLOTS))
    assert list(Issue.objects.values_list("id", flat=True)) == [issue.id]
    assert Issue.objects.get().times_seen == 3
    assert sorted(GroupHash.objects.values_list("fingerprint_config", "issue_id")) == \
        [(FP5, issue.id), (FP6, issue.id)]


@pytest.mark.parametrize("shape", ["alternating", "one-long-run"])
def test_a_hostile_stack_of_runtime_frames_is_read_once(shape):
    """Every exception at its bounds of frames, Node's frames between application frames whose
    lines are at their bound and name nothing: the search above each application frame stops
    at the first frame that is not Node's, so each frame is looked at a bounded number of
    times (the bound is generous: linear takes milliseconds)."""
    line = "x" * limits.EVENT_STRING_CHARS
    count = limits.EVENT_FRAMES_PER_STACK
    if shape == "alternating":
        frames = [frame(f"{APP}/f{i}.js", f"f{i}", line) if i % 2 else dict(TICKS)
                  for i in range(count)]
    else:
        frames = [frame(f"{APP}/top.js", "top", line), *[dict(TICKS)] * (count - 2),
                  frame(f"{APP}/bottom.js", "bottom", line)]
    payload_ = {"platform": "node", "exception": {"values": [
        {"type": "Error", "value": f"boom {n}", "stacktrace": {"frames": frames}}
        for n in range(limits.EVENT_EXCEPTIONS)]}}
    normalized = normalize_event(payload_, 1_700_000_000.0, "0" * 32)
    start = time.perf_counter()
    grouping = group(normalized, FP6)
    assert time.perf_counter() - start < 3.0
    assert grouping.components  # hashed, not refused
