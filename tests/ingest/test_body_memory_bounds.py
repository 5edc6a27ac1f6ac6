"""What a body's decoding holds beyond its output: a zstd frame's window is its decoder's buffer
(every decoded byte passes through it), so a frame may not declare a window past
limits.ZSTD_WINDOW_BYTES; and a request's one bounded wait for body memory starts when it first
has to wait, not when it first drew on the budget (a slow upload is not refused at once)."""

import threading
import time

import pytest
import zstandard

from ingest.body import decode_content, decode_head
from ingest.bodymemory import Budget, Ledger
from ingest.errors import IngestError
from monitor import limits


def _zstd(data: bytes, window_log: int) -> bytes:
    params = zstandard.ZstdCompressionParameters.from_level(3, window_log=window_log,
                                                           write_content_size=False)
    compressor = zstandard.ZstdCompressor(compression_params=params)
    stream = compressor.compressobj()
    return stream.compress(data) + stream.flush()


def test_a_zstd_frame_declaring_a_window_past_the_limit_is_refused_before_decoding():
    body = _zstd(b'{"event_id": "0"}\n' * 100, window_log=27)  # a 128 MiB window
    assert zstandard.get_frame_parameters(body).window_size > limits.ZSTD_WINDOW_BYTES
    ledger = Ledger(None)
    with pytest.raises(IngestError) as refused:
        decode_content(body, "zstd", 1024 * 1024, ledger)
    assert refused.value.status == 400 and "window" in refused.value.detail
    with pytest.raises(IngestError):
        decode_head(body, "zstd", 1024)


def test_a_zstd_frame_within_the_window_limit_decodes_and_its_window_is_given_back():
    data = b'{"event_id": "0"}\n' * 100
    body = _zstd(data, window_log=23)  # 8 MiB: the largest allowed
    ledger = Ledger(None)
    assert decode_content(body, "zstd", 1024 * 1024, ledger) == data
    assert ledger.held == len(data)  # the output only: the window held while decoding is dropped
    assert decode_head(body, "zstd", 10) == data[:10]


def test_the_wait_for_body_memory_starts_at_the_first_wait(monkeypatch):
    monkeypatch.setattr(limits, "BODY_MEMORY_WAIT_SECONDS", 0.5)
    budget = Budget(limits.BODY_FREE_BYTES)
    slow = Ledger(budget)
    slow.hold(limits.BODY_FREE_BYTES + 1000)  # draws 1,000 bytes on the budget, no wait
    time.sleep(0.7)  # a slow upload: longer ago than the whole wait
    other = Ledger(budget)
    other.hold(limits.BODY_FREE_BYTES + budget.total - 1000)  # the budget is full
    threading.Timer(0.1, other.close).start()  # and has room again in 0.1 s
    slow.hold(1000)  # waits for that room instead of a 503 at once
    assert budget.waits >= 1 and slow.taken == 2000
    slow.close()
    assert budget.taken == 0
