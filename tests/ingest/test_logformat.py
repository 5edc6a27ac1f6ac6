"""Log templates from SDKs are formatted within bounds: a 100-byte event
must not build a 100 MB string, walk attributes, or index into parameters."""

from __future__ import annotations

import tracemalloc

import pytest

from ingest.logformat import format_logentry
from ingest.normalize import normalize_event
from monitor import limits


def _peak_bytes(func) -> int:
    tracemalloc.start()
    try:
        func()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_huge_widths_are_not_formatted_and_cost_no_memory():
    specs = " ".join(["%99999999d"] * 40) + " {:>99999999}"
    event = {"logentry": {"message": specs, "params": list(range(41))}}
    peak = _peak_bytes(lambda: normalize_event(event, 0.0, "a" * 32))
    assert peak < 5 * 1024 * 1024, f"normalizing took {peak / 2**20:.0f} MiB"
    data = normalize_event(event, 0.0, "a" * 32)
    assert data["message"].startswith("%99999999d")  # left as the template


@pytest.mark.parametrize(
    ("template", "params", "expected"),
    [
        ("%s failed after %d tries (%.1f s)", ["job", 3, 2.25], "job failed after 3 tries (2.2 s)"),
        ("%(user)s has %(n)05d", {"user": "ada", "n": 7}, "ada has 00007"),
        ("100%% of {0}", ["x"], "100% of {0}"),
        ("{} took {:>6.2f} ms", ["q", 1.5], "q took   1.50 ms"),
        ("{name!r} is {0}", {"name": "a", "0": "b"}, None),  # JSON keys are strings: no field 0
        ("{0.__class__.__mro__}", ["x"], None),
        ("{0[0]}", [["secret"]], None),
        ("{:{}}", ["x", 5], None),
        ("%*d", [5, 1], None),
        ("%s %s", ["only one"], None),
        ("%d", [10**400], None),
    ],
)
def test_formatting(template, params, expected):
    assert format_logentry(template, params) == expected


def test_output_is_bounded():
    text = format_logentry("%s" * 60, ["y" * 5000] * 60)
    assert text is not None and len(text) <= limits.LOG_OUTPUT_CHARS
