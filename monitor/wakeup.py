"""Coalesced wake-ups of drain tasks (ingest processing, ML matching).

Publishing a Celery message per unit of work costs more than the work. Instead each slot of a
queue has a Redis flag: a producer sets the flag (SET NX) after its work row has committed and
publishes a drain task only if the flag was not already set. A drain task clears its flag
*before* each claim of pending rows, so a row committed before a failed SET NX is always seen by
a claim that follows it. Flags expire, so a drain task killed before clearing its flag cannot
silence the slot for long; periodic sweepers cover anything else.
"""

from __future__ import annotations

import logging
import threading
import time

import redis

from monitor.redis import client

log = logging.getLogger(__name__)
FLAG_TTL_SECONDS = 10
FLAG_PREFIX = "faultline:wake:"


# Celery options of every drain task: late acks (a killed worker's message comes back) and
# retries with backoff while the database is unreachable.
DRAIN_TASK_OPTIONS = {
    "acks_late": True,
    "retry_backoff": True,
    "retry_backoff_max": 60,
    "max_retries": 20,
}


def flag_name(queue: str, slot: int) -> str:
    return f"{FLAG_PREFIX}{queue}:{slot}"


def should_publish(queue: str, slot: int) -> bool:
    """True when no drain task of this slot is pending (we set the flag); True if Redis fails."""
    try:
        return bool(client().set(flag_name(queue, slot), 1, nx=True, ex=FLAG_TTL_SECONDS))
    except redis.RedisError as exc:
        log.warning("wake-up flag unavailable: %s", exc)
        return True


def clear(queue: str, slot: int) -> None:
    try:
        client().delete(flag_name(queue, slot))
    except redis.RedisError as exc:
        log.warning("could not clear wake-up flag %s/%s: %s", queue, slot, exc)


class Breaker:
    """Stops publishing for `pause` seconds after a failure (a dead broker must not slow the
    producers down); per process."""

    def __init__(self, pause: float = 5.0):
        self._time = time.monotonic
        self.pause = pause
        self.open_until = 0.0
        self.lock = threading.Lock()

    def allow(self) -> bool:
        return self._time() >= self.open_until

    def trip(self) -> None:
        with self.lock:
            self.open_until = self._time() + self.pause

    def reset(self) -> None:
        self.open_until = 0.0


def publish(task, slot: int, breaker: Breaker) -> bool:
    """Send `task(slot)`; False when the broker is down (the sweeper takes over)."""
    if not breaker.allow():
        return False
    try:
        task.apply_async((slot,), retry=False)
        return True
    except Exception as exc:  # kombu raises many types for an unreachable broker
        breaker.trip()
        log.warning("broker unavailable, %s left for the sweeper: %s", task.name, exc)
        return False


def wake(queue: str, task, slot: int, breaker: Breaker) -> None:
    """Make sure a drain task of `slot` runs after this point (coalesced)."""
    if should_publish(queue, slot) and not publish(task, slot, breaker):
        clear(queue, slot)  # let the next producer try the broker again
