"""What processing stores must not move when processing is made cheaper (issue 30).

Every real SDK payload of ../shared/sdk-payloads, a sample of the mined corpus (lab/corpus, its
choice codebases: the Go, browser JavaScript, Node, Python and Ruby SDKs' events), the events of
bench/ingest.py and seeded hostile events (NUL, lone surrogates, non-ASCII keys, card numbers,
URL passwords, sensitive keys, deep nesting, odd shapes) go through ingest.processing.prepare
with scrubbing on, on with extra keys, and off. Per case, a digest of what is stored and
grouped: the payload's bytes as stored (prepare's monitor.eventstore.encode, decompressed), the
event's columns and its grouping (hash, variant, components, configuration, previous hash). The
oracle is the code before the change (main at d372e75): tests/ingest/processing_outputs.json was
written by it, and rewritten when faultline-fp-3 became the default configuration (every event
records the configuration's name; with the name held, only the Go events' outputs moved) and
when faultline-fp-5 did (only Node events' components moved: docs/ml-grouping.md) and
faultline-fp-6 (every event records the name; components moved only for Ruby events and Node
statements reading several fields of one object), with
FAULTLINE_SDK_PAYLOADS naming ../shared/sdk-payloads where a worktree has none beside it:

    FAULTLINE_WRITE_OUTPUT_DIGESTS=1 .venv/bin/python -m pytest \
        tests/ingest/test_processing_outputs_stable.py -q

An independent check rides along: the payload's key order, as stored, is the order PostgreSQL's
jsonb gives the same document (asked of the test database).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import json
import os
import random
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
import zstandard

from lab.corpus import corpus_files, is_report_only, read_rows
from tests.helpers.sdk_payloads import GLITCHTIP

ROOT = Path(__file__).resolve().parents[2]
DIGESTS = Path(__file__).with_name("processing_outputs.json")
RECEIVED = dt.datetime(2026, 12, 7, 3, 0, 0, 123456, tzinfo=dt.UTC)
PER_CORPUS_FILE = 12
HOSTILE = 150
BENCH_EVENTS = 10
SDK_PREFIXES = ("incoming_events__", "envelopes__", "csp__")


def _bench_ingest():
    """bench/ingest.py, loaded by path as bench/common.py does (its name is the ingest app's)."""
    spec = importlib.util.spec_from_file_location("bench_ingest", ROOT / "bench" / "ingest.py")
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(ROOT / "bench"))  # its `common`
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(ROOT / "bench"))
    return module


def _sdk_cases() -> list[tuple[str, str, bytes]]:
    if not GLITCHTIP.is_dir():
        return []
    cases = []
    for path in sorted(GLITCHTIP.glob("*.json")):
        value = json.loads(path.read_text())
        if path.name.startswith("incoming_events__"):
            cases.append((path.name, "event", json.dumps(value).encode()))
        elif path.name.startswith("csp__"):
            cases.append((path.name, "csp", json.dumps(value).encode()))
        elif path.name.startswith("envelopes__"):
            for n, part in enumerate(value[1:]):
                if isinstance(part, dict) and ("exception" in part or "message" in part):
                    cases.append((f"{path.name}#{n}", "event", json.dumps(part).encode()))
    return cases


def _corpus_cases() -> list[tuple[str, str, bytes]]:
    """The first events of each choice codebase (the report-only ones are left alone)."""
    cases = []
    for path in corpus_files():
        if is_report_only(path.name.removesuffix(".jsonl.zst").partition("-")[2]):
            continue
        for n, row in enumerate(read_rows(path)):
            if n >= PER_CORPUS_FILE:
                break
            cases.append((f"{path.name}#{n}", "event", json.dumps(row["event"]).encode()))
    return cases


def _bench_cases() -> list[tuple[str, str, bytes]]:
    bench_ingest = _bench_ingest()
    cases = []
    for n in range(BENCH_EVENTS):
        event = dict(bench_ingest.realistic_event(n), event_id=f"{n:032x}",
                     timestamp=1_796_000_000.25 + n)
        cases.append((f"bench#{n}", "event", json.dumps(event).encode()))
    return cases


KEYS = ["a", "id", "url", "to", "from", "password", "X-Api-Key", "session_id", "Cookie",
        "authorization", "token", "ключ", "ä", "😀", "long_key_" * 8, "b c", "", "10", "ab",
        "AB", "Ab", "aB", "item", "z", "zz", "userName", "csrf_token", "query"]
TEXTS = ["", "x", "plain text", "with\x00nul", "lone \ud800 surrogate", "tab\tand\nnewline",
         "4111 1111 1111 1111", "card 4111-1111-1111-1111 end", "1234567890123",
         "https://user:hunter2@example.com/p?token=abc&q=1", "postgres://a:b@db/x",
         "ünïcödé ✓", "\u2028sep", "x" * 5000, "(" * 40, "a=1&password=2&b=3",
         "{not json", "app.3f2a9c1b.js", "Object.du [as cart/applyCoupon]", "{snip} x",
         "raise ValueError(", "  'closed')", "?", "<anonymous>", "NaN"]
PLATFORMS = ["python", "javascript", "node", "go", "java", "ruby", "php", "csharp", "other",
             "PYTHON", None, 3]


def _text(rng: random.Random) -> Any:
    pick = rng.random()
    if pick < 0.8:
        return rng.choice(TEXTS)
    return rng.choice([None, 0, -7, 2**70, 1.5, 1e300, True, [], {}, ["x", 1]])


def _value(rng: random.Random, depth: int) -> Any:
    pick = rng.random()
    if depth > 8 or pick < 0.5:
        return _text(rng)
    if pick < 0.75:
        return {rng.choice(KEYS): _value(rng, depth + 1) for _ in range(rng.randrange(5))}
    return [_value(rng, depth + 1) for _ in range(rng.randrange(4))]


def _frame(rng: random.Random) -> dict:
    frame: dict[str, Any] = {}
    for field in ("filename", "abs_path", "module", "function", "raw_function", "symbol",
                  "package", "platform", "instruction_addr", "context_line"):
        if rng.random() < 0.45:
            frame[field] = (rng.choice(PLATFORMS) if field == "platform"
                            else rng.choice(["app/main.py", "https://cdn.x/app.3f2a9c1b.js",
                                             "webpack:///src/a.ts", "file:///srv/x.rb", "/",
                                             "shop.cart", "charge", "t.fromObject", "bu"])
                            if rng.random() < 0.6 else _text(rng))
    for field in ("lineno", "colno"):
        if rng.random() < 0.5:
            frame[field] = rng.choice([1, 42, "17", " -3", 2.0, 2.5, True, None, "x"])
    for field in ("pre_context", "post_context"):
        if rng.random() < 0.3:
            frame[field] = [_text(rng) for _ in range(rng.randrange(14))]
    if rng.random() < 0.5:
        frame["in_app"] = rng.choice([True, False, "true", None])
    if rng.random() < 0.4:
        frame["vars"] = _value(rng, 0)
    return frame


def _hostile(n: int) -> dict:
    rng = random.Random(n)
    event: dict[str, Any] = {"event_id": f"{n:032x}"}
    if rng.random() < 0.7:
        event["platform"] = rng.choice(PLATFORMS)
    event["timestamp"] = rng.choice([1_796_000_000.5, 1_796_000_000_500, "2026-12-07T02:59:01Z",
                                     "2026-12-07T02:59:01.1234567+01:00", "bad", None, 9e99])
    for field in ("level", "logger", "transaction", "server_name", "release", "environment",
                  "dist", "message"):
        if rng.random() < 0.4:
            event[field] = _text(rng) if field != "level" else rng.choice(
                ["warn", "ERROR", 40, "critical", "bogus", None])
    stack = {"frames": [_frame(rng) for _ in range(rng.randrange(12))]}
    exceptions = [{"type": _text(rng), "value": _value(rng, 5), "module": _text(rng),
                   "stacktrace": stack, "mechanism": _value(rng, 3)}
                  for _ in range(rng.randrange(3))]
    shape = rng.random()
    if exceptions:
        event["exception"] = (exceptions[0] if shape < 0.3 else exceptions if shape < 0.6
                              else {"values": exceptions})
    elif shape < 0.5:
        event["threads"] = {"values": [{"id": rng.choice([1, "t", True]), "crashed": True,
                                        "stacktrace": stack}]}
    else:
        event["stacktrace"] = stack
    if rng.random() < 0.4:
        event["logentry"] = {"message": rng.choice(["%s failed for %d", "{} broke", "x"]),
                             "params": [_text(rng), 3]}
    if rng.random() < 0.5:
        headers: Any = {k: _text(rng) for k in rng.sample(KEYS, 4)}
        event["request"] = {
            "url": rng.choice(TEXTS), "method": rng.choice(["get", "POST", None]),
            "headers": headers if rng.random() < 0.5 else list(headers.items()),
            "cookies": rng.choice(["a=1; session=2", {"x": "y"}, None]),
            "query_string": rng.choice(["a=1&token=x", {"q": "1"}, [["password", "p"]], ""]),
            "data": rng.choice([_value(rng, 2), "a=1&password=2", '{"password": 1}']),
            "env": {"REMOTE_ADDR": rng.choice(["10.0.0.1", 5, None])},
        }
    if rng.random() < 0.5:
        event["user"] = {"id": rng.choice(["7", 7, None]), "email": _text(rng),
                         "ip_address": rng.choice(["10.1.2.3", 3, None]), "password": "pw",
                         "data": _value(rng, 2)}
    for field in ("contexts", "extra", "modules", "sdk"):
        if rng.random() < 0.4:
            event[field] = {k: _value(rng, 1) for k in rng.sample(KEYS, 3)}
    if rng.random() < 0.3:
        event["contexts"] = {"runtime": {"name": "CPython", "version": "3.12"},
                             "browser": {"name": _text(rng)}, "device": {"model": _text(rng)}}
    if rng.random() < 0.5:
        event["breadcrumbs"] = [{"message": _text(rng), "data": _value(rng, 2),
                                 "timestamp": rng.choice([1.5, "2026-01-01T00:00:00Z", None])}
                                for _ in range(rng.randrange(5))]
    tags = [[k, _text(rng)] for k in rng.sample(KEYS, 4)]
    event["tags"] = rng.choice([dict(tags), tags, [f"{k}:{v}" for k, v in tags], "bad"])
    if rng.random() < 0.2:
        event["fingerprint"] = rng.choice([["{{ default }}", "x"], ["{{type}}", "{{message}}"],
                                           ["a", None, 3]])
    return event


def _hostile_cases() -> list[tuple[str, str, bytes]]:
    return [(f"hostile#{n}", "event", json.dumps(_hostile(n)).encode()) for n in range(HOSTILE)]


def all_cases() -> list[tuple[str, str, bytes]]:
    return _sdk_cases() + _corpus_cases() + _bench_cases() + _hostile_cases()


SETTINGS = (("scrubbed", True, []), ("extra-keys", True, ["item", "user", "a"]),
            ("unscrubbed", False, []))


def _digest(prepared: Any) -> tuple[str, bytes]:
    event, grouping = prepared.event, prepared.grouping
    stored = zstandard.ZstdDecompressor().decompress(prepared.payload)  # what save() writes
    columns = [event.timestamp.isoformat(), event.grouping_hash, event.level, event.platform,
               event.title, event.release, event.environment, event.user, event.tags,
               prepared.tags, prepared.seed().culprit, prepared.seed().type,
               grouping.hash, grouping.variant, list(grouping.components), grouping.config,
               grouping.previous_hash]
    text = json.dumps(columns, ensure_ascii=True).encode() + b"\n" + stored
    return hashlib.sha256(text).hexdigest()[:20], stored


def _key(name: str, payload: bytes, setting: str) -> str:
    """A case's name with its input's hash: an input that changes is a new case, not a change."""
    return f"{name}@{hashlib.sha256(payload).hexdigest()[:12]} {setting}"


def _shape(value: Any) -> Any:
    """Objects' keys in order, containers nested, scalars left out (PostgreSQL writes numbers
    its own way: 1e+300 comes back as 1 and 300 zeros)."""
    if isinstance(value, dict):
        return [[key, _shape(item)] for key, item in value.items()]
    if isinstance(value, list):
        return [_shape(item) for item in value]
    return None


def test_processing_outputs_are_unchanged(project):
    from django.db import connection

    from ingest.models import RawEvent
    from ingest.processing import prepare

    cases = all_cases()
    assert len(cases) > 300
    found: dict[str, str] = {}
    with connection.cursor() as cursor:
        for name, kind, payload in cases:
            event_id = uuid.UUID(hashlib.md5(name.encode()).hexdigest())
            raw = RawEvent(id=1, project_id=project.id, event_id=event_id,
                           kind=kind, payload=payload, received_at=RECEIVED,
                           user_agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0")
            for label, scrub, extra in SETTINGS:
                project.scrub_data, project.scrub_extra_keys = scrub, extra
                try:
                    digest, stored = _digest(prepare(raw, project))
                except Exception as exc:  # a refusal is an outcome too
                    digest, stored = f"refused {type(exc).__name__}", b""
                found[_key(name, payload, label)] = digest
                if stored:  # jsonb's own key order, independent of eventstore.jsonb_order
                    cursor.execute("SELECT %s::jsonb::text", [stored.decode()])
                    in_postgres = json.loads(cursor.fetchone()[0])
                    assert _shape(json.loads(stored)) == _shape(in_postgres), name
    if os.environ.get("FAULTLINE_WRITE_OUTPUT_DIGESTS"):
        if not GLITCHTIP.is_dir():  # the digests would lose every SDK payload's
            pytest.fail(f"no SDK payloads at {GLITCHTIP}: name them with FAULTLINE_SDK_PAYLOADS")
        DIGESTS.write_text(json.dumps(found, indent=0, sort_keys=True) + "\n")
        pytest.skip(f"wrote {len(found)} digests to {DIGESTS.name}")
    expected = json.loads(DIGESTS.read_text())
    compared = {key for key in found if key in expected}
    changed = sorted(key for key in compared if found[key] != expected[key])
    assert not changed, f"{len(changed)} of {len(compared)} outputs changed: {changed[:10]}"
    # Events made here are always compared, the SDK payloads where this checkout has them; the
    # mined corpus grows and may be mined again, so its events count where they are the pinned
    # ones, and most of them must still be.
    made = {key for key in expected if key.startswith(("bench#", "hostile#"))}
    assert made <= compared
    sdk = {key for key in expected if key.startswith(SDK_PREFIXES)}
    assert sdk <= compared or not GLITCHTIP.is_dir()
    corpus = set(expected) - made - sdk
    assert len(corpus & compared) >= len(corpus) / 2


def test_the_digest_sees_a_changed_output(project):
    """The digest is not blind: one changed character of the payload or a column changes it."""
    from ingest.models import RawEvent
    from ingest.processing import prepare
    from monitor.eventstore import encode

    name, kind, payload = _bench_cases()[0]
    raw = RawEvent(id=1, project_id=project.id, event_id=uuid.UUID(int=1), kind=kind,
                   payload=payload, received_at=RECEIVED)
    prepared = prepare(raw, project)
    before, _ = _digest(prepared)
    prepared.payload = encode({**prepared.event.data, "culprit": "x"})
    changed, _ = _digest(prepared)
    assert changed != before
    prepared.event.title += "x"
    assert _digest(prepared)[0] != changed
