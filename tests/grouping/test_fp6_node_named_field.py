"""faultline-fp-6 (served): a Node event whose crash statement reads several fields of one object
and whose message names exactly one of them also hashes that field
(grouping.fingerprint.named_field), so twin faults of one statement, one function and one type
("option domain is invalid", "option maxAge is invalid" from one `cookie.serialize` call) are two
fingerprints, while one field's fault stays one whatever value and entry point reached it.

The synthetic events are @sentry/node's shape (frames outermost first, code lines, the SDK's
`in_app`); the corpus events are of a mined choice codebase (lab/corpus, webviews)."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import pytest

from grouping.fingerprint import (
    CONFIGURATIONS,
    DEFAULT_CONFIG,
    FP5,
    FP6,
    PREVIOUS,
    group,
    named_field,
    statement_fields,
)
from ingest.normalize import normalize_event
from lab import corpus as lab_corpus
from monitor import limits
from monitor.models import GroupHash, Issue
from tests.helpers.events import ingest
from tests.helpers.processing import fingerprint_mode, served_config

CORPUS = Path(__file__).resolve().parents[2] / "lab" / "corpus"
APP = "/srv/webviews/app"
COOKIE_LINE = ('return cookie.serialize("sid", "x", { maxAge: input.maxAge, '
               'sameSite: input.sameSite, domain: input.domain });')


def frame(path: str, function: str, line: str, in_app: bool = True) -> dict:
    return {"filename": path, "abs_path": path, "function": function, "lineno": 10, "colno": 5,
            "context_line": "  " + line, "post_context": ["}"], "in_app": in_app}


WEB = frame(f"{APP}/web.js", "?", "const result = handler(req.body);")
CLI = frame(f"{APP}/cli.js", "runCommand", "return handler(JSON.parse(json));")
SITE = frame(f"{APP}/session.js", "cookieOptions", COOKIE_LINE)
TWINS = ("option domain is invalid", "option maxAge is invalid")
SERIALIZE = frame("/srv/webviews/node_modules/cookie/index.js", "Object.serialize",
                  "throw new TypeError('option domain is invalid');", in_app=False)


def event(value: str, *frames: dict, platform: str = "node", type_: str = "TypeError") -> dict:
    payload = {"platform": platform, "exception": {"values": [
        {"type": type_, "value": value,
         "stacktrace": {"frames": list(frames or (WEB, SITE, SERIALIZE))}}]}}
    return normalize_event(payload, 1_700_000_000.0, "0" * 32)


def test_the_fields_a_statement_reads_of_one_object():
    assert statement_fields(COOKIE_LINE) == {"maxAge", "sameSite", "domain"}
    assert statement_fields("return semver.inc(input.current, input.bump).toString();") == {
        "current", "bump"}
    # one field of each object says nothing of which was bad; a property of a property is not
    # the object's field; strings are not code; a short name is as likely an English word
    assert statement_fields("const doc = fxp.parse(input.xml, { ignoreAttributes: false });") \
        == frozenset()
    assert statement_fields("return input.user.name + input.user.mail;") == frozenset()
    assert statement_fields('log("input.a input.b"); return input.text;') == frozenset()
    assert statement_fields("return semver.compare(input.a, input.b);") == frozenset()


def test_the_one_field_a_message_names():
    assert named_field("option domain is invalid", COOKIE_LINE) == "domain"
    assert named_field("option maxAge is invalid: a4,4", COOKIE_LINE) == "maxAge"
    assert named_field("Cannot read properties of null (reading 'toString')", COOKIE_LINE) == ""
    assert named_field("maxAge and domain disagree", COOKIE_LINE) == ""  # several: none
    assert named_field("option domain is invalid", "return cookie.parse(input.header);") == ""


def test_twins_of_one_statement_are_two_fingerprints():
    domain, max_age = event("option domain is invalid"), event("option maxAge is invalid")
    assert group(domain, FP5).hash == group(max_age, FP5).hash  # the merge fp-5 made
    assert group(domain).hash != group(max_age).hash
    assert group(domain).components[-1] == "field:domain"
    assert group(domain).previous_hash == group(domain, FP5).hash


def test_one_fields_fault_stays_one_fingerprint():
    """Another value in the message, another entry point: one fingerprint."""
    express = event("option domain is invalid")
    cli = event("option domain is invalid: [object Object]", CLI, SITE, SERIALIZE)
    assert group(express).hash == group(cli).hash


def test_messages_naming_no_field_share_one_fingerprint_apart_from_fp5():
    """Apart from fp-5's hash: in a fresh installation the twins' fp-6 hashes fall back to an
    fp-5 hash that has an issue, and would join one that an event naming no field made."""
    version, null = event("Invalid cookie: a3,3"), event("Cannot read properties of null")
    assert group(version).hash == group(null).hash
    assert group(version).hash not in {group(version, FP5).hash,
                                       *(group(event(v)).hash for v in TWINS)}
    assert group(version).previous_hash == group(version, FP5).hash


def test_a_statement_without_several_fields_hashes_as_under_faultline_fp_5():
    parse = frame(f"{APP}/session.js", "readSession", "return cookie.parse(input.header).sid;")
    node = event("argument str must be a string", WEB, parse)
    assert group(node).hash == group(node, FP5).hash
    assert not PREVIOUS[FP6][1](node)  # no second fp-5 hash computed for it


@pytest.mark.django_db
def test_a_fresh_installation_keeps_the_twins_apart_after_an_event_naming_no_field(project):
    """The first event of the statement names no field; the twins that follow make their own
    issues instead of falling back (PREVIOUS) to the issue of their shared fp-5 hash."""
    fingerprint_mode(project)
    for value in ("Invalid cookie: a3,3", *TWINS, TWINS[0]):
        ingest(project, {"platform": "node", "exception": {"values": [
            {"type": "TypeError", "value": value,
             "stacktrace": {"frames": [WEB, SITE, SERIALIZE]}}]}})
    assert Issue.objects.count() == 3
    assert sorted(Issue.objects.values_list("times_seen", flat=True)) == [1, 1, 2]


def test_other_platforms_hash_as_under_faultline_fp_5():
    python = event("option domain is invalid", platform="python")
    browser = event("option domain is invalid", platform="javascript")
    for other in (python, browser):
        assert group(other).hash == group(other, FP5).hash


def test_the_mined_cookie_option_twins_part():
    """webviews' cookieOptions (a choice codebase): the domain, maxAge and sameSite faults of one
    `cookie.serialize` call, one TypeError, shared fingerprints under faultline-fp-5 and share
    none now."""
    labels: dict[str, set[str]] = {}
    fp5: dict[str, set[str]] = {}
    for row in lab_corpus.read_rows(CORPUS / "node-webviews.jsonl.zst"):
        label = lab_corpus.site_label(row)
        if "/session/cookieOptions:" not in label:
            continue
        normalized = normalize_event(row["event"], 1_700_000_000.0, "0" * 32)
        labels.setdefault(label, set()).add(group(normalized).hash)
        fp5.setdefault(label, set()).add(group(normalized, FP5).hash)
    assert len(labels) == 3
    assert any(fp5[a] & fp5[b] for a, b in itertools.combinations(fp5, 2))
    assert not any(labels[a] & labels[b] for a, b in itertools.combinations(labels, 2))


@pytest.mark.django_db
def test_issues_made_under_faultline_fp_5_keep_their_events(project):
    """An installation moving to faultline-fp-6 keeps its issues: an issue fp-5 made for the
    twins keeps taking both (each new hash falls back to the fp-5 hash, grouping.assign), as
    the move to faultline-fp-5 kept fp-3's issues."""

    def payload(value: str) -> dict:
        return {"platform": "node", "exception": {"values": [
            {"type": "TypeError", "value": value,
             "stacktrace": {"frames": [WEB, SITE, SERIALIZE]}}]}}

    fingerprint_mode(project)
    with served_config(FP5):
        ingest(project, payload("option domain is invalid"))
    (issue,) = Issue.objects.all()
    ingest(project, payload("option domain is invalid"))
    ingest(project, payload("option maxAge is invalid"))
    assert list(Issue.objects.values_list("id", flat=True)) == [issue.id]
    assert Issue.objects.get().times_seen == 3
    assert sorted(GroupHash.objects.values_list("fingerprint_config", flat=True)) == [
        FP5, FP6, FP6]


def test_faultline_fp_6_is_served_after_faultline_fp_5():
    assert DEFAULT_CONFIG == FP6
    assert PREVIOUS[FP6][0] == FP5 and FP5 in CONFIGURATIONS


def test_a_hostile_statement_and_message_fingerprint_in_bounded_time():
    """Every frame's statement at its bound, reading fields of one object, continued over the
    post-context, under every exception a message of field names at its bound."""
    line = "f(i.aaa, i.bbb, " + "i.c" * 30
    frames = [dict(frame(f"{APP}/f{n % 7}.js", "f", line), post_context=["i.d" * 39] * 10)
              for n in range(limits.EVENT_FRAMES_PER_STACK)]
    payload = {"platform": "node", "exception": [
        {"type": "TypeError", "value": ("aaa bbb " * 600)[:limits.EVENT_STRING_CHARS],
         "stacktrace": {"frames": frames}} for _ in range(limits.EVENT_EXCEPTIONS)]}
    start = time.perf_counter()
    group(payload)
    assert time.perf_counter() - start < 3.0  # about 0.5 s
