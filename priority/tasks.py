"""Beat's escalation pass, on the `alerts` queue (never an ingest worker's)."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from priority import escalation


@shared_task(name="priority.evaluate", autoretry_for=(OperationalError, InterfaceError),
             acks_late=True)
def evaluate() -> dict:
    """Forecast the limits due this hour (bounded), escalate and de-escalate; idempotent."""
    return escalation.evaluate()
