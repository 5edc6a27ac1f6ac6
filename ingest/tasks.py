"""Celery tasks of the ingest pipeline."""

from __future__ import annotations

import datetime as dt
import math

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.db.models import Q
from django.utils import timezone

from ingest.accept import enqueue
from ingest.models import RawEvent
from ingest.processing import MAX_ATTEMPTS, process_pending


@shared_task(
    name="ingest.process",
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_backoff_max=60,
    max_retries=20,
)
def process_raw_events(raw_id: int | None = None) -> int:
    """Process a batch of pending raw events. `raw_id` names the event that caused the message;
    the batch takes whatever is pending, so under load one message drains many events. A full
    batch means a backlog: the task then enqueues its own continuation."""
    limit = settings.INGEST_PROCESS_BATCH
    claimed = process_pending(limit)
    if claimed >= limit:
        enqueue(None)
    return claimed


@shared_task(name="ingest.sweep_unprocessed")
def sweep_unprocessed(older_than_seconds: int | None = None) -> int:
    """Re-enqueue raw events left pending (broker was down, worker was killed)."""
    older = (
        settings.INGEST_SWEEP_AFTER_SECONDS if older_than_seconds is None else older_than_seconds
    )
    now = timezone.now()
    cutoff = now - dt.timedelta(seconds=older)
    ids = list(
        RawEvent.objects.filter(received_at__lte=cutoff, attempts__lt=MAX_ATTEMPTS)
        .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lte=cutoff))
        .order_by("id")
        .values_list("id", flat=True)[:100_000]
    )
    if not ids:
        return 0
    RawEvent.objects.filter(id__in=ids).update(enqueued_at=now)
    batch = settings.INGEST_PROCESS_BATCH
    for index in range(math.ceil(len(ids) / batch)):
        process_raw_events.apply_async((ids[index * batch],))
    return len(ids)
