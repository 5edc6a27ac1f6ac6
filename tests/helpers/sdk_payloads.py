"""The real SDK payloads of ../shared/sdk-payloads, as store bodies and wire envelopes."""

from __future__ import annotations

import json

import pytest

from tests.conftest import SDK_PAYLOADS

GLITCHTIP = SDK_PAYLOADS / "glitchtip"


def _names(prefix: str) -> list[str]:
    if not GLITCHTIP.is_dir():
        return []
    return sorted(p.name for p in GLITCHTIP.glob(f"{prefix}*.json"))


def require_corpus() -> None:
    if not GLITCHTIP.is_dir():
        pytest.skip(f"SDK payload corpus not found at {SDK_PAYLOADS}")


STORE_EVENTS = _names("incoming_events__")
ENVELOPES = _names("envelopes__")


def store_event(name: str) -> dict:
    return json.loads((GLITCHTIP / name).read_text())


def envelope_bytes(name: str) -> bytes:
    parts = json.loads((GLITCHTIP / name).read_text())
    # compact separators reproduce the SDK wire bytes, which explicit item lengths count
    return b"\n".join(json.dumps(part, separators=(",", ":")).encode() for part in parts)


def csp_report() -> dict:
    return json.loads((GLITCHTIP / "csp__mozilla_example.json").read_text())


def transaction_envelope() -> bytes:
    return envelope_bytes("transactions__django_simple.json")
