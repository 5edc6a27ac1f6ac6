"""Sentry-like short ids of issues (`SHOP-1A7`): shown on the stream and the issue's rows, and
found by the stream's search box. Pure: no database."""

from __future__ import annotations

SHORT_ID_DIGITS = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # Sentry's short-id digits: no I, O


def short_id(project_slug: str, issue_id: int) -> str:
    """`SHOP-1A7`: the project's slug in capitals and the issue's id in base 34, a name to say
    aloud and search for. Issue ids are unique across projects, so no per-project counter is
    kept (it would be one more write and lock on every new issue)."""
    digits = ""
    while True:
        issue_id, rest = divmod(issue_id, len(SHORT_ID_DIGITS))
        digits = SHORT_ID_DIGITS[rest] + digits
        if not issue_id:
            return f"{project_slug.upper()}-{digits}"


def issue_id_of(project_slug: str, text: str) -> int | None:
    """The issue id a short id of this project names (any case), or None."""
    prefix, _, digits = text.strip().upper().rpartition("-")
    if prefix != project_slug.upper() or not 0 < len(digits) <= 12:
        return None
    number = 0
    for digit in digits:
        if digit not in SHORT_ID_DIGITS:
            return None
        number = number * len(SHORT_ID_DIGITS) + SHORT_ID_DIGITS.index(digit)
    return number
