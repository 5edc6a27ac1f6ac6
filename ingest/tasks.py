"""Celery tasks of the ingest pipeline."""

from __future__ import annotations

import datetime as dt
import time

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.db.models import Q
from django.utils import timezone

from ingest.accept import QUEUE, publish_drain, wake
from ingest.models import RawEvent
from ingest.processing import process_pending
from monitor import limits, wakeup


@shared_task(
    name="ingest.drain",
    autoretry_for=(OperationalError, InterfaceError),
    **wakeup.DRAIN_TASK_OPTIONS,
)
def drain(slot: int = 0) -> int:
    """Process pending raw events, a batch per transaction, until none is left. The slot's
    wake-up flag is cleared before every claim (see monitor.wakeup). After INGEST_DRAIN_SECONDS
    the task hands the rest of a backlog to a fresh task of its slot."""
    limit = settings.INGEST_PROCESS_BATCH
    deadline = time.monotonic() + settings.INGEST_DRAIN_SECONDS
    total = 0
    while True:
        wakeup.clear(QUEUE, slot)
        claimed = process_pending(limit)
        total += claimed
        if claimed < limit:
            return total
        if time.monotonic() > deadline:
            wake(slot)
            return total


@shared_task(name="ingest.sweep_unprocessed")
def sweep_unprocessed(older_than_seconds: int | None = None) -> int:
    """Wake every drain slot when raw events have waited too long (broker was down, a worker was
    killed, a failed event's retry time has come). Returns how many such events there are."""
    older = settings.INGEST_SWEEP_AFTER_SECONDS
    if older_than_seconds is not None:
        older = older_than_seconds
    now = timezone.now()
    waiting = (
        RawEvent.objects.filter(
            received_at__lte=now - dt.timedelta(seconds=older),
            attempts__lt=limits.PROCESSING_ATTEMPTS,
        )
        .filter(Q(retry_at__isnull=True) | Q(retry_at__lte=now))
        .count()
    )
    if waiting:
        for slot in range(settings.INGEST_DRAIN_SLOTS):
            publish_drain(slot)
    return waiting


@shared_task(name="ingest.replay_spool")
def replay_spool() -> int:
    """Replay this host's spool if the database answers (web processes also do this)."""
    from ingest.replay import replay_if_reachable

    result = replay_if_reachable()
    return result.replayed if result else 0
