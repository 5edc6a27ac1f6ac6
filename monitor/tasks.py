"""Upkeep of event storage: partitions ahead of time, payload objects of deleted events, the
projects' tag values whose last tag rows went."""

from __future__ import annotations

from celery import shared_task

from monitor import eventstore, partitions, tag_values


@shared_task(name="monitor.ensure_partitions")
def ensure_partitions() -> int:
    return len(partitions.ensure())


@shared_task(name="monitor.sweep_payload_orphans")
def sweep_payload_orphans() -> int:
    return eventstore.sweep_orphans()


@shared_task(name="monitor.prune_tag_values")
def prune_tag_values() -> int:
    return tag_values.prune()
