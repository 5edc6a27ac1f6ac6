"""Property-based tests of the pure pipeline stages on hostile payloads (hypothesis).

parse (ingest.payload) → normalize → scrub → fingerprint (grouping.fingerprint.group) → clean
(grouping.clean), and log template formatting (ingest.logformat). Whatever an SDK sends, each
stage either rejects it with a clean IngestError (4xx) or returns a storable result: JSON without
NaN, NUL or lone surrogates, columns within their database lengths, output bounded by the input,
and time and memory per example within a fixed budget.

Budget: the default profile ("ci") is derandomized with a fixed number of examples so `make test`
is deterministic and quick; `HYPOTHESIS_PROFILE=long` runs many more random examples locally.
"""

from __future__ import annotations

import json
import os
import time
import tracemalloc
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from embeddings.store import bounded_key
from grouping.clean import clean_event, match_key
from grouping.fingerprint import group
from ingest.errors import IngestError
from ingest.logformat import format_logentry
from ingest.normalize import normalize_event
from ingest.payload import parse_envelope, parse_json_object
from ingest.scrub import scrub_event
from monitor import limits

_COMMON = {
    "deadline": None,  # measured below against our own budget (contention makes deadlines flaky)
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
    "database": None,
}
settings.register_profile("ci", max_examples=150, derandomize=True, **_COMMON)
settings.register_profile("long", max_examples=5000, **_COMMON)
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

SECONDS_PER_EXAMPLE = 2.0  # generous for 2 shared cores; a quadratic regex takes far longer
PEAK_BYTES = 64 * 1024 * 1024  # tracemalloc peak per example (the OOM report was 490 MB)
MAX_EVENT_SIZE = 1024 * 1024  # settings.INGEST_MAX_EVENT_SIZE
RECEIVED = 1_767_225_600.0
EVENT_ID = "0123456789abcdef0123456789abcdef"

# -- strategies -------------------------------------------------------------------------------

SPECIALS = [
    "\x00", "\ud800", "\udfff", "\ufeff", "\u202e", "İ", "ﬃ", "ß", "\U0001f600", "\r\n", "\t",
    "%", "{", "}", "%s", "%d", "%99999999d", "%.99999f", "%*d", "%(a)s", "%%", "{}", "{0}",
    "{0:>99999}", "{a.b}", "{0[0]}", "{!r}", "{{", "}}", "a.", "a@", "http://u:p@h/",
    "4111 1111 1111 1111", "password", "0x7fffdeadbeef",
    "../../", "nan", "NaN", "-Infinity", "1e400", "9" * 30,
]
chars = st.one_of(
    st.characters(min_codepoint=0, max_codepoint=0x10FFFF), st.sampled_from(SPECIALS)
)
short_text = st.lists(chars, max_size=20).map("".join)
huge_text = st.builds(lambda piece, n: piece * n, short_text, st.integers(0, 5_000))
digits = st.integers(1, 5000).map(lambda n: "9" * n)  # past int()'s 4300-digit limit
text = st.one_of(short_text, short_text, huge_text, digits)
numbers = st.one_of(
    st.integers(),
    st.integers(min_value=-(10**4000), max_value=10**4000),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
)
leaf = st.one_of(st.none(), numbers, text)
any_json = st.recursive(
    leaf,
    lambda inner: st.lists(inner, max_size=6) | st.dictionaries(short_text, inner, max_size=6),
    max_leaves=30,
)


def either(plausible: st.SearchStrategy) -> st.SearchStrategy:
    """Mostly the expected shape, sometimes any JSON at all (wrong types everywhere)."""
    return st.one_of(plausible, plausible, any_json)


def many(item: st.SearchStrategy, top: int) -> st.SearchStrategy:
    """A few generated items, or one repeated up to `top` times (cheap to generate)."""
    return st.one_of(
        st.lists(item, max_size=4), st.builds(lambda x, n: [x] * n, item, st.integers(0, top))
    )


def obj(**fields: st.SearchStrategy) -> st.SearchStrategy:
    return st.fixed_dictionaries({}, optional={k: either(v) for k, v in fields.items()})


frame = obj(
    filename=text, abs_path=text, module=text, function=text, lineno=either(numbers),
    colno=numbers, context_line=text, pre_context=st.lists(text, max_size=3), in_app=leaf,
    vars=any_json, package=text, platform=text, instruction_addr=text,
)
stacktrace = obj(frames=many(frame, 400))
exception = obj(
    type=text, value=text, module=text, stacktrace=stacktrace,
    mechanism=obj(type=text, handled=leaf, data=any_json),
)
format_string = st.lists(st.sampled_from(SPECIALS + ["x", " ", "é"]), max_size=40).map("".join)
event = obj(
    event_id=text, timestamp=st.one_of(numbers, text), level=st.one_of(text, numbers),
    platform=text, logger=text, transaction=text, server_name=text, release=text, dist=text,
    environment=text, message=st.one_of(text, format_string, obj(message=format_string)),
    logentry=obj(message=format_string, formatted=text, params=st.one_of(
        st.lists(leaf, max_size=8), st.dictionaries(short_text, leaf, max_size=8))),
    exception=st.one_of(obj(values=many(exception, 40)), many(exception, 40)),
    threads=obj(values=many(obj(id=leaf, crashed=leaf, current=leaf, stacktrace=stacktrace), 60)),
    stacktrace=stacktrace,
    request=obj(url=text, method=text, headers=st.one_of(any_json, st.dictionaries(
        short_text, text, max_size=8)), data=any_json, query_string=st.one_of(text, any_json),
        cookies=st.one_of(text, any_json), env=any_json),
    user=obj(id=leaf, email=text, username=text, ip_address=text, data=any_json),
    tags=st.one_of(st.dictionaries(text, leaf, max_size=10), many(st.lists(leaf, max_size=3), 300)),
    contexts=st.dictionaries(short_text, obj(name=text, version=text, type=text), max_size=5),
    extra=any_json, modules=any_json, sdk=any_json,
    breadcrumbs=st.one_of(obj(values=many(obj(
        category=text, message=format_string, data=any_json, timestamp=numbers, level=text,
        type=text), 300)), any_json),
    fingerprint=st.lists(st.one_of(text, st.sampled_from(["{{ default }}", "{{type}}",
        "{{message}}", "{{transaction}}", "{{level}}"]), leaf), max_size=40),
)
extra_keys = st.one_of(st.just(()), st.lists(st.one_of(short_text, leaf), max_size=5), any_json)


def encode(value: Any) -> bytes:
    """As a (possibly careless) SDK would send it: NaN/Infinity literals, lone surrogates."""
    return json.dumps(value, allow_nan=True).encode()


# -- checks -----------------------------------------------------------------------------------


def assert_storable(value: Any) -> str:
    """What PostgreSQL's jsonb accepts: finite numbers, no NUL, valid UTF-8 (no lone surrogates)."""
    dumped = json.dumps(value, allow_nan=False, ensure_ascii=False)
    assert "\\u0000" not in dumped and "\x00" not in dumped
    dumped.encode("utf-8")  # raises on lone surrogates
    return dumped


class Budget:
    """Wall time and tracemalloc peak of one example."""

    def __enter__(self) -> Budget:
        tracemalloc.start()
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.start
        self.peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        if exc[0] is None:
            assert self.seconds < SECONDS_PER_EXAMPLE, f"took {self.seconds:.2f} s"
            assert self.peak < PEAK_BYTES, f"peak {self.peak / 2**20:.1f} MiB"


def _lap(name: str, start: float) -> float:
    now = time.perf_counter()
    assert now - start < SECONDS_PER_EXAMPLE, f"{name} took {now - start:.2f} s"
    return now


def pipeline(body: bytes, keys: Any = ()) -> dict | None:
    """The pure stages as processing runs them; None when the body is rejected."""
    try:
        payload = parse_json_object(body)
    except IngestError as exc:
        assert 400 <= exc.status < 500 and exc.detail
        return None
    stage = time.perf_counter()
    data = normalize_event(payload, RECEIVED, EVENT_ID)
    stage = _lap("normalize", stage)
    data = scrub_event(data, keys)
    stage = _lap("scrub", stage)
    grouping = group(data)
    stage = _lap("group", stage)
    data["grouping"] = {"hash": grouping.hash, "variant": grouping.variant}
    data["_clean"] = clean_event(data)
    data["_clean_no_message"] = clean_event(data, include_message=False)
    data["_match_key"] = bounded_key(match_key(data))  # as embeddings.store stores it
    _lap("clean", stage)
    assert len(grouping.hash) == 32
    return data


def assert_columns_fit(data: dict) -> None:
    """The Event / Issue / IssueTag columns (monitor.models) the stored event fills."""
    assert isinstance(data["timestamp"], float) and data["timestamp"] <= RECEIVED + 60
    assert 0 < len(data["title"]) <= 255 and len(data["culprit"]) <= 255
    assert len(data["level"]) <= 16 and len(data["platform"]) <= 64
    assert len(data.get("release", "")) <= 200 and len(data.get("environment", "")) <= 64
    for key, value in data["tags"]:
        assert isinstance(key, str) and isinstance(value, str)
        assert 0 < len(key) <= 64 and len(value) <= 200
    assert len(data["_clean"]) <= limits.EMBED_TEXT_CHARS and len(data["_match_key"]) <= 255


# -- properties -------------------------------------------------------------------------------


@PROFILE
@given(event=event, keys=extra_keys)
def test_hostile_events_are_stored_bounded_or_rejected(event, keys):
    body = encode(event)
    assume(len(body) <= MAX_EVENT_SIZE)  # larger bodies get a 413 before any stage runs
    with Budget():
        data = pipeline(body, keys)
    if data is None:
        return
    dumped = assert_storable(data)
    assert_columns_fit(data)
    # Nothing grows past a small multiple of what was sent (titles, tags and metadata repeat
    # parts of the message; \u escapes in the input count 6 bytes, in the output 1-4).
    assert len(dumped.encode()) <= 4 * len(body) + 64 * 1024


@PROFILE
@given(value=any_json)
def test_any_json_value_is_an_event_or_a_clean_rejection(value):
    with Budget():
        data = pipeline(encode(value))
    if data is not None:
        assert_storable(data)
        assert_columns_fit(data)


@PROFILE
@given(body=st.one_of(st.binary(max_size=2000), st.builds(
    lambda head, depth, tail: head + b"[" * depth + tail + b"]" * depth,
    st.sampled_from([b'{"extra": ', b'{"a":{"b":', b""]),
    st.integers(0, 200_000),
    st.sampled_from([b"", b"1", b"{}", b'"\\ud800"', b"NaN"]))))
def test_raw_bytes_and_deep_nesting(body):
    with Budget():
        data = pipeline(body)
    if data is not None:
        assert_storable(data)
        assert_columns_fit(data)


envelope_line = st.one_of(
    st.builds(lambda v: json.dumps(v).encode(), any_json),
    st.builds(
        lambda t, n: json.dumps({"type": t, "length": n}).encode(),
        st.one_of(short_text, leaf), st.one_of(st.integers(-5, 50), leaf),
    ),
    st.binary(max_size=60),
)


@PROFILE
@given(lines=st.lists(envelope_line, max_size=12), repeat=st.integers(0, 5000))
def test_envelopes_parse_within_their_item_limit_or_are_rejected(lines, repeat):
    body = b"\n".join(lines + lines[-1:] * repeat)
    with Budget():
        try:
            envelope = parse_envelope(body, max_items=100)
        except IngestError as exc:
            assert exc.status in (400, 413)
            return
    assert isinstance(envelope.headers, dict) and len(envelope.items) <= 100
    for item in envelope.items:
        assert isinstance(item.type, str) and item.type and isinstance(item.payload, bytes)


@PROFILE
@given(template=st.one_of(format_string, text), params=st.one_of(
    st.lists(st.one_of(leaf, any_json), max_size=10),
    st.dictionaries(short_text, st.one_of(leaf, any_json), max_size=10), leaf))
def test_log_templates_format_within_budget(template, params):
    with Budget():
        formatted = format_logentry(template, params)
    assert formatted is None or (isinstance(formatted, str)
                                 and len(formatted) <= limits.LOG_OUTPUT_CHARS)


@pytest.mark.parametrize(
    "template,params",
    [("%99999999d", [1]), ("{0:>99999999}", ["x"]), ("%.99999f" * 40, [1.0] * 40),
     ("{0[0][0][0]}", [[[[1]]]]), ("%(a)s %(a)s", {"a": "y" * 100_000}),
     ("{a.__class__}", {"a": 1})],
)
def test_known_format_bombs_stay_small(template, params):
    with Budget():
        formatted = format_logentry(template, params)
    assert formatted is None or len(formatted) <= limits.LOG_OUTPUT_CHARS


def test_scrubbed_tags_and_title_still_fit_their_columns():
    """Found by the properties above: "[Filtered]" is longer than the URL password it replaces,
    so a 200-character url/release tag or a 255-character title outgrew its varchar column."""
    url = "http://u:p@h/" + "a" * 300
    body = encode({"release": url, "tags": {"url": url}, "message": url})
    data = pipeline(body)
    assert_columns_fit(data)
    assert "[Filtered]" in dict(data["tags"])["url"]
