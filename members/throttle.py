"""How many account e-mails (password resets, invitations) may go out per window: a Redis
fixed-window counter per key, shared by every web process. Keys are SHA-256 digests, so
Redis holds no addresses. Fails open: Redis trouble is logged and the mail goes out."""

from __future__ import annotations

import hashlib
import logging
import time

import redis
from django.conf import settings

from monitor.redis import client

log = logging.getLogger(__name__)
PREFIX = "members:mail-throttle"


def take(budgets: list[tuple[str, str, int]], now: float | None = None) -> bool:
    """Count one mail against each (scope, key, limit) budget; False when any is over its
    limit (a limit of 0 is unlimited). Every budget counts, so a refused request still spends."""
    window = max(1, settings.MAIL_THROTTLE_WINDOW)
    slot = int((time.time() if now is None else now) // window)
    counted = [(f"{PREFIX}:{scope}:{_digest(key)}:{slot}", limit)
               for scope, key, limit in budgets if limit > 0]
    if not counted:
        return True
    try:
        with client().pipeline() as pipe:
            for name, _ in counted:
                pipe.incr(name)
                pipe.expire(name, window + 1)
            counts = pipe.execute()[::2]
    except redis.RedisError as exc:
        log.warning("mail throttle unavailable, sending: %s", exc)
        return True
    return all(int(count) <= limit for count, (_, limit) in zip(counts, counted, strict=True))


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()
