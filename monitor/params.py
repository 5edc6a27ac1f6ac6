"""Parsing of numbers that arrive in URLs, query strings and forms (one rule for pages and the
API). `str.isdigit` also admits `²` and `٣`, which `int` refuses or reads as a digit, and `int`
refuses more than 4,300 digits: a field is a number only as plain ASCII digits, at most as many
as a bigint has."""

from __future__ import annotations

MAX_ID = 2**63 - 1  # PostgreSQL bigint
_DIGITS = len(str(MAX_ID))


def as_natural(value: object) -> int | None:
    """A non-negative integer of at most 19 ASCII digits (around spaces), else None."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if value.isascii() and value.isdigit() and len(value) <= _DIGITS:
        return int(value)
    return None


def as_id(value: object) -> int | None:
    """A positive decimal integer that fits a bigint primary key, else None."""
    number = as_natural(value)
    return number if number is not None and 0 < number <= MAX_ID else None


def is_id(value: object) -> bool:
    return as_id(value) is not None
