"""Reading and decompressing request bodies within hard size limits.

Decompression streams and stops one byte past the limit, so a compression bomb costs at most
`limit` bytes of memory, never its expanded size. What a request's body takes is held in its
`Ledger` (ingest.bodymemory) before it is allocated, step by step, so that all of a web
process's requests together stay within its body budget.
"""

from __future__ import annotations

import base64
import binascii
import zlib

import brotli
import zstandard

from ingest.bodymemory import UNCOUNTED, Ledger
from ingest.errors import IngestError, bad_request, too_large
from monitor import limits

CHUNK = 64 * 1024
READ_STEP_MAX = 4 * 1024 * 1024  # a large body is read (and held) in steps up to this size
DECODE_STEP = 1024 * 1024  # decompressed output held and produced per call
ZLIB_STEP = 64 * 1024  # compressed input bytes per zlib call
BROTLI_BLOCK = 32 * 1024  # the brotli binding's first output block
ZSTD_STEP = 256  # compressed input bytes per zstd call, at most
ZSTD_BYTE_OUTPUT = 128 * 1024 // 4  # what one input byte may expand to (RLE blocks)
# What is read of a body before its sender is known: enough to decode an envelope's header line
# (limits.ENVELOPE_HEADER_BYTES) through any content coding, whose framing adds bytes to
# incompressible input but never doubles it.
HEAD_READ_BYTES = 2 * limits.ENVELOPE_HEADER_BYTES


def read_body(stream, content_length: int | None, limit: int,
              ledger: Ledger = UNCOUNTED, first: bytes = b"") -> bytes:
    """Read at most `limit` bytes from a WSGI input stream; 413 past it.

    The body is read in growing steps (CHUNK, doubled up to READ_STEP_MAX), each held in
    `ledger` before it is read, so a large body's memory is reserved as it arrives, not as its
    Content-Length announces it. Without a Content-Length (chunked transfer encoding, as
    @sentry/node sends) the stream is read until it ends, so memory stays bounded by `limit`
    whatever the client sends. `first`: the body's start, already read (read_start) and held.
    """
    if content_length is not None and content_length > limit:
        raise too_large(f"request body is {content_length} bytes; the limit is {limit}")
    wanted = limit + 1 if content_length is None else content_length
    parts: list[bytes] = [first] if first else []
    size = len(first)
    step = CHUNK
    while size < wanted:
        ask = min(step, wanted - size)
        ledger.hold(ask)
        part = stream.read(ask)
        ledger.drop(ask - len(part))
        if not part:
            break
        parts.append(part)
        size += len(part)
        step = min(step * 2, READ_STEP_MAX)
    if content_length is not None and size < content_length:
        raise bad_request(f"request body ended after {size} of {content_length} bytes")
    if size > limit:
        raise too_large(f"request body exceeds the limit of {limit} bytes")
    if len(parts) <= 1:
        return parts[0] if parts else b""
    ledger.hold(size)  # the joined copy, while the parts still exist
    data = b"".join(parts)
    parts.clear()
    ledger.drop(size)
    return data


def read_start(stream, content_length: int | None, size: int, limit: int,
               ledger: Ledger = UNCOUNTED) -> bytes:
    """The body's first `size` bytes at most (fewer if it ends first), held in `ledger`: what
    is read of a body before its sender is known (the rest follows with read_body(first=...)).
    A declared length past `limit` is refused before anything is read."""
    if content_length is not None and content_length > limit:
        raise too_large(f"request body is {content_length} bytes; the limit is {limit}")
    wanted = size if content_length is None else min(size, content_length)
    parts: list[bytes] = []
    got = 0
    ledger.hold(wanted)
    while got < wanted:
        part = stream.read(wanted - got)
        if not part:
            break
        parts.append(part)
        got += len(part)
    ledger.drop(wanted - got)
    return b"".join(parts)


class _Output:
    """Decoded parts (exact-size bytes: a growing bytearray would hold up to an eighth more
    than its bytes) and their total, joined once at the end."""

    def __init__(self, ledger: Ledger):
        self.parts: list[bytes] = []
        self.size = 0
        self.ledger = ledger

    def add(self, part: bytes) -> None:
        if part:
            self.parts.append(part)
            self.size += len(part)

    def joined(self) -> bytes:
        """The bytes, the parts let go: the joined copy is held while both exist."""
        if len(self.parts) <= 1:
            return self.parts[0] if self.parts else b""
        self.ledger.hold(self.size)
        data = b"".join(self.parts)
        self.parts.clear()
        self.ledger.drop(self.size)
        return data


def _zlib_stream(data: bytes, wbits: int, limit: int, ledger: Ledger) -> bytes:
    # Input goes in ZLIB_STEP slices of a view: what zlib keeps of an unconsumed input (a copy,
    # `unconsumed_tail`) is then at most a slice, never the rest of the body.
    decoder = zlib.decompressobj(wbits)
    out = _Output(ledger)
    view = memoryview(data)
    pending: bytes | memoryview = b""
    pos = 0
    step = CHUNK
    while (pending or pos < len(data)) and not decoder.eof:
        if not pending:
            pending = view[pos : pos + ZLIB_STEP]
            pos += len(pending)
        room = min(step, limit + 1 - out.size)
        ledger.hold(room)
        part = decoder.decompress(pending, room)
        ledger.drop(room - len(part))
        out.add(part)
        step = min(2 * step, DECODE_STEP)
        if out.size > limit:
            raise too_large(f"decompressed body exceeds the limit of {limit} bytes")
        pending = decoder.unconsumed_tail
    tail = decoder.flush()  # at most a match's bytes: the input is all consumed
    ledger.hold(len(tail))
    out.add(tail)
    if out.size > limit:
        raise too_large(f"decompressed body exceeds the limit of {limit} bytes")
    if not decoder.eof:
        raise bad_request("compressed body is truncated")
    return out.joined()


def _deflate(data: bytes, limit: int, ledger: Ledger) -> bytes:
    # "deflate" is zlib-wrapped by the spec, but many clients send raw deflate streams.
    held = ledger.held
    try:
        return _zlib_stream(data, zlib.MAX_WBITS, limit, ledger)
    except zlib.error:
        pass  # retried after the handler: its traceback would keep the failed output alive
    ledger.drop(ledger.held - held)  # the failed attempt's output is gone
    return _zlib_stream(data, -zlib.MAX_WBITS, limit, ledger)


def _brotli(data: bytes, limit: int, ledger: Ledger) -> bytes:
    # The binding stops at the end of the output block that passes `output_buffer_limit`: a call
    # may give up to about twice that, and that is what is held before it.
    # Input goes in CHUNK slices, taken only when the decoder asks for more: the binding keeps a
    # copy of the input it has not used yet.
    decoder = brotli.Decompressor()
    out = _Output(ledger)
    view = memoryview(data)
    pos = 0
    step = CHUNK
    while out.size <= limit and not decoder.is_finished():
        pending = b""
        if decoder.can_accept_more_data() and pos < len(data):
            pending = view[pos : pos + CHUNK]
            pos += len(pending)
        room = min(step, limit + 1 - out.size)
        ledger.hold(2 * room + BROTLI_BLOCK)
        part = decoder.process(pending, output_buffer_limit=room)
        ledger.drop(2 * room + BROTLI_BLOCK - len(part))
        out.add(part)
        step = min(2 * step, DECODE_STEP)
        if not part and not pending and pos >= len(data):
            break  # the input is used up and nothing more comes: truncated
    if out.size > limit:
        raise too_large(f"decompressed body exceeds the limit of {limit} bytes")
    if not decoder.is_finished():
        raise bad_request("compressed body is truncated")
    return out.joined()


def _unpadded_length(data: bytes) -> int:
    """Its length without trailing zero bytes, looked at a CHUNK at a time (not a copy of it)."""
    end = len(data)
    while end:
        kept = len(data[max(0, end - CHUNK) : end].rstrip(b"\0"))
        if kept:
            return end - CHUNK + kept if end > CHUNK else kept
        end = max(0, end - CHUNK)
    return 0


def _zstd_window(data: bytes, pos: int) -> int:
    """The window the zstd frame at `pos` declares (its decoder's buffer: every decoded byte
    passes through it); a 400 past limits.ZSTD_WINDOW_BYTES or for a header that is not one."""
    try:
        window = zstandard.get_frame_parameters(data[pos : pos + 18]).window_size
    except zstandard.ZstdError as exc:
        raise bad_request(f"could not decompress zstd body: {exc}") from exc
    if window > limits.ZSTD_WINDOW_BYTES:
        raise bad_request(f"zstd frame window of {window} bytes; the limit is "
                          f"{limits.ZSTD_WINDOW_BYTES}")
    return window


def _zstd_frame(data: bytes, pos: int, ledger: Ledger):
    """A decoder for the frame at `pos`, its window held in `ledger`: (decoder, window)."""
    window = _zstd_window(data, pos)
    ledger.hold(window)
    decoder = zstandard.ZstdDecompressor(max_window_size=limits.ZSTD_WINDOW_BYTES)
    return decoder.decompressobj(), window


def _zstd(data: bytes, limit: int, ledger: Ledger) -> bytes:
    # Small input steps bound what one call can expand to: an RLE block is 128 KiB from 4 bytes
    # (3 of its header may have come in the call before), so a call of n input bytes gives at
    # most (n + 4) x 32 KiB, held before it. The steps grow from 4 bytes to ZSTD_STEP.
    # Concatenated frames are read in place (no copy of the rest of the body a frame), at most
    # limits.ZSTD_FRAMES of them; zero bytes after the last one are padding.
    out = _Output(ledger)
    end = _unpadded_length(data)
    pos = frames = 0
    decoder, window = _zstd_frame(data, pos, ledger)
    step = 4
    while pos < len(data):
        chunk = data[pos : pos + step]
        expansion = (len(chunk) + 4) * ZSTD_BYTE_OUTPUT
        ledger.hold(expansion)
        part = decoder.decompress(chunk)
        ledger.drop(expansion - len(part))
        out.add(part)
        step = min(2 * step, ZSTD_STEP)
        pos += len(chunk)
        if out.size > limit:
            raise too_large(f"decompressed body exceeds the limit of {limit} bytes")
        if decoder.eof:  # concatenated frames: the next starts where this one's input ended
            pos -= len(decoder.unused_data)
            if pos >= end:
                ledger.drop(window)
                return out.joined()
            frames += 1
            if frames >= limits.ZSTD_FRAMES:
                raise too_large(f"compressed body has more than {limits.ZSTD_FRAMES} zstd frames")
            ledger.drop(window)
            decoder, window = _zstd_frame(data, pos, ledger)
    if not decoder.eof:
        raise bad_request("compressed body is truncated")
    ledger.drop(window)
    return out.joined()


DECODERS = {
    "gzip": lambda data, limit, ledger: _zlib_stream(data, 16 + zlib.MAX_WBITS, limit, ledger),
    "x-gzip": lambda data, limit, ledger: _zlib_stream(data, 16 + zlib.MAX_WBITS, limit, ledger),
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


def decode_content(data: bytes, content_encoding: str | None, limit: int,
                   ledger: Ledger = UNCOUNTED) -> bytes:
    """Undo each Content-Encoding (applied in the listed order), bounded by `limit`.

    What each step decodes is held in `ledger` as it grows; an intermediate form (stacked
    codings) is dropped once the next is decoded. The caller keeps `data` and its count."""
    original = data
    for encoding in reversed(codings(content_encoding)):
        decoder = DECODERS.get(encoding)
        if decoder is None:
            raise IngestError(415, f"unsupported Content-Encoding: {encoding}")
        try:
            decoded = decoder(data, limit, ledger)
        except IngestError:
            raise
        except (zlib.error, brotli.error, zstandard.ZstdError) as exc:
            raise bad_request(f"could not decompress {encoding} body: {exc}") from exc
        if data is not original:
            ledger.drop(len(data))
        data = decoded
    if len(data) > limit:
        raise too_large(f"body exceeds the limit of {limit} bytes")
    return data


# Before the sender is known: the input goes in CHUNK slices (a decoder keeps a copy of the
# input it has not used), and nothing past `limit` decoded bytes is produced.
def _head_zlib(data: bytes, wbits: int, limit: int) -> bytes:
    decoder = zlib.decompressobj(wbits)
    view = memoryview(data)
    out = b""
    for pos in range(0, len(data), CHUNK):
        out += decoder.decompress(view[pos : pos + CHUNK], limit - len(out))
        if len(out) >= limit or decoder.eof:
            break
    return out


def _head_deflate(data: bytes, limit: int) -> bytes:
    try:
        return _head_zlib(data, zlib.MAX_WBITS, limit)
    except zlib.error:
        pass  # retried after the handler (its traceback holds the first attempt)
    return _head_zlib(data, -zlib.MAX_WBITS, limit)


def _head_brotli(data: bytes, limit: int) -> bytes:
    decoder = brotli.Decompressor()
    view = memoryview(data)
    out = b""
    pos = 0
    while len(out) < limit and not decoder.is_finished():
        pending = b""
        if decoder.can_accept_more_data() and pos < len(data):
            pending = view[pos : pos + CHUNK]
            pos += len(pending)
        part = decoder.process(pending, output_buffer_limit=limit - len(out))
        out += part
        if not part and not pending and pos >= len(data):
            break
    return out[:limit]


def _head_zstd(data: bytes, limit: int) -> bytes:
    _zstd_window(data, 0)
    decoder = zstandard.ZstdDecompressor(max_window_size=limits.ZSTD_WINDOW_BYTES).decompressobj()
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
    "br": _head_brotli,
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


def decode_legacy_store_body(data: bytes, limit: int, ledger: Ledger = UNCOUNTED) -> bytes:
    """Old SDKs (raven) post base64 of a zlib stream to the store endpoint. The caller keeps
    `data` and its count; what this decodes stays held in `ledger`."""
    ledger.hold(len(data) * 2)  # a stripped copy and at most its base64-decoded bytes
    stripped = data.lstrip()
    if not stripped or stripped[:1] in (b"{", b"["):
        ledger.drop(len(data) * 2)
        return data
    try:
        raw = base64.b64decode(stripped, validate=True)
    except (binascii.Error, ValueError):
        return data  # not base64: let the JSON parser report what is wrong
    try:
        return _deflate(raw, limit, ledger)
    except zlib.error:
        return raw
