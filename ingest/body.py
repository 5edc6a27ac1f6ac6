"""Reading and decompressing request bodies within hard size limits.

Decompression streams and stops one byte past the limit, so a compression bomb costs at most
`limit` bytes of memory, never its expanded size.
"""

from __future__ import annotations

import base64
import binascii
import zlib

import brotli
import zstandard

from ingest.errors import IngestError, bad_request, too_large
from monitor import limits

CHUNK = 64 * 1024


def read_body(stream, content_length: int | None, limit: int) -> bytes:
    """Read at most `limit` bytes from a WSGI input stream; 413 past it.

    Without a Content-Length (chunked transfer encoding, as @sentry/node sends) the stream is read
    in CHUNK steps until it ends, so memory stays bounded by `limit` whatever the client sends.
    """
    if content_length is not None and content_length > limit:
        raise too_large(f"request body is {content_length} bytes; the limit is {limit}")
    if content_length is not None:
        data = stream.read(content_length)
        if len(data) < content_length:
            raise bad_request(f"request body ended after {len(data)} of {content_length} bytes")
        return data
    parts: list[bytes] = []
    size = 0
    while True:
        part = stream.read(min(CHUNK, limit + 1 - size))
        if not part:
            return b"".join(parts)
        parts.append(part)
        size += len(part)
        if size > limit:
            raise too_large(f"request body exceeds the limit of {limit} bytes")


def _zlib_stream(data: bytes, wbits: int, limit: int) -> bytes:
    decoder = zlib.decompressobj(wbits)
    out = bytearray()
    pending = data
    while pending:
        out += decoder.decompress(pending, limit + 1 - len(out))
        if len(out) > limit:
            raise too_large(f"decompressed body exceeds the limit of {limit} bytes")
        pending = decoder.unconsumed_tail
    out += decoder.flush()
    if len(out) > limit:
        raise too_large(f"decompressed body exceeds the limit of {limit} bytes")
    if not decoder.eof:
        raise bad_request("compressed body is truncated")
    return bytes(out)


def _deflate(data: bytes, limit: int) -> bytes:
    # "deflate" is zlib-wrapped by the spec, but many clients send raw deflate streams.
    try:
        return _zlib_stream(data, zlib.MAX_WBITS, limit)
    except zlib.error:
        return _zlib_stream(data, -zlib.MAX_WBITS, limit)


def _brotli(data: bytes, limit: int) -> bytes:
    decoder = brotli.Decompressor()
    out = bytearray(decoder.process(data, output_buffer_limit=limit + 1))
    while len(out) <= limit and not decoder.can_accept_more_data() and not decoder.is_finished():
        out += decoder.process(b"", output_buffer_limit=limit + 1 - len(out))
    if len(out) > limit:
        raise too_large(f"decompressed body exceeds the limit of {limit} bytes")
    if not decoder.is_finished():
        raise bad_request("compressed body is truncated")
    return bytes(out)


def _zstd(data: bytes, limit: int) -> bytes:
    # Small input steps bound what one call can expand to (an RLE block is 128 KiB from 4 bytes).
    # Concatenated frames are read in place (no copy of the rest of the body a frame), at most
    # limits.ZSTD_FRAMES of them; zero bytes after the last one are padding.
    step = 256
    out = bytearray()
    decoder = zstandard.ZstdDecompressor().decompressobj()
    end = len(data.rstrip(b"\0"))
    pos = frames = 0
    while pos < len(data):
        chunk = data[pos : pos + step]
        out += decoder.decompress(chunk)
        pos += len(chunk)
        if len(out) > limit:
            raise too_large(f"decompressed body exceeds the limit of {limit} bytes")
        if decoder.eof:  # concatenated frames: the next starts where this one's input ended
            pos -= len(decoder.unused_data)
            if pos >= end:
                return bytes(out)
            frames += 1
            if frames >= limits.ZSTD_FRAMES:
                raise too_large(f"compressed body has more than {limits.ZSTD_FRAMES} zstd frames")
            decoder = zstandard.ZstdDecompressor().decompressobj()
    if not decoder.eof:
        raise bad_request("compressed body is truncated")
    return bytes(out)


DECODERS = {
    "gzip": lambda data, limit: _zlib_stream(data, 16 + zlib.MAX_WBITS, limit),
    "x-gzip": lambda data, limit: _zlib_stream(data, 16 + zlib.MAX_WBITS, limit),
    "deflate": _deflate,
    "br": _brotli,
    "zstd": _zstd,
}


def codings(content_encoding: str | None) -> list[str]:
    """The Content-Encoding's codings other than identity, in the order applied; a 415 past
    limits.CONTENT_CODINGS of them (each may decompress up to the body's limit, so their number
    bounds the work of a request)."""
    encodings = [e.strip().lower() for e in (content_encoding or "").split(",") if e.strip()]
    encodings = [e for e in encodings if e != "identity"]
    if len(encodings) > limits.CONTENT_CODINGS:
        raise IngestError(415, f"more than {limits.CONTENT_CODINGS} stacked Content-Encodings")
    return encodings


def decode_content(data: bytes, content_encoding: str | None, limit: int) -> bytes:
    """Undo each Content-Encoding (applied in the listed order), bounded by `limit`."""
    for encoding in reversed(codings(content_encoding)):
        decoder = DECODERS.get(encoding)
        if decoder is None:
            raise IngestError(415, f"unsupported Content-Encoding: {encoding}")
        try:
            data = decoder(data, limit)
        except IngestError:
            raise
        except (zlib.error, brotli.error, zstandard.ZstdError) as exc:
            raise bad_request(f"could not decompress {encoding} body: {exc}") from exc
    if len(data) > limit:
        raise too_large(f"body exceeds the limit of {limit} bytes")
    return data


def _head_zlib(data: bytes, wbits: int, limit: int) -> bytes:
    return zlib.decompressobj(wbits).decompress(data, limit)


def _head_deflate(data: bytes, limit: int) -> bytes:
    try:
        return _head_zlib(data, zlib.MAX_WBITS, limit)
    except zlib.error:
        return _head_zlib(data, -zlib.MAX_WBITS, limit)


def _head_zstd(data: bytes, limit: int) -> bytes:
    decoder = zstandard.ZstdDecompressor().decompressobj()
    out = bytearray()
    for pos in range(0, len(data), 256):
        out += decoder.decompress(data[pos : pos + 256])
        if len(out) >= limit or decoder.eof:
            break
    return bytes(out[:limit])


HEAD_DECODERS = {
    "gzip": lambda data, limit: _head_zlib(data, 16 + zlib.MAX_WBITS, limit),
    "x-gzip": lambda data, limit: _head_zlib(data, 16 + zlib.MAX_WBITS, limit),
    "deflate": _head_deflate,
    "br": lambda data, limit: brotli.Decompressor().process(data, output_buffer_limit=limit),
    "zstd": _head_zstd,
}


def decode_head(data: bytes, content_encoding: str | None, limit: int) -> bytes:
    """At most the first `limit` decoded bytes, for reading an envelope's header line before the
    sender is authenticated: the rest of the body is not decompressed for an unknown sender."""
    for encoding in reversed(codings(content_encoding)):
        decoder = HEAD_DECODERS.get(encoding)
        if decoder is None:
            raise IngestError(415, f"unsupported Content-Encoding: {encoding}")
        try:
            data = decoder(data, limit)
        except (zlib.error, brotli.error, zstandard.ZstdError) as exc:
            raise bad_request(f"could not decompress {encoding} body: {exc}") from exc
    return data[:limit]


def decode_legacy_store_body(data: bytes, limit: int) -> bytes:
    """Old SDKs (raven) post base64 of a zlib stream to the store endpoint."""
    stripped = data.lstrip()
    if not stripped or stripped[:1] in (b"{", b"["):
        return data
    try:
        raw = base64.b64decode(stripped, validate=True)
    except (binascii.Error, ValueError):
        return data  # not base64: let the JSON parser report what is wrong
    try:
        return _deflate(raw, limit)
    except zlib.error:
        return raw
