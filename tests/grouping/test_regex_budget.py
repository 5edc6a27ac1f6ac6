"""Regular expressions on SDK text stay linear: inputs built to make a pattern retry
at every position ("a.a.a.…") must not cost seconds. The bound is generous: the quadratic
patterns took 4 s on 32 KB and minutes on 200 KB; linear ones take milliseconds."""

from __future__ import annotations

import itertools
import time

import pytest

from grouping.clean import clean_event
from grouping.fingerprint import group
from grouping.parameterize import parameterize
from ingest.normalize import normalize_event
from ingest.scrub import scrub_event, scrub_string

PIECES = ["a", ".", "-", "1", ":", "/", "@", " ", "_", "+"]
HOSTILE = ["".join(pair) * 100_000 for pair in itertools.product(PIECES, repeat=2)]


def _seconds(func, *args) -> float:
    start = time.perf_counter()
    func(*args)
    return time.perf_counter() - start


@pytest.mark.parametrize("func", [parameterize, scrub_string])
def test_text_functions_are_linear_on_hostile_strings(func):
    worst = max((_seconds(func, text), text[:4]) for text in HOSTILE)
    assert worst[0] < 1.0, f"{func.__name__} took {worst[0]:.2f}s on {worst[1]!r}…"


def test_a_whole_hostile_event_groups_quickly():
    text = "a." * 100_000
    event = {
        "message": text,
        "exception": {"values": [{"type": "E" + text, "value": text + "@x", "stacktrace": {
            "frames": [{"function": text, "filename": text, "context_line": text}] * 50}}]},
        "breadcrumbs": [{"message": text, "data": {"url": "http://" + text}}] * 10,
        "request": {"url": "http://" + text, "query_string": text},
    }
    data = normalize_event(event, 0.0, "b" * 32)
    elapsed = _seconds(lambda: (group(scrub_event(data)), clean_event(data)))
    assert elapsed < 2.0, f"{elapsed:.2f}s"
