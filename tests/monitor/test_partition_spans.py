"""Partition spans of a configurable length: the spans that exist are read from the catalog, so
an installation made with 7-day spans keeps working after the length changes (spans of both
lengths side by side, a detached span retired whole), and retention at the longest retention is
a partition drop, not row deletes."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.utils import timezone

from monitor import eventstore, partitions
from monitor.models import Event, Issue, Organization
from privacy.deletion import purge_expired

pytestmark = pytest.mark.django_db(transaction=True)

DAY = dt.timedelta(days=1)
# Beyond every span the migration made, one year per test: spans outlive a test's rows.
FAR = {name: dt.datetime(year, 1, 5, 13, tzinfo=dt.UTC)
       for name, year in (("beside", 2400), ("cut", 2401), ("bounds", 2402))}


@pytest.fixture(autouse=True)
def _no_detached_table_left():
    """A detached table keeps its foreign keys: one left behind would stop the flush."""
    yield
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relkind = 'r' AND NOT relispartition "
            "AND relname ~ '^monitor_event_p[0-9]{8}$'")
        for (table,) in cursor.fetchall():
            cursor.execute(f"DROP TABLE {table}")


def _issue(project) -> Issue:
    now = timezone.now()
    return Issue.objects.create(project=project, title="boom", first_seen=now, last_seen=now)


def _store(project, issue, received: dt.datetime, event_id: uuid.UUID | None = None) -> int:
    (pk,) = eventstore.bulk_insert([{
        "project_id": project.id, "issue_id": issue.id, "event_id": event_id or uuid.uuid4(),
        "timestamp": received, "received": received, "grouping_hash": "h" * 32,
        "title": "boom", "data": {"message": "boom"}, "tags": [["user", "id:1"]]}])
    return pk


def _partition_of(event_pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM monitor_event WHERE id = %s",
                       [event_pk])
        return cursor.fetchone()[0]


def _overlaps(spans: list[partitions.Span]) -> list[tuple]:
    return [(a, b) for a, b in zip(spans, spans[1:], strict=False) if b.start < a.end]


def test_day_spans_are_made_beside_week_spans_of_an_older_installation(project, settings):
    settings.FAULTLINE_EVENT_PARTITION_DAYS = 7
    week = partitions.span_of(FAR["beside"])
    assert partitions.create(week)
    settings.FAULTLINE_EVENT_PARTITION_DAYS = 1

    made = partitions.ensure(week.start + 3 * DAY, ahead=6)

    assert made == [partitions.Span(week.end + n * DAY, week.end + (n + 1) * DAY)
                    for n in range(3)]
    for parent in partitions.PARENTS:
        spans = partitions.existing(parent)
        assert week in spans and not _overlaps(spans)
    issue = _issue(project)
    in_week, after = _store(project, issue, week.start + 4 * DAY), _store(project, issue,
                                                                          week.end + DAY)
    assert _partition_of(in_week) == week.table("monitor_event")
    assert _partition_of(after) == made[1].table("monitor_event")


def test_a_longer_span_after_day_spans_is_cut_to_what_they_leave_free(project, settings):
    settings.FAULTLINE_EVENT_PARTITION_DAYS = 1
    first = partitions.span_of(FAR["cut"])
    partitions.ensure(FAR["cut"], ahead=2)  # three days
    settings.FAULTLINE_EVENT_PARTITION_DAYS = 7
    week = partitions.span_of(FAR["cut"])

    made = partitions.ensure(FAR["cut"], ahead=1)

    assert made == [partitions.Span(week.start, first.start),
                    partitions.Span(first.start + 3 * DAY, week.end),
                    partitions.span_of(week.end)]
    assert not _overlaps(partitions.existing())
    issue = _issue(project)
    for part in made:
        event = _store(project, issue, part.end - dt.timedelta(hours=1))
        assert _partition_of(event) == part.table("monitor_event")


def test_a_week_span_detached_under_day_spans_is_retired_whole(project, settings):
    """A 7-day span of an older installation, detached by a run that stopped, is found with its
    own bounds: all its events leave (their keys too: the same event id can be sent again)."""
    settings.FAULTLINE_EVENT_PARTITION_DAYS = 7
    Organization.objects.filter(pk=project.organization_id).update(retention_days=10)
    now = timezone.now()
    week = partitions.span_of(now - 60 * DAY)
    partitions.create(week)
    issue = _issue(project)
    late_id = uuid.uuid4()
    first, late = (_store(project, issue, week.start + DAY),
                   _store(project, issue, week.start + 5 * DAY, late_id))
    assert partitions.detach(week)
    settings.FAULTLINE_EVENT_PARTITION_DAYS = 1

    assert partitions.detached() == [(week.table("monitor_event"), week)]
    purge_expired(now)

    assert partitions.detached() == []
    assert not Event.objects.filter(pk__in=[first, late]).exists()
    _store(project, _issue(project), now, late_id)  # its key went with it


def test_a_table_detached_without_its_bounds_spans_its_rows(project, settings):
    """Tables detached by a version that kept no bounds: the span covers their rows."""
    settings.FAULTLINE_EVENT_PARTITION_DAYS = 7
    week = partitions.span_of(FAR["bounds"])
    partitions.create(week)
    issue = _issue(project)
    _store(project, issue, week.start + DAY)
    _store(project, issue, week.start + 6 * DAY)
    with connection.cursor() as cursor:
        for parent in partitions.PARENTS:
            cursor.execute(f"ALTER TABLE {parent} DETACH PARTITION {week.table(parent)}")
    settings.FAULTLINE_EVENT_PARTITION_DAYS = 1

    ((table, span),) = partitions.detached()
    partitions.drop_detached(table)

    assert table == week.table("monitor_event")
    assert span.start <= week.start + DAY and span.end > week.start + 6 * DAY


def test_the_longest_retention_goes_by_whole_day_partitions(project, settings):
    """Day spans, one organisation keeping 30 days: the days wholly past the retention are
    dropped as partitions; the events of the day the cutoff falls in all stay, even those
    received before the cutoff (not deleted row by row), until the next day's run drops that
    day whole."""
    settings.FAULTLINE_EVENT_PARTITION_DAYS = 1
    Organization.objects.filter(pk=project.organization_id).update(retention_days=30)
    now = timezone.now()
    cutoff = now - 30 * DAY
    cutoff_day = partitions.span_of(cutoff)
    partitions.ensure(cutoff - 2 * DAY, ahead=3)
    issue = _issue(project)
    _store(project, issue, cutoff_day.start - dt.timedelta(hours=2))
    early = _store(project, issue, cutoff_day.start + (cutoff - cutoff_day.start) / 2)
    late = _store(project, issue, cutoff_day.end - dt.timedelta(minutes=1))
    recent = _store(project, issue, now - DAY)

    assert purge_expired(now)["events"] == 1

    assert set(Event.objects.values_list("pk", flat=True)) == {early, late, recent}
    assert cutoff_day in partitions.existing()
    assert partitions.span_of(cutoff_day.start - DAY) not in partitions.existing()

    assert purge_expired(now + DAY)["events"] == 2
    assert set(Event.objects.values_list("pk", flat=True)) == {recent}
    assert cutoff_day not in partitions.existing()
