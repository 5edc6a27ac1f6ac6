"""Celery tasks of alerting, all on the `alerts` queue: never on the ingest workers' path.

Every task is idempotent and can be run by hand (`manage.py alerts_sweep` runs the sweep).
"""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from alerts import evaluate as evaluation
from alerts import notify
from alerts.models import AlertFact, AlertNotification
from alerts.outbox import QUEUE
from monitor import wakeup

log = logging.getLogger(__name__)
DB_ERRORS = (OperationalError, InterfaceError)
LOST_AFTER_SECONDS = 30  # a delivery due this long ago has lost its task


def enqueue(delivery_ids: list[int]) -> None:
    """Ask the alerts workers to attempt these deliveries; with the broker down the sweep
    sends them later (the delivery rows are the state)."""
    for delivery_id in delivery_ids:
        try:
            deliver.apply_async((delivery_id,), retry=False)
        except Exception as exc:  # broker down: the sweep sends it later
            log.warning("could not enqueue delivery %s: %s", delivery_id, exc)
            return


def _schedule_flush(notifications: list[AlertNotification]) -> None:
    if not notifications:
        return
    first = min(n.send_after for n in notifications)
    delay = max(0.0, (first - timezone.now()).total_seconds())
    try:
        flush.apply_async(countdown=delay, retry=False)
    except Exception as exc:
        log.warning("could not schedule a digest flush: %s", exc)


def flush_now() -> int:
    ids = notify.flush_due()
    enqueue(ids)
    return len(ids)


@shared_task(name="alerts.evaluate", autoretry_for=DB_ERRORS, **wakeup.DRAIN_TASK_OPTIONS)
def evaluate(slot: int = 0) -> int:
    """Evaluate every recorded fact (coalesced wake-ups, like the ingest drain), then send the
    notifications that are due."""
    total = 0
    opened: list[AlertNotification] = []
    while True:
        wakeup.clear(QUEUE, slot)
        claimed, run = evaluation.evaluate_pending()
        total += claimed
        opened += [n for n in run.opened if n.send_after > run.now]
        if claimed < evaluation.BATCH:
            break
    flush_now()
    _schedule_flush(opened)
    return total


@shared_task(name="alerts.flush", autoretry_for=DB_ERRORS, acks_late=True)
def flush() -> int:
    return flush_now()


@shared_task(name="alerts.deliver", autoretry_for=DB_ERRORS, **wakeup.DRAIN_TASK_OPTIONS)
def deliver(delivery_id: int) -> str:
    """One attempt; on a retryable failure the next attempt is scheduled after the back-off."""
    delivery = notify.attempt(delivery_id)
    if delivery is None:
        return "skipped"
    if delivery.status == delivery.Status.PENDING:
        delay = max(0.0, (delivery.next_attempt_at - timezone.now()).total_seconds())
        try:
            deliver.apply_async((delivery_id,), countdown=delay, retry=False)
        except Exception as exc:
            log.warning("could not schedule retry of delivery %s: %s", delivery_id, exc)
    return delivery.status


@shared_task(name="alerts.sweep", autoretry_for=DB_ERRORS, acks_late=True)
def sweep() -> dict:
    """Beat, every ALERTS_SWEEP_INTERVAL: end timed ignores, evaluate facts a lost wake-up left
    behind, close due digests, and resend deliveries whose task was lost."""
    now = timezone.now()
    ended, run = evaluation.end_expired_ignores(now)
    _schedule_flush([n for n in run.opened if n.send_after > now])
    evaluated = 0
    if AlertFact.objects.exists():
        evaluated = evaluate.run()
    flushed = flush_now()
    lost = notify.due_deliveries(now - dt.timedelta(seconds=LOST_AFTER_SECONDS))
    enqueue(lost)
    return {"ignores_ended": ended, "facts": evaluated, "flushed": flushed, "resent": len(lost)}
