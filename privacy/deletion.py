"""Deleting data in chunks (a big project is never one huge transaction), and the per-
organisation retention purge. Derived rows go with what they came from: vectors, training pairs
and labels cascade from their events, issues take their fingerprints, tags and vectors along."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone

from ingest.models import RawEvent
from monitor.models import Event, Issue, Organization, Project
from training import staleness

CHUNK = 2000


def delete_in_chunks(queryset: models.QuerySet) -> int:
    total = 0
    while True:
        ids = list(queryset.order_by().values_list("pk", flat=True)[:CHUNK])
        if not ids:
            return total
        queryset.model.objects.filter(pk__in=ids).delete()
        total += len(ids)


def purge_project(project_id: int) -> dict[str, int]:
    counts = {
        "events": delete_in_chunks(Event.objects.filter(project_id=project_id)),
        "raw_events": delete_in_chunks(RawEvent.objects.filter(project_id=project_id)),
        "issues": delete_in_chunks(Issue.objects.filter(project_id=project_id)),
    }
    Project.objects.filter(pk=project_id).delete()
    staleness.reconcile()  # deletion reaches the trained models
    return counts


def purge_organization(organization_id: int) -> dict[str, int]:
    totals: dict[str, int] = {}
    for project_id in Project.objects.filter(organization_id=organization_id).values_list(
        "id", flat=True
    ):
        for name, count in purge_project(project_id).items():
            totals[name] = totals.get(name, 0) + count
    Organization.objects.filter(pk=organization_id).delete()
    staleness.reconcile()  # deletion reaches the trained models
    return totals


def purge_expired(now: dt.datetime | None = None) -> dict[str, int]:
    """Events (and raw events) older than their organisation's retention, and the issues last
    seen before it; everything derived from them goes too."""
    now = now or timezone.now()
    totals = {"events": 0, "raw_events": 0, "issues": 0}
    for org_id, days in Organization.objects.values_list("id", "retention_days"):
        cutoff = now - dt.timedelta(days=days)
        totals["events"] += delete_in_chunks(
            Event.objects.filter(project__organization_id=org_id, received__lt=cutoff)
        )
        totals["raw_events"] += delete_in_chunks(
            RawEvent.objects.filter(project__organization_id=org_id, received_at__lt=cutoff)
        )
        totals["issues"] += delete_in_chunks(
            Issue.objects.filter(project__organization_id=org_id, last_seen__lt=cutoff)
        )
    staleness.reconcile()  # deletion reaches the trained models
    return totals
