"""Parsing of event payloads and envelopes as they arrive, before anything is stored."""

from __future__ import annotations

import json
import math
import re
import uuid
from dataclasses import dataclass

import numpy

from ingest.errors import bad_request, too_large
from monitor import limits

BLANK_LINES = re.compile(rb"\n+")
# A JSON string: no alternation per character, and it never fails once a quote opened it (an
# unterminated one runs to the end: the reader refuses there, before any bracket after it), so
# there are no retries from every later quote, which made `"\"\"\"…` quadratic. Possessive:
# no backtracking state per escape (a string of 500k escapes held 75 MiB). DOTALL: an escaped
# newline stays inside its string.
JSON_STRING = re.compile(rb'"[^"\\]*+(?:\\.[^"\\]*+)*+"?', re.DOTALL)
# An opening bracket as +1, a closing one as -1 (int8), every other byte dropped.
BRACKET_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")
NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def _no_constant(name: str) -> None:
    """NaN and ±Infinity (Python's json.dumps writes them) become null: jsonb has no NaN."""
    return None


def _finite_float(text: str) -> float | None:
    number = float(text)
    return number if math.isfinite(number) else None  # 1e400 parses as inf


class TooDeep(ValueError):
    """JSON nested past limits.JSON_NESTING."""


def nesting_exceeds(text: str | bytes, limit: int) -> bool:
    """Whether JSON text nests deeper than `limit`, read without parsing it: strings dropped,
    then the running sum of the brackets' steps, in C (a 1 MiB body is a few milliseconds,
    however it nests). Unbalanced text is the parser's to refuse."""
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    if data.count(b"[") + data.count(b"{") <= limit:
        return False
    steps = JSON_STRING.sub(b"", data).translate(BRACKET_STEPS, NOT_BRACKETS)
    if len(steps) <= limit:
        return False
    depths = numpy.cumsum(numpy.frombuffer(steps, dtype=numpy.int8), dtype=numpy.int32)
    return int(depths.max()) > limit


def loads(text: str | bytes) -> object:
    """The one JSON reader for SDK payloads, at accept time and in processing. Nesting past
    limits.JSON_NESTING is a ValueError, whatever the stack depth of the reader's caller."""
    if isinstance(text, bytes):  # UTF-8 only, as at the edge: UTF-16 would hide brackets
        text = text.decode("utf-8-sig", "surrogatepass")  # how json.loads reads UTF-8 bytes
    if nesting_exceeds(text, limits.JSON_NESTING):
        raise TooDeep(f"nested deeper than {limits.JSON_NESTING} levels")
    return json.loads(text, parse_constant=_no_constant, parse_float=_finite_float)


def parse_json_object(data: bytes, what: str = "body") -> dict:
    """UTF-8 JSON object or a 400 that says what is wrong."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise bad_request(f"{what} is not valid UTF-8 (byte {exc.start})") from exc
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        value = loads(text)
    except json.JSONDecodeError as exc:
        raise bad_request(
            f"{what} is malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from exc
    except TooDeep as exc:
        raise bad_request(f"{what} is nested too deeply: {exc}") from exc
    except ValueError as exc:  # e.g. an integer past Python's digit limit
        raise bad_request(f"{what} is not acceptable JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise bad_request(f"{what} must be a JSON object, not {type(value).__name__}")
    return value


def parse_event_id(value: object) -> uuid.UUID | None:
    """An event id as SDKs send it (32 hex digits or a dashed UUID); None when absent."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise bad_request("event_id must be a string of 32 hex digits")
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise bad_request(f"event_id {value[:40]!r} is not a valid id (32 hex digits)") from exc


@dataclass(frozen=True)
class EnvelopeItem:
    type: str
    headers: dict
    payload: bytes


@dataclass(frozen=True)
class Envelope:
    headers: dict
    items: list[EnvelopeItem]


def _header_line(data: bytes, pos: int, what: str) -> tuple[dict, int]:
    """A header line within limits.ENVELOPE_HEADER_BYTES, checked before it is parsed (parsed
    JSON holds many times its bytes: `[{},{},...]` ~26)."""
    end = data.find(b"\n", pos, pos + limits.ENVELOPE_HEADER_BYTES + 1)
    if end == -1 and len(data) - pos > limits.ENVELOPE_HEADER_BYTES:
        raise bad_request(f"{what} is longer than {limits.ENVELOPE_HEADER_BYTES} bytes")
    line = data[pos:] if end == -1 else data[pos:end]
    return parse_json_object(line, what), (len(data) if end == -1 else end + 1)


def parse_envelope_header(head: bytes) -> dict:
    """The envelope's first line (from the decoded head of the body), or a 400."""
    if not head.strip():
        raise bad_request("envelope is empty")
    end = head.find(b"\n")
    if end == -1 and len(head) >= limits.ENVELOPE_HEADER_BYTES:
        raise bad_request(f"envelope header is longer than {limits.ENVELOPE_HEADER_BYTES} bytes")
    return parse_json_object(head if end == -1 else head[:end], "envelope header")




def parse_envelope(data: bytes, max_items: int = 100) -> Envelope:
    """Split an envelope into its header and items (https://develop.sentry.dev/sdk/envelopes/).

    Items carry an explicit `length` or run to the next newline. Past `max_items` items the
    envelope is refused (413) before the rest is parsed.
    """
    if not data or data.isspace():  # not strip(): that copies the whole envelope
        raise bad_request("envelope is empty")
    headers, pos = _header_line(data, 0, "envelope header")
    items: list[EnvelopeItem] = []
    while pos < len(data):
        if data[pos : pos + 1] == b"\n":  # tolerate blank lines between items: a run in one
            pos = BLANK_LINES.match(data, pos).end()  # step (one a byte holds the GIL long)
            continue
        if len(items) >= max_items:
            raise too_large(f"envelope has more than {max_items} items")
        item_headers, pos = _header_line(data, pos, f"envelope item {len(items) + 1} header")
        item_type = item_headers.get("type")
        if not isinstance(item_type, str) or not item_type:
            raise bad_request(f"envelope item {len(items) + 1} has no type")
        length = item_headers.get("length")
        if length is not None:
            if not isinstance(length, int) or isinstance(length, bool) or length < 0:
                raise bad_request(f"envelope item {len(items) + 1} has an invalid length")
            payload = data[pos : pos + length]
            if len(payload) < length:
                raise bad_request(
                    f"envelope item {len(items) + 1} is truncated: {len(payload)} of {length} bytes"
                )
            pos += length
            if data[pos : pos + 1] == b"\n":
                pos += 1
        else:
            end = data.find(b"\n", pos)
            payload = data[pos:] if end == -1 else data[pos:end]
            pos = len(data) if end == -1 else end + 1
        items.append(EnvelopeItem(item_type, item_headers, payload))
    return Envelope(headers, items)
