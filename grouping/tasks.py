"""Celery tasks of ML grouping (queue `embeddings`: run one worker there, on CPU or GPU)."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from grouping import ml
from monitor import wakeup


@shared_task(
    name="grouping.ml_drain",
    autoretry_for=(OperationalError, InterfaceError),
    **wakeup.DRAIN_TASK_OPTIONS,
)
def ml_drain(slot: int = 0) -> int:
    return ml.drain()


@shared_task(name="grouping.sweep_pending")
def sweep_pending() -> dict[str, int]:
    return ml.sweep_pending()
