"""The nesting scan (ingest.payload.nesting_exceeds), attacked: it must cost linear time on any
body, and no string or escape trick may make it count less nesting than the JSON reader then
enters (the reader's RecursionError is no longer caught: an undercount is a 500, or a payload
deeper than the rule reaching the worker)."""

from __future__ import annotations

import json
import random
import time
import tracemalloc

import pytest

from ingest.errors import IngestError
from ingest.payload import loads, nesting_exceeds, parse_json_object
from monitor import limits

DEEP = 3000  # past the reader's recursion limit: an undercount shows as a RecursionError


def test_escaped_quotes_that_never_close_cost_linear_time():
    """`"\\"\\"\\"…` has a string opening at every quote and closing at none: a regex that
    retries from each quote and rescans to the end is quadratic (64 KiB took seconds)."""
    hostile = b'{"a":"' + b'\\"' * 32_000 + b"[" * (limits.JSON_NESTING + 1)
    started = time.perf_counter()
    nesting_exceeds(hostile, limits.JSON_NESTING)
    with pytest.raises(IngestError) as refused:
        parse_json_object(hostile)
    assert refused.value.status == 400
    assert time.perf_counter() - started < 1.0


def test_a_string_of_many_escapes_is_scanned_in_little_memory():
    """A valid 1 MiB string of escapes (JSON inside JSON): a regex keeping backtracking state per
    escape held about 75 MiB to scan it."""
    text = b'{"a":"' + b'\\"' * 500_000 + b'", "b":' + b"[" * 200 + b"]" * 200 + b"}"
    tracemalloc.start()
    try:
        assert nesting_exceeds(text, limits.JSON_NESTING)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * 2**20


@pytest.mark.parametrize("prefix", [
    '["\\\\", ', '["\\"", ', '["\\u0022", ', '["]]]]", ', '["\\\\\\"]]", ', '["é€😀", ',
    '["\\/", ', '[{"k\\"]":"]"}, ',
])
def test_strings_and_escapes_before_the_nesting_do_not_hide_it(prefix):
    text = prefix + "[" * DEEP + "]" * DEEP + "]"
    assert nesting_exceeds(text, limits.JSON_NESTING)
    assert nesting_exceeds(text.encode(), limits.JSON_NESTING)
    assert nesting_exceeds(b"\xef\xbb\xbf" + text.encode(), limits.JSON_NESTING)
    with pytest.raises(IngestError):
        parse_json_object(text.encode())


def test_a_utf16_body_read_as_bytes_cannot_hide_its_nesting():
    """json.loads(bytes) also reads UTF-16: a character whose code unit holds the byte of `"`
    (U+2200 is 00 22 little-endian) would shift every string the scan sees."""
    text = '["\u2200",' + "[" * DEEP + "]" * DEEP + ',"z"]'
    with pytest.raises(ValueError):
        loads(text.encode("utf-16-le"))  # too deep or unreadable; never a RecursionError


def test_random_junk_never_makes_the_scan_undercount():
    """Differential: whatever precedes deep nesting, either the scan says too deep or the reader
    refuses before it recurses past its limit."""
    pieces = ['"', "\\", "[", "]", "{", "}", "a", ",", ":", "\n", "\\u", "0", "é", " ", '\\"']
    rng = random.Random(7)
    for _ in range(3000):
        junk = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        text = junk + "[" * DEEP + "]" * DEEP
        if nesting_exceeds(text, limits.JSON_NESTING):
            continue
        try:
            json.loads(text)
        except RecursionError:
            pytest.fail(f"scan undercounts after {junk!r}")
        except ValueError:
            pass
