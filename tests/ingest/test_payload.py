"""Event JSON and envelope framing as they arrive."""

import json
import uuid

import pytest

from ingest.errors import IngestError
from ingest.payload import parse_envelope, parse_event_id, parse_json_object


def test_json_object_errors_say_what_is_wrong():
    with pytest.raises(IngestError, match="malformed JSON"):
        parse_json_object(b'{"a": ')
    with pytest.raises(IngestError, match="not valid UTF-8"):
        parse_json_object(b'{"a": "\xff\xfe"}')
    with pytest.raises(IngestError, match="must be a JSON object"):
        parse_json_object(b"[1, 2]")
    with pytest.raises(IngestError, match="nested too deeply"):
        parse_json_object(b"[" * 100_000 + b"]" * 100_000)
    assert parse_json_object(b'\xef\xbb\xbf{"a": 1}') == {"a": 1}


def test_event_ids():
    value = uuid.uuid4()
    assert parse_event_id(value.hex) == value
    assert parse_event_id(str(value)) == value
    assert parse_event_id(None) is None
    with pytest.raises(IngestError):
        parse_event_id("not-an-id")
    with pytest.raises(IngestError):
        parse_event_id(12)


def lines(*parts) -> bytes:
    return b"\n".join(p if isinstance(p, bytes) else json.dumps(p).encode() for p in parts)


def test_envelope_items_with_and_without_length():
    payload = b'{"message":"a\\nb"}'
    data = lines(
        {"event_id": "9ec79c33ec9942ab8353589fcb2e04dc", "dsn": "https://abc@host/1"},
        {"type": "event", "length": len(payload)},
        payload,
        {"type": "attachment", "length": 5, "filename": "x.bin"},
        b"\n\n\0\n\n",
        {"type": "session"},
        {"sid": "x"},
    )
    envelope = parse_envelope(data)
    assert envelope.headers["dsn"] == "https://abc@host/1"
    assert [item.type for item in envelope.items] == ["event", "attachment", "session"]
    assert envelope.items[0].payload == payload
    assert envelope.items[1].payload == b"\n\n\0\n\n"
    assert json.loads(envelope.items[2].payload) == {"sid": "x"}


def test_envelope_with_trailing_newline_and_empty_payload():
    envelope = parse_envelope(lines({}, {"type": "client_report", "length": 0}, b"") + b"\n")
    assert len(envelope.items) == 1 and envelope.items[0].payload == b""


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"{not json}\n", "envelope header is malformed"),
        (lines({}, {"length": 2}, b"{}"), "has no type"),
        (lines({}, {"type": "event", "length": 100}, b"{}"), "truncated"),
        (lines({}, {"type": "event", "length": -1}, b"{}"), "invalid length"),
        (lines({}, b"\xff\xfe"), "not valid UTF-8"),
    ],
)
def test_bad_envelopes(data, message):
    with pytest.raises(IngestError, match=message) as info:
        parse_envelope(data)
    assert info.value.status == 400
