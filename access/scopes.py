"""What a personal API token may do, by its scopes (Sentry's names). A token is granted one of
three sets; Faultline checks two things: an unsafe method of the API needs the write scopes, and
a sentry-cli upload needs `project:releases`. The user's role still decides everything else:
a token narrows what its user may do, never widens it."""

from __future__ import annotations

from collections.abc import Iterable

from monitor import limits

READ = ("org:read", "project:read", "event:read")
WRITE = ("org:write", "project:write", "event:write")
RELEASES = "project:releases"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# name → (label, scopes): the choices of the account page and of POST /api/0/tokens/.
PRESETS: dict[str, tuple[str, tuple[str, ...]]] = {
    "read": ("Read only", READ),
    "releases": ("Read, and upload releases (sentry-cli)", (*READ, RELEASES)),
    "write": ("Read and write", (*READ, *WRITE, RELEASES)),
}
FULL = PRESETS["write"][1]
TOKEN_READ_ONLY = "this token may not change anything (it lacks the write scopes)"
TOKEN_NO_RELEASES = "this token may not upload releases (it lacks project:releases)"


def may_request(scopes: Iterable[str], method: str) -> bool:
    """Whether a token with `scopes` may make an API request with this HTTP method."""
    needed = READ if method.upper() in SAFE_METHODS else WRITE
    return set(needed) <= set(scopes)


def may_upload(scopes: Iterable[str]) -> bool:
    """Whether a token may use sentry-cli's upload endpoints (chunks, bundle assembly)."""
    return RELEASES in scopes


def label_of(scopes: Iterable[str]) -> str:
    """The preset's label for a token's scopes (the account page), else the scopes listed."""
    given = set(scopes)
    for label, preset in PRESETS.values():
        if set(preset) == given:
            return label
    return ", ".join(sorted(given))

TOKEN_LIMIT = (f"you have {limits.API_TOKENS_PER_USER} tokens, the most a user may have: "
               "revoke one first")
