"""An issue's received span (Issue.received_from/until) is kept by the database around every
event of the issue, however the event got there (ingest, the bulk path, a merge or an unmerge
moving events), so its event queries name the partitions to read, and the planner reads only
those."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.utils import timezone

from grouping.merge import merge_issues, unmerge_hash
from monitor import eventstore, partitions
from monitor.issue_events import events_of
from monitor.models import Event, GroupHash, Issue, Project
from tests.helpers.events import event, ingest

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)


def _issue(project, title="boom") -> Issue:
    now = timezone.now()
    return Issue.objects.create(project=project, title=title, first_seen=now, last_seen=now)


def _store(project, issue, *received: dt.datetime, grouping_hash="h" * 32) -> list[int]:
    return eventstore.bulk_insert([{
        "project_id": project.id, "issue_id": issue.id, "event_id": uuid.uuid4(),
        "timestamp": at, "received": at, "grouping_hash": grouping_hash, "title": "boom",
        "data": {"message": "boom"}} for at in received])


def _within(issue: Issue) -> bool:
    """Every event of the issue was received inside its span, the span whole hours."""
    issue.refresh_from_db()
    received = list(Event.objects.filter(issue=issue).values_list("received", flat=True))
    return bool(received) and all(
        issue.received_from <= at < issue.received_until for at in received) and all(
        (moment.minute, moment.second, moment.microsecond) == (0, 0, 0)
        for moment in (issue.received_from, issue.received_until))


def test_stored_events_widen_their_issues_span_to_whole_hours(project):
    issue = _issue(project)
    assert issue.received_from is None and issue.received_until is None
    noon = timezone.now().replace(minute=0, second=0, microsecond=0) - 5 * HOUR
    _store(project, issue, noon + dt.timedelta(minutes=20))
    issue.refresh_from_db()
    assert (issue.received_from, issue.received_until) == (noon, noon + HOUR)
    _store(project, issue, noon - 2 * HOUR + dt.timedelta(minutes=59),
           noon + 3 * HOUR + dt.timedelta(seconds=1))
    issue.refresh_from_db()
    assert (issue.received_from, issue.received_until) == (noon - 2 * HOUR, noon + 4 * HOUR)
    assert _within(issue)


def test_an_ingested_event_spans_its_issue(project, project_key):
    project.grouping_mode = Project.GroupingMode.FINGERPRINT
    project.save()
    ingest(project, {**event(), "fingerprint": ["a"]})
    assert _within(Issue.objects.get())


def test_merged_and_unmerged_events_take_their_span_along(project):
    now = timezone.now()
    target, source = _issue(project, "target"), _issue(project, "source")
    GroupHash.objects.create(project=project, hash="t" * 32, issue=target)
    GroupHash.objects.create(project=project, hash="s" * 32, issue=source)
    _store(project, target, now - HOUR, grouping_hash="t" * 32)
    _store(project, source, now - 30 * HOUR, now - 28 * HOUR, grouping_hash="s" * 32)
    merge_issues(target.id, [source.id])
    assert _within(target) and events_of(target).count() == 3
    new_issue = unmerge_hash(GroupHash.objects.get(hash="s" * 32))
    assert _within(new_issue) and events_of(new_issue).count() == 2
    assert events_of(Issue.objects.get(pk=target.id)).count() == 1


def _partitions_read(queryset) -> set[str]:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                       " WHERE i.inhparent = 'monitor_event'::regclass")
        partitions = {row[0] for row in cursor.fetchall()}
    return {name for name in partitions if f" {name} " in plan or f" {name}\n" in plan}


def test_an_issues_event_queries_read_only_the_partitions_of_its_span(project):
    issue = _issue(project)
    now = timezone.now()  # a moment of the current span: five minutes ago may be yesterday's
    _store(project, issue, max(now - dt.timedelta(minutes=5), partitions.span_of(now).start))
    issue.refresh_from_db()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_inherits"
                       " WHERE inhparent = 'monitor_event'::regclass")
        assert cursor.fetchone()[0] > 2  # the migration's spans and the default partition
    for queryset in (events_of(issue).order_by("-id")[:1],
                     events_of(issue).order_by("-timestamp", "-id")[:25],
                     events_of(issue)[:10001]):
        read = _partitions_read(queryset)
        assert len(read) == 1 and "default" not in next(iter(read)), read
    assert len(_partitions_read(Event.objects.filter(issue_id=issue.id).order_by("-id")[:1])) > 2
