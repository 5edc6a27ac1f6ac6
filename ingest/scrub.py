"""Server-side data scrubbing of a normalized event, before anything is stored (pure function).

Values under sensitive keys, cookies, Authorization-like headers, credentials in URLs and card
numbers (Luhn-checked) become "[Filtered]", as Sentry's default scrubber does. Exception messages
and breadcrumb messages are scanned for card numbers and URL passwords only: they are the signal
developers need.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode

from ingest.normalize import clean_str
from monitor import limits

FILTERED = "[Filtered]"
DEFAULT_KEYS = (
    "password",
    "secret",
    "passwd",
    "api_key",
    "apikey",
    "auth",
    "credentials",
    "token",
    "bearer",
    "private_key",
    "privatekey",
    "access_key",
    "session",
    "csrf",
    "xsrf",
    "set-cookie",
    "cookie",
)
SENSITIVE_HEADERS = {
    "authorization",
    "cookie",
    "set-cookie",
    "x-sentry-auth",
    "proxy-authorization",
    "x-api-key",
    "x-csrftoken",
    "x-xsrf-token",
}
# String values under these keys are URLs: their query strings are scrubbed key by key.
URL_KEYS = frozenset(
    {"url", "to", "from", "referrer", "document-uri", "blocked-uri", "source-file",
     "documentURL", "blockedURL"}
)
_CARD = re.compile(r"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])")
# Starts only where a scheme-like run starts, so a failed scheme is scanned once (linear time).
_URL_PASSWORD = re.compile(
    r"((?<![a-z0-9+.-])[a-z][a-z0-9+.-]*+://[^:/@\s]*+:)([^@/\s]++)(@)", re.IGNORECASE
)


def _luhn(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        number = int(char)
        if index % 2 == 1:
            number *= 2
            if number > 9:
                number -= 9
        total += number
    return total % 10 == 0


def scrub_string(text: str) -> str:
    """Card numbers and URL passwords inside free text."""
    if len(text) >= 13 and _CARD.search(text):  # a card number has 13 digits at least

        def card(match: re.Match) -> str:
            digits = re.sub(r"[ -]", "", match.group(0))
            return FILTERED if 13 <= len(digits) <= 19 and _luhn(digits) else match.group(0)

        text = _CARD.sub(card, text)
    if "://" in text:
        text = _URL_PASSWORD.sub(lambda m: m.group(1) + FILTERED + m.group(3), text)
    return text


# Per scrubber, the verdicts on key names of at most KNOWN_KEY_CHARS it remembers, KNOWN_KEYS of
# them before it starts over: about 200 KB however hostile the keys.
KNOWN_KEYS = 2048
KNOWN_KEY_CHARS = 64


def extra_key_names(extra_keys: Iterable[str]) -> tuple[str, ...]:
    """A project's extra key setting as the names it adds. Only non-empty strings count: a
    malformed setting must never break scrubbing."""
    extra = extra_keys if isinstance(extra_keys, (list, tuple)) else ()
    return tuple(k.strip().lower()[:64] for k in extra[:100] if isinstance(k, str) and k.strip())


class Scrubber:
    def __init__(self, extra_keys: Iterable[str] = ()):
        keys = tuple(DEFAULT_KEYS) + extra_key_names(extra_keys)
        self._sensitive = re.compile("|".join(re.escape(key) for key in keys), re.IGNORECASE)
        self._known: dict[str, bool] = {}  # an event's key names repeat (vars, crumbs, headers)

    def key_is_sensitive(self, key: Any) -> bool:
        if type(key) is not str or len(key) > KNOWN_KEY_CHARS:  # 1 and True are one dict key,
            return self._sensitive.search(str(key)) is not None  # but "1" and "True" differ
        known = self._known.get(key)
        if known is None:
            known = self._sensitive.search(key) is not None
            if len(self._known) >= KNOWN_KEYS:
                self._known.clear()
            self._known[key] = known
        return known

    def value(self, value: Any) -> Any:
        """Walk arbitrary data: sensitive keys filtered, strings scanned."""
        if isinstance(value, str):
            return scrub_string(value)
        if isinstance(value, dict):
            return {key: self._item(key, item) for key, item in value.items()}
        if isinstance(value, list):
            return [scrub_string(item) if type(item) is str else self.value(item)
                    for item in value]
        return value

    def _item(self, key: str, item: Any) -> Any:
        if self.key_is_sensitive(key) and item not in (None, ""):
            return FILTERED
        if isinstance(item, str):  # most values: no walk
            return self.url(item) if key in URL_KEYS else scrub_string(item)
        return self.value(item)

    def form_or_text(self, value: Any) -> Any:
        """Request bodies: JSON-like data walked by key; form-encoded text by field."""
        if isinstance(value, str) and "=" in value and not value.lstrip().startswith(("{", "[")):
            return self.query_string(value)
        return self.value(value)

    def pairs(self, pairs: list, headers: bool = False) -> list:
        out = []
        for key, val in pairs:
            sensitive = self.key_is_sensitive(key) or (headers and key.lower() in SENSITIVE_HEADERS)
            out.append([key, FILTERED if sensitive and val else scrub_string(val)])
        return out

    def query_string(self, query: Any) -> Any:
        if isinstance(query, list):
            return self.pairs(query)
        pairs = parse_qsl(query, keep_blank_values=True)
        if not pairs:
            return scrub_string(query)
        return urlencode(
            [(k, FILTERED if self.key_is_sensitive(k) else scrub_string(v)) for k, v in pairs],
            safe="[]",
        )

    def url(self, url: str) -> str:
        url = scrub_string(url)
        base, sep, query = url.partition("?")
        return base + sep + self.query_string(query) if sep else url

    def request(self, request: dict) -> dict:
        out = dict(request)
        if "url" in out:
            out["url"] = self.url(out["url"])
        if "query_string" in out:
            out["query_string"] = self.query_string(out["query_string"])
        if "headers" in out:
            out["headers"] = self.pairs(out["headers"], headers=True)
        if "cookies" in out:
            out["cookies"] = [[key, FILTERED] for key, _ in out["cookies"]]
        if "data" in out:
            out["data"] = self.form_or_text(out["data"])
        if "env" in out:
            out["env"] = self.value(out["env"])
        return out

    def stacktrace(self, stacktrace: dict) -> dict:
        frames = []
        for frame in stacktrace.get("frames", []):
            if "vars" in frame:
                frame = {**frame, "vars": self.value(frame["vars"])}
            frames.append(frame)
        return {**stacktrace, "frames": frames}

    def event(self, event: dict) -> dict:
        out = dict(event)
        if "request" in out:
            out["request"] = self.request(out["request"])
        for field in ("extra", "contexts", "user", "sdk", "csp"):
            if field in out:
                out[field] = self.value(out[field])
        if "user" in out:
            out["user"].pop("password", None)
        if "message" in out:
            out["message"] = scrub_string(out["message"])
        if "logentry" in out:
            out["logentry"] = self.value(out["logentry"])
        if "exception" in out:
            out["exception"] = [
                {
                    **exc,
                    **({"value": scrub_string(exc["value"])} if "value" in exc else {}),
                    **(
                        {"stacktrace": self.stacktrace(exc["stacktrace"])}
                        if "stacktrace" in exc
                        else {}
                    ),
                }
                for exc in out["exception"]
            ]
        if "threads" in out:
            out["threads"] = [
                {**t, "stacktrace": self.stacktrace(t["stacktrace"])} if "stacktrace" in t else t
                for t in out["threads"]
            ]
        if "stacktrace" in out:
            out["stacktrace"] = self.stacktrace(out["stacktrace"])
        if "breadcrumbs" in out:
            out["breadcrumbs"] = [self.value(crumb) for crumb in out["breadcrumbs"]]
        # "[Filtered]" can be longer than what it replaces: stored columns are bounded again.
        if "tags" in out:
            out["tags"] = [
                [k, FILTERED if self.key_is_sensitive(k) else clean_str(
                    self.url(v) if k in URL_KEYS or k == "url" else scrub_string(v),
                    limits.EVENT_TAG_VALUE_CHARS,
                )]
                for k, v in out["tags"]
            ]
        if "title" in out:
            out["title"] = clean_str(scrub_string(out["title"]), limits.EVENT_TITLE_CHARS)
        return out


@functools.lru_cache(maxsize=64)
def scrubber(extra: tuple[str, ...]) -> Scrubber:
    """One scrubber per extra key setting, kept: its pattern is built once, not per event."""
    return Scrubber(extra)


def scrub_event(event: dict, extra_keys: Iterable[str] = ()) -> dict:
    return scrubber(extra_key_names(extra_keys)).event(event)
