"""Generations per organisation per window (Redis fixed window, shared by web, API and beat)."""

from __future__ import annotations

import time

from django.conf import settings

from monitor.redis import client


def take(organization_id: int, now: float | None = None) -> bool:
    """Count one generation; False when the organisation is over its limit (0 = unlimited)."""
    limit, window = settings.ASSIST_RATE_LIMIT, max(1, settings.ASSIST_RATE_WINDOW)
    if limit <= 0:
        return True
    slot = int((now if now is not None else time.time()) // window)
    name = f"assist:rate:{organization_id}:{slot}"
    with client().pipeline() as pipe:
        pipe.incr(name)
        pipe.expire(name, window + 1)
        count, _ = pipe.execute()
    return int(count) <= limit
