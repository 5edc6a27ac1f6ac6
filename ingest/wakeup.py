"""Coalesced wake-ups of the processing workers.

Publishing a Celery message per event costs more than the event's own processing. Instead each
of `INGEST_DRAIN_SLOTS` slots has a Redis flag: the accept path sets the flag of its slot (SET NX)
after its INSERT has committed, and publishes a drain task only if the flag was not already set.
A drain task clears its flag *before* each claim of pending rows, so a row committed before a
failed SET NX is always seen by a claim that follows it. The flag expires (a drain task killed
before clearing it cannot silence its slot for long) and the sweeper covers anything else.
"""

from __future__ import annotations

import logging
import uuid

import redis
from django.conf import settings

from ingest.ratelimit import client

log = logging.getLogger(__name__)
FLAG_TTL_SECONDS = 10


def flag_name(slot: int) -> str:
    return f"faultline:ingest:wake:{slot}"


def slot_of(event_id: uuid.UUID) -> int:
    return event_id.int % settings.INGEST_DRAIN_SLOTS


def should_publish(slot: int) -> bool:
    """True when no drain task of this slot is pending (we set the flag); True if Redis fails."""
    try:
        return bool(client().set(flag_name(slot), 1, nx=True, ex=FLAG_TTL_SECONDS))
    except redis.RedisError as exc:
        log.warning("wake-up flag unavailable: %s", exc)
        return True


def clear(slot: int) -> None:
    try:
        client().delete(flag_name(slot))
    except redis.RedisError as exc:
        log.warning("could not clear wake-up flag %s: %s", slot, exc)
