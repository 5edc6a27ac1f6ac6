"""Deleting data in chunks (a big project is never one huge transaction), and the per-
organisation retention purge. Derived rows go with what they came from: vectors, training pairs
and labels cascade from their events, issues take their fingerprints, tags and vectors along."""

from __future__ import annotations

import datetime as dt

from django.db import models, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from attachments.models import Attachment
from feedback.models import UserFeedback
from ingest.models import RawEvent
from monitor.models import Event, Issue, Organization, Project
from privacy.models import ErasedIdentity
from privacy.tagcounts import subtract_events
from sourcemaps import retention as sourcemaps_retention
from training import sets, staleness

CHUNK = 2000


def delete_in_chunks(queryset: models.QuerySet) -> int:
    total = 0
    while True:
        ids = list(queryset.order_by().values_list("pk", flat=True)[:CHUNK])
        if not ids:
            return total
        queryset.model.objects.filter(pk__in=ids).delete()
        total += len(ids)


def delete_events_in_chunks(queryset: models.QuerySet) -> int:
    """Delete events a chunk per transaction, taking each chunk out of the tag counts of the
    issues that stay (privacy.tagcounts)."""
    total = 0
    while True:
        with transaction.atomic():
            ids = list(queryset.order_by().values_list("pk", flat=True)[:CHUNK])
            if not ids:
                return total
            subtract_events(ids)
            Event.objects.filter(pk__in=ids).delete()
        total += len(ids)


def purge_project(project_id: int) -> dict[str, int]:
    counts = {
        "events": delete_in_chunks(Event.objects.filter(project_id=project_id)),
        "raw_events": delete_in_chunks(RawEvent.objects.filter(project_id=project_id)),
        "issues": delete_in_chunks(Issue.objects.filter(project_id=project_id)),
    }
    counts.update(sourcemaps_retention.purge_project(project_id, delete_in_chunks))
    counts["attachments"] = delete_in_chunks(Attachment.objects.filter(project_id=project_id))
    counts["feedback"] = delete_in_chunks(UserFeedback.objects.filter(project_id=project_id))
    Project.objects.filter(pk=project_id).delete()
    sets.sync_files()  # exported training files lose the deleted rows too
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
    """Events (and raw events) received before their organisation's retention, and the issues
    left without events; everything derived from them goes too."""
    now = now or timezone.now()
    totals = {"events": 0, "raw_events": 0, "issues": 0}
    for org_id, days in Organization.objects.values_list("id", "retention_days"):
        cutoff = now - dt.timedelta(days=days)
        totals["events"] += delete_events_in_chunks(
            Event.objects.filter(project__organization_id=org_id, received__lt=cutoff)
        )
        totals["raw_events"] += delete_in_chunks(
            RawEvent.objects.filter(project__organization_id=org_id, received_at__lt=cutoff)
        )
        # Issues by server time: an issue goes when none of its events is left. Its
        # last_seen comes from client clocks, which may lie (a device set in the past).
        totals["issues"] += delete_in_chunks(
            Issue.objects.filter(project__organization_id=org_id).exclude(
                Exists(Event.objects.filter(issue_id=OuterRef("pk")))
            )
        )
    cutoffs = {org_id: now - dt.timedelta(days=days)
               for org_id, days in Organization.objects.values_list("id", "retention_days")}
    for name, model in (("attachments", Attachment), ("feedback", UserFeedback)):
        totals[name] = sum(delete_in_chunks(model.objects.filter(
            project__organization_id=org_id, received_at__lt=cutoff))
            for org_id, cutoff in cutoffs.items())
    # An erasure is kept while events received before it may still come (a spool, a raw
    # event); past the retention they are dropped as expired anyway.
    totals["erasures"] = sum(ErasedIdentity.objects.filter(
        organization_id=org_id, erased_at__lt=cutoff).delete()[0]
        for org_id, cutoff in cutoffs.items())
    totals.update(sourcemaps_retention.purge_expired(now, cutoffs, delete_in_chunks))
    sets.sync_files()  # exported training files lose the expired rows too
    staleness.reconcile()  # deletion reaches the trained models
    return totals
