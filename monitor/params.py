"""Parsing of ids that arrive in URLs and query strings (one rule for pages and the API)."""

from __future__ import annotations

MAX_ID = 2**63 - 1  # PostgreSQL bigint


def is_id(value: object) -> bool:
    """A positive decimal integer that fits a bigint primary key."""
    return (
        isinstance(value, str) and value.isascii() and value.isdigit() and 0 < int(value) <= MAX_ID
    )
