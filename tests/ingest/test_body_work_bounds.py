"""The work of decoding and splitting a body is bounded by its limits, not by how it is built:
stacked content codings each decompress up to the limit (so their number is bounded), and a
run of blank lines between envelope items is skipped in one step, not one Python step a byte
(which holds the GIL, stalling every thread of the web process)."""

import gzip
import sys

import pytest
import zstandard

from ingest.body import decode_content, decode_head
from ingest.errors import IngestError
from ingest.payload import parse_envelope
from monitor import limits

DATA = b'{"message": "hello"}' * 50
LIMIT = 64 * 1024


def stacked_gzip(data: bytes, layers: int) -> bytes:
    for _ in range(layers):
        data = gzip.compress(data)
    return data


def test_as_many_stacked_codings_as_the_bound_decode():
    layers = limits.CONTENT_CODINGS
    header = ", ".join(["gzip"] * layers)
    assert decode_content(stacked_gzip(DATA, layers), header, LIMIT) == DATA
    assert decode_head(stacked_gzip(DATA, layers), header, LIMIT) == DATA


@pytest.mark.parametrize("decode", [decode_content, decode_head])
def test_more_stacked_codings_than_the_bound_are_refused_before_decoding(decode):
    layers = limits.CONTENT_CODINGS + 1
    with pytest.raises(IngestError) as refused:
        decode(stacked_gzip(DATA, layers), ", ".join(["gzip"] * layers), LIMIT)
    assert refused.value.status == 415
    assert f"more than {limits.CONTENT_CODINGS}" in refused.value.detail


def test_identity_codings_do_not_count():
    header = ", ".join(["identity"] * 50 + ["gzip"])
    assert decode_content(gzip.compress(DATA), header, LIMIT) == DATA


def python_lines_run(function, *args) -> int:
    """How many lines of Python `function` runs for `args` (its own frame only)."""
    count = 0
    code = function.__code__

    def local(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return local

    def trace(frame, event, arg):
        return local if frame.f_code is code else None

    sys.settrace(trace)
    try:
        function(*args)
    finally:
        sys.settrace(None)
    return count


def test_blank_lines_between_items_cost_no_python_step_each():
    item = b'{"type": "event", "length": 2}\n{}\n'
    few = b"{}\n" + item + b"\n" * 10 + item
    many = b"{}\n" + item + b"\n" * 200_000 + item
    assert len(parse_envelope(many).items) == 2
    assert python_lines_run(parse_envelope, many) < 2 * python_lines_run(parse_envelope, few)


def zstd_frames(*parts: bytes) -> bytes:
    return b"".join(zstandard.ZstdCompressor().compress(part) for part in parts)


def test_concatenated_zstd_frames_decode_with_zero_padding_after_them():
    body = zstd_frames(DATA[:300], DATA[300:], b"") + b"\0" * 1000
    assert decode_content(body, "zstd", LIMIT) == DATA


def test_more_zstd_frames_than_the_bound_are_refused():
    """Each frame ended re-read the rest of the body (a copy of it a frame: 360 KB of empty
    frames took 4.7 s of CPU, a 20 MiB envelope hours); frames past the bound are refused."""
    body = zstd_frames(b"{}", *[b""] * limits.ZSTD_FRAMES)
    with pytest.raises(IngestError) as refused:
        decode_content(body, "zstd", LIMIT)
    assert refused.value.status == 413
    assert decode_content(zstd_frames(b"{}", *[b""] * (limits.ZSTD_FRAMES - 1)), "zstd",
                          LIMIT) == b"{}"


def many_objects(size: int) -> bytes:
    """A JSON value of `size` bytes holding size/3 empty objects: ~26x its size in memory."""
    return b"[" + b"{}," * (size // 3) + b"{}]"


@pytest.mark.parametrize("line", ["envelope", "item"])
def test_an_envelope_header_line_past_the_bound_is_refused_before_it_is_parsed(line):
    """10 MiB of header line (10 KB gzipped) held 265 MiB once parsed; the envelope's 100 MiB,
    2.6 GiB: header lines are bounded as the one read before the sender is known."""
    long = b'{"type": "attachment", "x": ' + many_objects(limits.ENVELOPE_HEADER_BYTES) + b"}"
    envelope = (long + b"\n" if line == "envelope" else b'{}\n' + long + b"\nx\n")
    with pytest.raises(IngestError) as refused:
        parse_envelope(envelope)
    assert refused.value.status == 400
    assert f"longer than {limits.ENVELOPE_HEADER_BYTES} bytes" in refused.value.detail


def test_a_feedback_item_past_the_event_size_is_refused_before_it_is_parsed(settings):
    from feedback.accept import parse_item

    settings.INGEST_MAX_EVENT_SIZE = 64 * 1024
    with pytest.raises(IngestError) as refused:
        parse_item("user_report", b'{"x": ' + many_objects(100 * 1024) + b"}", None)
    assert refused.value.status == 413
