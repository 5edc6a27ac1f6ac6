"""Deleting data in chunks (a big project is never one huge transaction), and the per-
organisation retention purge. Derived rows go with what they came from: vectors, training pairs
and labels cascade from their events, issues take their fingerprints, tags and vectors along.

Events are partitioned by received time (monitor.partitions): a span past every organisation's
retention is detached and dropped whole; an organisation with a shorter retention loses its
older events row by row, in chunks, which partition pruning confines to the spans still kept
that are older than its cutoff (and the default partition), through the (project, received)
index."""

from __future__ import annotations

import datetime as dt

from django.db import connection, models, transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from assist.forget import forget_issues
from attachments.models import Attachment
from embeddings.models import IssueEmbedding
from feedback.models import UserFeedback
from grouping.models import GroupingFeedback, LabelledPair
from ingest.models import RawEvent
from monitor import eventstore, partitions
from monitor.models import Event, Issue, Organization, Project
from priority.models import SeverityExample
from privacy.models import ErasedIdentity
from privacy.tagcounts import subtract_events
from sourcemaps import retention as sourcemaps_retention
from training import sets, staleness
from training.models import TrainingPair

CHUNK = 2000
# Events of a detached day taken out of the tag counts per transaction, which holds the row
# locks of their issues (as ingest takes them) until it commits: ~0.5 s each, measured
# (docs/benchmarks.md).
RETIRE_CHUNK = 500


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


def _without_events(issues: models.QuerySet) -> models.QuerySet:
    return issues.exclude(Exists(Event.objects.filter(issue_id=OuterRef("pk"))))


def delete_empty_issues(issues: models.QuerySet) -> int:
    """Delete the issues of `issues` that no event is left in, a chunk per transaction. A
    processing batch locks an issue before it writes its events, and its fingerprint still
    leads there, so each chunk is locked as the batch locks (by id), then looked at again
    with what the batches that held them committed: an issue a batch has just written to
    stays. Deleting it unlocked would wait for the batch, then fail (a deadlock, or the
    events' deferred foreign key at commit) and end the whole retention pass."""
    total, after = 0, 0
    while True:
        with transaction.atomic():
            ids = list(_without_events(issues.filter(pk__gt=after)).order_by("pk")
                       .values_list("pk", flat=True)[:CHUNK])
            if not ids:
                return total
            after = ids[-1]
            list(Issue.objects.select_for_update().filter(pk__in=ids).order_by("pk")
                 .values_list("pk", flat=True))
            empty = list(_without_events(Issue.objects.filter(pk__in=ids))
                         .values_list("pk", "project__organization_id"))
            for organization_id in {org for _, org in empty}:
                forget_issues(organization_id, [pk for pk, org in empty if org == organization_id])
            Issue.objects.filter(pk__in=[pk for pk, _ in empty]).delete()
        total += len(empty)


# Rows pointing at events, which no database constraint can (events are partitioned).
EVENT_PAIRS = (LabelledPair, GroupingFeedback, TrainingPair)


def drop_expired_partitions(horizon: dt.datetime) -> int:
    """Retire every span wholly before `horizon` (the longest retention); returns its events."""
    total = 0
    for span in partitions.expired(horizon):
        partitions.detach(span)  # one it cannot lock now is retired on the next run
    for table, span in partitions.detached():  # this run's, and any a stopped run left
        total += _retire(table, span)
    return total


def _retire(table: str, span: partitions.Span) -> int:
    """A detached span's events leave their issues' tag counts (a chunk per transaction, its
    progress committed with it), the rows pointing at them go, then the table and its keys."""
    total = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT id FROM {table} WHERE id > %s ORDER BY id LIMIT %s",
                           [partitions.progress(table), RETIRE_CHUNK])
            ids = [row[0] for row in cursor.fetchall()]
            if not ids:
                break
            subtract_events(ids, events=table)
            partitions.record_progress(table, ids[-1])
        total += len(ids)
    gone = RawSQL(f"SELECT id FROM {table}", ())  # a partition's name, no input
    for model in EVENT_PAIRS:
        delete_in_chunks(model.objects.filter(Q(event_a_id__in=gone) | Q(event_b_id__in=gone)))
    delete_in_chunks(IssueEmbedding.objects.filter(event_id__in=gone))
    delete_in_chunks(SeverityExample.objects.filter(event_id__in=gone))
    if eventstore.uses_object_store():
        from monitor import objectstore

        objectstore.delete_days(span.start, span.end)
    partitions.drop_detached(table)
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM monitor_eventkey WHERE ctid = ANY(ARRAY(SELECT ctid FROM "
                "monitor_eventkey WHERE received >= %s AND received < %s LIMIT %s))",
                [span.start, span.end, CHUNK])
            if cursor.rowcount == 0:
                break
    return total


def purge_project(project_id: int) -> dict[str, int]:
    organization_id = Project.objects.filter(pk=project_id).values_list(
        "organization_id", flat=True).first()
    if organization_id is not None:  # other projects' summaries given one of its issues
        forget_issues(organization_id, Issue.objects.filter(project_id=project_id)
                      .values_list("pk", flat=True).iterator())
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


def whole_days_before(cutoff: dt.datetime) -> dt.datetime:
    """Events go by whole received days (UTC): those of the day the cutoff falls in stay until
    the next day's run. With day-long partitions, the longest retention's events then all
    leave by partition, none row by row."""
    return partitions.span_of(cutoff, days=1).start


def purge_expired(now: dt.datetime | None = None) -> dict[str, int]:
    """Events (and raw events) received before their organisation's retention, and the issues
    left without events; everything derived from them goes too."""
    now = now or timezone.now()
    totals = {"events": 0, "raw_events": 0, "issues": 0}
    retentions = list(Organization.objects.values_list("retention_days", flat=True))
    if retentions:
        totals["events"] += drop_expired_partitions(now - dt.timedelta(days=max(retentions)))
    for org_id, days in Organization.objects.values_list("id", "retention_days"):
        cutoff = now - dt.timedelta(days=days)
        totals["events"] += delete_events_in_chunks(Event.objects.filter(
            project__organization_id=org_id, received__lt=whole_days_before(cutoff)))
        totals["raw_events"] += delete_in_chunks(
            RawEvent.objects.filter(project__organization_id=org_id, received_at__lt=cutoff)
        )
        # Issues by server time: an issue goes when none of its events is left. Its
        # last_seen comes from client clocks, which may lie (a device set in the past).
        totals["issues"] += delete_empty_issues(
            Issue.objects.filter(project__organization_id=org_id))
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
