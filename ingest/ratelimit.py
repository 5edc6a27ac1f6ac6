"""Per-key fixed-window rate limit in Redis. Fails open: Redis trouble never rejects events."""

from __future__ import annotations

import logging
import time

import redis

from ingest.errors import IngestError
from monitor.redis import client

log = logging.getLogger(__name__)


def check_rate_limit(public_key: str, limit: int, window: int, now: float | None = None) -> None:
    """Count an event for the key; past `limit`, 429 with Retry-After and X-Sentry-Rate-Limits."""
    if limit <= 0:
        return
    now = time.time() if now is None else now
    slot = int(now // window)
    name = f"faultline:rl:{public_key}:{window}:{slot}"
    try:
        pipe = client().pipeline()
        pipe.incr(name)
        pipe.expire(name, window + 1)
        count = pipe.execute()[0]
    except redis.RedisError as exc:
        log.warning("rate limiter unavailable, accepting: %s", exc)
        return
    if count > limit:
        retry_after = max(1, int((slot + 1) * window - now + 0.999))
        raise IngestError(
            429,
            f"rate limit of {limit} events per {window}s exceeded for this key",
            {
                "Retry-After": str(retry_after),
                "X-Sentry-Rate-Limits": f"{retry_after}::key:key_quota",
            },
        )
