"""Envelope items stored beside events rather than as events (attachments, user feedback).
The apps that store them register a `Kind` here (in their AppConfig.ready), so ingest names
none of them. Parsed before anything is stored, so a malformed item rejects the envelope
cleanly; each takes a token from its category's budget of the DSN key (ingest.ratelimit), the
items over it dropped and counted; stored in the request, committed before the reply."""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from ingest import database, ratelimit
from ingest.auth import KeyInfo
from ingest.payload import EnvelopeItem

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Kind:
    """One kind of side item. `label` prefixes the counted drop reasons (`<label>_rate_limited`,
    `<label>_database_unavailable`); `parse` raises IngestError for a malformed item and returns
    None for one with nothing in it; `store(project_id, event_id, parsed)` returns the counts of
    what it dropped."""

    label: str
    types: frozenset[str]
    category: ratelimit.Category
    parse: Callable[[EnvelopeItem, uuid.UUID | None], object | None]
    store: Callable[[int, uuid.UUID | None, list], Counter]


_KINDS: list[Kind] = []


def register(kind: Kind) -> None:
    """Idempotent (a test may run `ready` twice)."""
    if all(known.label != kind.label for known in _KINDS):
        _KINDS.append(kind)


def types() -> frozenset[str]:
    return frozenset().union(*(kind.types for kind in _KINDS))


def categories() -> tuple[ratelimit.Category, ...]:
    """The rate-limit budgets side items take from, each once."""
    return tuple(dict.fromkeys(kind.category for kind in _KINDS))


@dataclass
class SideItems:
    event_id: uuid.UUID | None
    parsed: dict[str, list] = field(default_factory=dict)  # Kind.label → its parsed items

    def __bool__(self) -> bool:
        return any(self.parsed.values())


def prepare(items: list[EnvelopeItem], event_id: uuid.UUID | None) -> SideItems:
    """`event_id`: the envelope's (or its only event's) id, which attachments belong to."""
    out = SideItems(event_id, {kind.label: [] for kind in _KINDS})
    for item in items:
        kind = next(kind for kind in _KINDS if item.type in kind.types)
        if (parsed := kind.parse(item, event_id)) is not None:
            out.parsed[kind.label].append(parsed)
    return out


def take_budget(key: KeyInfo, side: SideItems) -> tuple[list[ratelimit.Limited], Counter]:
    """Keep the items the key's budgets grant (in envelope order); returns the limits that
    refused some, and the counts of the items dropped."""
    limits: list[ratelimit.Limited] = []
    dropped: Counter = Counter()
    for kind in _KINDS:
        items = side.parsed[kind.label]
        granted, limited = ratelimit.take(key.public_key, kind.category, len(items),
                                          key.rate_limit_count, key.rate_limit_window)
        if limited is not None:
            limits.append(limited)
            dropped[f"{kind.label}_rate_limited"] += len(items) - granted
            side.parsed[kind.label] = items[:granted]
    return limits, dropped


def store(project_id: int, side: SideItems) -> Counter:
    """Store them; returns the counts of what was dropped, for ingest.stats. While PostgreSQL
    is unavailable they are dropped and counted (the spool keeps events only)."""
    try:
        dropped: Counter = Counter()
        for kind in _KINDS:
            dropped += kind.store(project_id, side.event_id, side.parsed[kind.label])
        return dropped
    except database.DB_UNAVAILABLE as exc:
        log.warning("side items dropped, the database is unavailable: %s", exc)
        return Counter({f"{kind.label}_database_unavailable": len(side.parsed[kind.label])
                        for kind in _KINDS})
