"""Beat's escalation pass, on the `alerts` queue (never an ingest worker's)."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from priority import escalation, learn


@shared_task(name="priority.evaluate", autoretry_for=(OperationalError, InterfaceError),
             acks_late=True)
def evaluate() -> dict:
    """Forecast the limits due this hour (bounded), escalate and de-escalate; idempotent."""
    return escalation.evaluate()


@shared_task(name="priority.learn_severity")
def learn_severity() -> int | None:
    """A severity head from consenting organisations' triage (priority.learn)."""
    head = learn.learn_from_triage()
    return head.id if head else None


@shared_task(name="priority.retrain_stale_severity")
def retrain_stale_severity() -> list[int]:
    """Retrain the severity heads a withdrawal or a deletion made stale, without that data."""
    return learn.retrain_stale()
