"""faultline-fp-5 on hostile Node events: every frame's caller is read for the callee's name
(application_frames), and every application frame's function by its own name (own_name).
A function name made of `[as ` repeated, up to normalization's 4,096 characters, left the
`[as …]` pattern of grouping.clean (`^.*\\[as ([^\\]]+)\\]$`) to retry at every `[as ` once
own_name had cut the closing bracket: 8 ms a frame, about 50 s for one event of 25
exceptions × 250 frames. Stored and processed as ingest does."""

from __future__ import annotations

import random
import re
import time

import pytest

from grouping.clean import clean_function, v8_alias
from grouping.fingerprint import FP3, FP5, group, strings_out
from monitor import limits
from tests.helpers.processing import processing_seconds

ALIAS_REPEATED = "a" + " [as " * ((limits.EVENT_STRING_CHARS - 2) // 5) + "]"


def _node_event(function: str, line: str = "handler(req.body)", post: tuple = ()) -> dict:
    frames = [{"filename": f"/srv/app/src/f{i % 7}.js", "function": function, "in_app": True,
               "lineno": i, "context_line": line, "post_context": list(post)}
              for i in range(limits.EVENT_FRAMES_PER_STACK)]
    return {"platform": "node", "exception": {"values": [
        {"type": "TypeError", "value": f"boom {n}", "stacktrace": {"frames": frames}}
        for n in range(limits.EVENT_EXCEPTIONS)]}}


@pytest.mark.parametrize("name", [ALIAS_REPEATED, ALIAS_REPEATED[:-1]],
                         ids=["closed", "unclosed"])
def test_clean_function_is_linear_on_alias_repeated(name):
    start = time.perf_counter()
    for _ in range(50):
        clean_function(name)
    assert time.perf_counter() - start < 0.05  # 50 × 8 ms when quadratic


@pytest.mark.parametrize("config", [FP3, FP5])
def test_a_hostile_node_event_fingerprints_in_bounded_time(config):
    event = _node_event(ALIAS_REPEATED)
    event["exception"] = event["exception"]["values"]
    start = time.perf_counter()
    group(event, config)
    assert time.perf_counter() - start < 3.0  # about 50 s under fp-5 before the fix


# each: a function name, a context line and post-context lines at their bounds
HOSTILE = {
    "alias-repeated": (ALIAS_REPEATED, "handler(req.body)", ()),
    "lone-surrogate": ("é" * 4000 + "\ud800", "é(\ud800" + "(" * 100, ("(" * 119,) * 10),
    "open-quotes": ("f", 'h("' + '\\"' * 58, ('"' + '\\"' * 59,) * 10),
    "snip": ("f", "{snip} h(" + "x" * 100, ("{snip}",) * 10),
}


@pytest.mark.django_db
@pytest.mark.parametrize("hostile", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_node_event_is_stored_in_bounded_time(project, hostile):
    elapsed = processing_seconds(project, _node_event(*hostile))
    assert elapsed < 20.0, elapsed


# the pattern v8_alias replaces, read here only to check that it reads every name alike
_OLD_ALIAS = re.compile(r"^.*\[as ([^\]]+)\]$")


def test_the_alias_is_read_as_the_pattern_read_it():
    rng = random.Random(7)
    pieces = ["[as ", "]", " ", "a", ".", "\n", "[", "x]", "é", "[as ]"]
    names = ["Object.du [as cart/applyCoupon]", "f [as [as ]", "a\n [as b]", "a [as b]\n"]
    names += ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
              for _ in range(30_000)]
    for name in names:
        match = _OLD_ALIAS.match(name)
        assert v8_alias(name) == (match.group(1) if match else None), repr(name)
    assert v8_alias("Object.du [as cart/applyCoupon]") == "cart/applyCoupon"



# the pattern strings_out replaces, read here only to check that it reads every line alike
_OLD_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|`[^`\n]*`')


def test_strings_are_removed_as_the_pattern_removed_them():
    rng = random.Random(11)
    pieces = ['"', "'", "`", "\\", "a", "\n", " ", "(", '\\"']
    lines = ['f("a(", \'b\')', 'x = `t(${y}` + "\\"("', 'h("' + '\\"' * 5]
    lines += ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
              for _ in range(50_000)]
    for line in lines:
        assert strings_out(line) == _OLD_STRING.sub("", line), repr(line)


@pytest.mark.parametrize("line", ['h("' + '\\"' * 20_000, "'" + "\\'" * 20_000,
                                  '"' * 40_000 + "\\"])
def test_strings_out_is_linear_on_open_quotes(line):
    start = time.perf_counter()
    strings_out(line)
    assert time.perf_counter() - start < 0.5  # seconds to minutes when quadratic
