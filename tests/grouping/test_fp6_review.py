"""Review of faultline-fp-6 (grouping.fingerprint: Ruby's written names, Node's named field,
PREVIOUS) as an attacker and as a maintainer.

- A fresh installation: a Ruby event whose message quotes no name its crash statement writes
  hashed as under faultline-fp-5, so the twin that quotes one (its fp-6 hash new, its fp-5 hash
  the first one's) fell back to the first one's issue (grouping.assign): the merge fp-6 parts,
  made live. Every Ruby event with a crash statement now hashes apart from fp-5, as Node's
  statements of several fields do (field_component).
- Hostile cost: written_names searched one pattern per quoted name written anywhere in the
  statement, so a first line quoting ~900 pieces of its statement cost ~40 ms (a pattern
  compiled per name, thrashing re's cache); field_component read the application frames of
  every exception again (and PREVIOUS's check a third time), 3× faultline-fp-5's cost.
- The bounds test_fp5_hostile_cost.py holds Node events to, for faultline-fp-6 and for Ruby.
- Upgrades from faultline-fp-1, fp-3 and fp-5 keep their Ruby and Node issues; PREVIOUS's check
  holds for every choice-codebase corpus event whose fp-6 hash differs from its fp-5 one."""

from __future__ import annotations

import random
import re
import string
import time
from pathlib import Path

import pytest

from grouping.clean import app_site, clean_event, match_key, sdk_decided
from grouping.fingerprint import (
    FP1,
    FP3,
    FP5,
    FP6,
    PREVIOUS,
    application_frames,
    crash_line,
    field_component,
    group,
    named_field,
    quoted_names,
    statement_fields,
    written_names,
)
from ingest.normalize import normalize_event
from lab import corpus as lab_corpus
from monitor import limits
from monitor.models import Event, Issue
from tests.grouping.test_fp5_hostile_cost import HOSTILE, _node_event
from tests.helpers.events import ingest
from tests.helpers.processing import fingerprint_mode, processing_seconds, served_config

CORPUS = Path(__file__).resolve().parents[2] / "lab" / "corpus"
LOOKUP = '      contact = CONTACTS.fetch(message.fetch("user"))\n'
COOKIE = ('return cookie.serialize("sid", "x", { maxAge: input.maxAge, '
          'domain: input.domain });')


def _frame(path: str, function: str, line: str, lineno: int, in_app: bool = True) -> dict:
    return {"filename": path, "abs_path": f"/srv/app/{path}", "function": function,
            "lineno": lineno, "context_line": line, "post_context": ["    end"],
            "in_app": in_app}


def ruby_payload(value: str, line: str = LOOKUP, type_: str = "KeyError") -> dict:
    frames = [_frame("app/router.rb", "block in call", "  body = handler.call(params)\n", 32),
              _frame("app/contacts.rb", "lookup", line, 53)]
    return {"platform": "ruby", "exception": {"values": [
        {"type": type_, "value": value, "stacktrace": {"frames": frames}}]}}


def node_payload(value: str) -> dict:
    frames = [_frame("web.js", "?", "const result = handler(req.body);", 10),
              _frame("session.js", "cookieOptions", COOKIE, 20)]
    return {"platform": "node", "exception": {"values": [
        {"type": "TypeError", "value": value, "stacktrace": {"frames": frames}}]}}


def normalized(payload: dict) -> dict:
    return normalize_event(payload, 1_700_000_000.0, "0" * 32)


# -- a fresh installation keeps Ruby's twins apart ------------------------------------------

def test_a_ruby_event_quoting_no_written_name_hashes_apart_from_faultline_fp_5():
    unknown = normalized(ruby_payload('key not found: "raven5795"'))
    written = normalized(ruby_payload('key not found: "user"'))
    assert group(written).previous_hash == group(unknown, FP5).hash  # the twin's fallback
    assert group(unknown).hash != group(unknown, FP5).hash
    assert group(unknown).previous_hash == group(unknown, FP5).hash  # fp-5's issue kept
    # one fault whatever the input, apart from the twin
    other = normalized(ruby_payload('key not found: "lumen6915"'))
    assert group(other).hash == group(unknown).hash != group(written).hash


def test_a_ruby_event_without_a_crash_statement_hashes_as_under_faultline_fp_5():
    payload = ruby_payload('key not found: "user"')
    for frame in payload["exception"]["values"][0]["stacktrace"]["frames"]:
        del frame["context_line"]
    event = normalized(payload)
    assert group(event).hash == group(event, FP5).hash


@pytest.mark.django_db
def test_a_fresh_installation_keeps_ruby_twins_apart_after_an_unwritten_name(project):
    """The first event of the line quotes an input's key; the missing key the code writes, which
    follows, makes its own issue instead of falling back to the first one's (its fp-5 hash)."""
    fingerprint_mode(project)
    for value in ('key not found: "raven5795"', 'key not found: "user"',
                  'key not found: "user"', 'key not found: "lumen6915"'):
        ingest(project, ruby_payload(value))
    assert sorted(Issue.objects.values_list("times_seen", flat=True)) == [2, 2]


# -- upgrades keep their issues ---------------------------------------------------------------

UPGRADES = {
    "ruby": [ruby_payload('key not found: "user"'), ruby_payload('key not found: "raven5795"')],
    "node": [node_payload("option domain is invalid"), node_payload("option maxAge is invalid"),
             node_payload("Cannot read properties of null (reading 'x')")],
}


@pytest.mark.django_db
@pytest.mark.parametrize("earlier", [FP1, FP3, FP5])
@pytest.mark.parametrize("platform", UPGRADES)
def test_issues_made_under_an_earlier_configuration_keep_their_events(project, platform,
                                                                      earlier):
    """One fault's events, one issue under `earlier` (each a fingerprint of its own or one
    shared); after faultline-fp-6, each event joins the issue its own earlier hash made."""
    fingerprint_mode(project)
    payloads = UPGRADES[platform]
    with served_config(earlier):
        for payload in payloads:
            ingest(project, payload)
    issues = Issue.objects.count()
    for payload in payloads:
        ingest(project, payload)
    assert Issue.objects.count() == issues
    made = list(Event.objects.order_by("id").values_list("issue_id", flat=True))
    assert made[len(payloads):] == made[:len(payloads)]


def test_faultline_fp_6_falls_back_for_every_choice_corpus_event_it_hashes_otherwise():
    """PREVIOUS's check (which events need their fp-5 hash) holds for each Ruby and Node event
    of the choice codebases whose fp-6 hash differs, and that hash is the fallback kept."""
    can_differ = PREVIOUS[FP6][1]
    checked = differ = 0
    for path in lab_corpus.corpus_files(CORPUS):
        if not path.name.startswith(("ruby-", "node-")):
            continue
        for index, row in enumerate(lab_corpus.read_rows(path)):
            if lab_corpus.is_report_only(row["app"]):
                break
            event = normalize_event(row["event"], 1_700_000_000.0 + index, f"{index:032x}")
            six, five = group(event), group(event, FP5)
            checked += 1
            if six.hash != five.hash:
                differ += 1
                assert can_differ(event), (path.name, index)
                assert six.previous_hash == five.hash, (path.name, index)
    assert checked > 1000 and differ > 100


# -- hostile cost ------------------------------------------------------------------------------

def _statement_and_its_pieces() -> tuple[str, list[str], str]:
    """A Ruby crash line continued to its bound, and a first line quoting as many distinct
    pieces of it as normalization keeps (none a whole word of it)."""
    rng = random.Random(3)
    word = string.ascii_letters + string.digits + "_"
    context = "f(" + "".join(rng.choice(word) for _ in range(117))
    post = ["".join(rng.choice(word) for _ in range(119)) for _ in range(10)]
    full = " ".join([context, *post[:limits.FINGERPRINT_CONTINUATION_LINES]])
    pieces = list(dict.fromkeys(full[i:i + n] for n in (2, 3, 4) for i in range(len(full) - n)
                                if " " not in full[i:i + n]))
    message = "".join(f"'{p}'" for p in pieces)[:limits.EVENT_STRING_CHARS]
    return context, post, message


def test_written_names_is_not_a_pattern_per_quoted_piece_of_the_statement():
    context, post, message = _statement_and_its_pieces()
    full = " ".join([context, *post[:limits.FINGERPRINT_CONTINUATION_LINES]])
    assert len(re.findall(r"'([^']+)'", message)) > 500  # the hostile first line holds them
    start = time.perf_counter()
    for _ in range(20):
        assert written_names(message, full) == []
    assert time.perf_counter() - start < 0.2  # 20 × 25-45 ms when one pattern a name


def test_written_names_reads_the_first_names_of_the_line():
    names = [f"n{i}" for i in range(limits.FINGERPRINT_QUOTED_NAMES + 1)]
    statement = "x.fetch(" + ", ".join(names) + ")"
    message = " ".join(f"`{n}'" for n in names)
    assert written_names(message, statement) == names[:limits.FINGERPRINT_QUOTED_NAMES]
    assert quoted_names(message) == names[:limits.FINGERPRINT_QUOTED_NAMES]


# the pattern written_names stands for, read here only to check that it reads names alike
def _old_written(value: str, statement: str) -> list[str]:
    return [n for n in quoted_names(value)
            if re.search(rf"(?<![\w$@]){re.escape(n)}(?![\w?!])", statement)]


def test_written_names_reads_as_the_pattern_read_them():
    rng = random.Random(5)
    pieces = ["a", "b", "ab", "_", "$", "@", "?", "!", " ", ".", "é", "1", ":", "(", ")"]
    for _ in range(20_000):
        statement = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 10)))
        names = ["".join(rng.choice(pieces[:-2]) for _ in range(rng.randint(1, 3)))
                 for _ in range(3)]
        value = " ".join(f"'{n}'" for n in names)
        assert written_names(value, statement) == _old_written(value, statement), \
            (value, statement)


# field_component as it read the crash statement, here only to check that it reads it alike
def _old_field_component(exc: dict, frames: list[dict]) -> list[str]:
    line = crash_line(application_frames(frames))
    if not statement_fields(line):
        return []
    return ["field:" + named_field(str(exc.get("value") or ""), line)]


def test_the_node_field_is_read_of_the_crash_site_fp_5_keeps():
    """field_component reads the crash statement fp-5 keeps (the innermost in-app frame, which
    application_frames always keeps) without reading every caller's statement again."""
    rng = random.Random(9)
    lines = [COOKIE, "return handler(req.body);", "return run(input.aaa, input.bbb);",
             "return routes[job.route](x);", "return checkFeed(x);"]
    functions = ["checkFeed", "?", "Object.run [as run]", "handler", "cookieOptions"]
    values = ["option aaa", "option domain", "maxAge domain", ""]
    for _ in range(5_000):
        frames = [_frame(f"f{n}.js", rng.choice(functions), rng.choice(lines), n,
                         in_app=rng.random() < 0.7) for n in range(rng.randint(0, 6))]
        exc = {"value": rng.choice(values)}
        assert field_component(exc, frames) == _old_field_component(exc, frames), frames


def _open_quotes_node_event() -> dict:
    return normalized(_node_event(*HOSTILE["open-quotes"]))


def _fastest(event: dict, config: str) -> float:
    times = []
    for _ in range(3):
        start = time.perf_counter()
        group(event, config)
        times.append(time.perf_counter() - start)
    return min(times)


def test_faultline_fp_6_costs_about_what_faultline_fp_5_costs_on_a_hostile_node_event():
    event = _open_quotes_node_event()
    assert _fastest(event, FP6) < 2 * _fastest(event, FP5)  # 3× when reading frames thrice


def _ruby_hostile_event() -> dict:
    context, post, message = _statement_and_its_pieces()
    frames = [_frame(f"app/f{n % 7}.rb", "f", context, n) | {"post_context": post}
              for n in range(limits.EVENT_FRAMES_PER_STACK)]
    return {"platform": "ruby", "exception": {"values": [
        {"type": "NoMethodError", "value": message, "stacktrace": {"frames": frames}}
        for _ in range(limits.EVENT_EXCEPTIONS)]}}


def _hostile(name: str, platform: str) -> dict:
    payload = _ruby_hostile_event() if name == "quoted-pieces" else _node_event(*HOSTILE[name])
    payload["platform"] = platform
    return payload


CASES = [*HOSTILE, "quoted-pieces"]


@pytest.mark.parametrize("config", [FP5, FP6])
@pytest.mark.parametrize("platform", ["node", "ruby"])
@pytest.mark.parametrize("name", CASES)
def test_a_hostile_event_fingerprints_in_bounded_time(name, platform, config):
    """test_fp5_hostile_cost.py's bound on a Node event, for faultline-fp-6 and for Ruby."""
    event = normalized(_hostile(name, platform))
    start = time.perf_counter()
    group(event, config)
    assert time.perf_counter() - start < 3.0


@pytest.mark.django_db
@pytest.mark.parametrize("name", CASES)
def test_a_hostile_ruby_event_is_stored_in_bounded_time(project, name):
    elapsed = processing_seconds(project, _hostile(name, "ruby"))
    assert elapsed < 20.0, elapsed


# -- frames the SDK left undecided (grouping.clean) -------------------------------------------

PY_APP = {"module": "shop.orders", "function": "total", "filename": "shop/orders.py",
          "abs_path": "/srv/shop/orders.py", "lineno": 3, "context_line": "return sum(x)"}
PY_GENERATED = {"module": "lib.core", "function": "helper", "filename": "<string>",
                "abs_path": "<string>", "lineno": 2}


def _python(app_flag: object, generated_flag: object, platform: str = "python") -> dict:
    frames = [{**PY_APP, "in_app": app_flag}, {**PY_GENERATED, "in_app": generated_flag}]
    return normalized({"platform": platform, "exception": {"values": [
        {"type": "TypeError", "value": "bad", "stacktrace": {"frames": frames}}]}})


def _crash_function(event: dict) -> str:
    return (app_site(event)[0] or {}).get("function", "")


def test_an_explicit_none_is_undecided_and_a_non_bool_flag_is_no_mark():
    # in_app: null beside a frame marked in-app: undecided, not the application's
    assert sdk_decided(_python(True, None)) and _crash_function(_python(True, None)) == "total"
    # "true", 1, "yes": not sentry-python's marks (normalization keeps booleans only), so the
    # event is not decided and the path rules read both frames, as for an SDK without marks
    for flag in ("true", 1, "yes", [True], {"x": 1}):
        event = _python(flag, None)
        assert not sdk_decided(event), flag
        assert _crash_function(event) == _crash_function(_python(None, None))
        assert match_key(event, "function") == match_key(_python(None, None), "function") \
            == "TypeError|helper"  # the path rules' innermost in-app frame


def test_a_thread_stack_decides_as_an_exceptions_does():
    frames = [{**PY_APP, "in_app": True}, dict(PY_GENERATED)]
    event = normalized({"platform": "python", "message": "slow", "threads": {"values": [
        {"id": 1, "current": True, "stacktrace": {"frames": frames}}]}})
    assert sdk_decided(event)
    assert crash_frame_text(clean_event(event)).startswith("total in shop.orders")


def crash_frame_text(text: str) -> str:
    return next(line.strip() for line in text.splitlines() if line.startswith("  "))


@pytest.mark.parametrize("platform", ["ruby", "node", "go", "javascript", "php", "other"])
def test_other_platforms_are_never_decided_by_the_sdk(platform):
    event = _python(True, None, platform=platform)
    assert not sdk_decided(event)


def _odd(rng: random.Random) -> object:
    return rng.choice([None, "", "x", 0, 1, True, False, [], ["a", None, 3], {}, {"a": None},
                       "f(a.bbb, a.ccc", "`fetch' \"user\" 'x'", "\ud800", "(" * 50])


def test_odd_values_neither_raise_nor_fail_a_fingerprint_or_a_key():
    """Every field the fp-6 and undecided-frames code reads, odd as a payload sends it
    (None, numbers, lists, dicts, lone surrogates), normalized as ingest does."""
    rng = random.Random(13)
    fields = ["in_app", "context_line", "post_context", "function", "filename", "module",
              "lineno", "platform"]
    for n in range(400):
        frames = [{f: _odd(rng) for f in fields if rng.random() < 0.6} | {"function": "f"}
                  for _ in range(rng.randint(0, 4))]
        exceptions = [{"type": _odd(rng), "value": _odd(rng),
                       "stacktrace": rng.choice([{"frames": frames}, None, {}, []])}
                      for _ in range(rng.randint(0, 3))]
        payload = {"platform": rng.choice(["ruby", "node", "python", None, 3]),
                   "exception": rng.choice([{"values": exceptions}, exceptions, None]),
                   "threads": rng.choice([None, {"values": [{"current": True,
                                                             "stacktrace": {"frames": frames}}]}])}
        event = normalize_event(payload, 1_700_000_000.0, f"{n:032x}")
        for config in (FP5, FP6):
            group(event, config)
        PREVIOUS[FP6][1](event)
        sdk_decided(event)
        clean_event(event)
        app_site(event)
        for rule in ("function", "module", "names", "line", "type", "site", "site+callee"):
            match_key(event, rule)
