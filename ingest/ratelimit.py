"""Per-key fixed-window rate limits in Redis, one budget per data category (Sentry's): events
(error, default, security), attachments, and feedback (feedback, user_report). Each stored item
takes a token from its category's budget of `rate_limit_count` per `rate_limit_window`. Fails
open: Redis trouble never rejects events."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import redis

from ingest.errors import IngestError
from monitor.redis import client

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Category:
    name: str  # the counter's name
    header: str  # the categories X-Sentry-Rate-Limits names, as SDKs read them
    noun: str


EVENTS = Category("events", "error;default;security", "events")
ATTACHMENTS = Category("attachments", "attachment", "attachments")
FEEDBACK = Category("feedback", "feedback;user_report", "feedback items")


@dataclass(frozen=True)
class Limited:
    """A budget that refused some items: for how long, and for which category."""

    category: Category
    limit: int
    window: int
    retry_after: int

    def header(self) -> str:
        return f"{self.retry_after}:{self.category.header}:key:key_quota"


def take(public_key: str, category: Category, n: int, limit: int, window: int,
         now: float | None = None) -> tuple[int, Limited | None]:
    """Take `n` tokens from the key's budget for `category`: how many were granted, and the
    limit that refused the others (None when all were granted)."""
    if limit <= 0 or n <= 0:
        return n, None
    now = time.time() if now is None else now
    name = _counter(public_key, category, window, now)
    try:
        pipe = client().pipeline()
        pipe.incrby(name, n)
        pipe.expire(name, window + 1)
        count = pipe.execute()[0]
    except redis.RedisError as exc:
        log.warning("rate limiter unavailable, accepting: %s", exc)
        return n, None
    granted = max(0, min(n, limit - (count - n)))
    if granted == n:
        return n, None
    return granted, _limited(category, limit, window, now)


def used_up(public_key: str, categories: tuple[Category, ...], limit: int, window: int,
            now: float | None = None) -> list[Limited]:
    """The limits of `categories` whose budgets are already spent in this window; nothing is
    taken. When every category a request could store is spent, it is refused before its body
    is read. Fails open: empty on Redis trouble."""
    if limit <= 0:
        return []
    now = time.time() if now is None else now
    try:
        counts = client().mget([_counter(public_key, c, window, now) for c in categories])
    except redis.RedisError as exc:
        log.warning("rate limiter unavailable, accepting: %s", exc)
        return []
    return [_limited(category, limit, window, now)
            for category, count in zip(categories, counts, strict=True)
            if count is not None and int(count) >= limit]


def _counter(public_key: str, category: Category, window: int, now: float) -> str:
    """The Redis counter of the key's `category` budget in the window `now` falls in."""
    return f"faultline:rl:{category.name}:{public_key}:{window}:{int(now // window)}"


def _limited(category: Category, limit: int, window: int, now: float) -> Limited:
    """The refusal, retried when the window `now` falls in ends."""
    end = (int(now // window) + 1) * window
    return Limited(category, limit, window, max(1, int(end - now + 0.999)))


def too_many(limits: list[Limited]) -> IngestError:
    """The 429 for requests of which nothing was stored, naming every refusing category."""
    first = limits[0]
    return IngestError(
        429,
        f"rate limit of {first.limit} {first.category.noun} per {first.window}s exceeded "
        "for this key",
        {"Retry-After": str(max(limit.retry_after for limit in limits)),
         "X-Sentry-Rate-Limits": header(limits)},
    )


def header(limits: list[Limited]) -> str:
    return ",".join(limit.header() for limit in limits)


def check_rate_limit(public_key: str, limit: int, window: int, now: float | None = None,
                     category: Category = EVENTS) -> None:
    """Take one token; past `limit`, 429 with Retry-After and X-Sentry-Rate-Limits."""
    granted, limited = take(public_key, category, 1, limit, window, now)
    if limited is not None:
        raise too_many([limited])


def refuse_if_used_up(public_key: str, categories: tuple[Category, ...], limit: int,
                      window: int) -> None:
    """429 when every one of `categories` is spent (a request of them would store nothing)."""
    spent = used_up(public_key, categories, limit, window)
    if spent and len(spent) == len(categories):
        raise too_many(spent)
