"""Body limits and every Content-Encoding, including compression bombs."""

import gzip
import io
import zlib

import brotli
import pytest
import zstandard

from ingest.body import decode_content, decode_legacy_store_body, read_body
from ingest.errors import IngestError

DATA = b'{"message": "hello"}' * 50
LIMIT = 64 * 1024


def raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


ENCODERS = {
    "gzip": gzip.compress,
    "x-gzip": gzip.compress,
    "deflate": zlib.compress,
    "br": brotli.compress,
    "zstd": lambda d: zstandard.ZstdCompressor().compress(d),
}


@pytest.mark.parametrize("encoding", sorted(ENCODERS))
def test_each_encoding_round_trips(encoding):
    assert decode_content(ENCODERS[encoding](DATA), encoding, LIMIT) == DATA


def test_raw_deflate_is_accepted_as_deflate():
    assert decode_content(raw_deflate(DATA), "deflate", LIMIT) == DATA


def test_identity_and_stacked_encodings():
    assert decode_content(DATA, None, LIMIT) == DATA
    assert decode_content(DATA, "identity", LIMIT) == DATA
    stacked = brotli.compress(gzip.compress(DATA))
    assert decode_content(stacked, "gzip, br", LIMIT) == DATA


def test_zstd_without_content_size_in_frame_header():
    out = io.BytesIO()
    with zstandard.ZstdCompressor().stream_writer(out, closefd=False) as writer:
        writer.write(DATA)
    assert decode_content(out.getvalue(), "zstd", LIMIT) == DATA


BOMB = b"\0" * (50 * 1024 * 1024)  # 50 MiB of zeros compresses to a few KiB


@pytest.mark.parametrize("encoding", sorted(ENCODERS))
def test_compression_bomb_is_rejected_with_413(encoding):
    compressed = ENCODERS[encoding](BOMB)
    assert len(compressed) < 200 * 1024
    with pytest.raises(IngestError) as info:
        decode_content(compressed, encoding, LIMIT)
    assert info.value.status == 413


def test_bomb_stops_at_the_limit_without_expanding(monkeypatch):
    import tracemalloc

    compressed = gzip.compress(BOMB)
    tracemalloc.start()
    with pytest.raises(IngestError):
        decode_content(compressed, "gzip", LIMIT)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 4 * LIMIT + 1024 * 1024, peak


@pytest.mark.parametrize("encoding", sorted(ENCODERS))
def test_garbage_and_truncated_bodies_are_400(encoding):
    with pytest.raises(IngestError) as info:
        decode_content(b"definitely not compressed", encoding, LIMIT)
    assert info.value.status == 400
    truncated = ENCODERS[encoding](DATA * 20)[:-8]
    with pytest.raises(IngestError) as info:
        decode_content(truncated, encoding, LIMIT)
    assert info.value.status == 400


def test_unknown_encoding_is_415():
    with pytest.raises(IngestError) as info:
        decode_content(DATA, "lzma", LIMIT)
    assert info.value.status == 415


def test_read_body_enforces_the_limit_from_header_and_stream():
    with pytest.raises(IngestError) as info:
        read_body(io.BytesIO(b"x" * 10), content_length=LIMIT + 1, limit=LIMIT)
    assert info.value.status == 413
    with pytest.raises(IngestError) as info:  # lying or absent Content-Length (chunked)
        read_body(io.BytesIO(b"x" * (LIMIT + 5)), content_length=None, limit=LIMIT)
    assert info.value.status == 413
    assert read_body(io.BytesIO(b"x" * LIMIT), content_length=LIMIT, limit=LIMIT) == b"x" * LIMIT


def test_legacy_base64_zlib_store_body():
    import base64

    encoded = base64.b64encode(zlib.compress(DATA))
    assert decode_legacy_store_body(encoded, LIMIT) == DATA
    assert decode_legacy_store_body(DATA, LIMIT) == DATA
