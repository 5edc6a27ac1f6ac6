"""A batch writes its events before it locks their issues (ingest.processing.save), so a merge
can commit in between: the batch then finds its fingerprint moved, points its events at the
issue it moved to and counts them there, in the same transaction, without failing."""

import json
import logging
import threading
import uuid

import pytest
from django.db import connection, transaction

from grouping.merge import merge_issues
from ingest.accept import store_raw_event
from ingest.models import RawEvent
from ingest.processing import process_pending
from monitor.models import Event, GroupHash, Issue
from tests.conftest import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def queue(project, fingerprint: str, n: int) -> None:
    for i in range(n):
        body = {"message": f"{fingerprint} failed {i}", "fingerprint": [fingerprint]}
        store_raw_event(project.id, uuid.uuid4(), "event", json.dumps(body).encode())


def waiting_backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(DISTINCT pid) FROM pg_locks WHERE NOT granted")
        return cursor.fetchone()[0]


def test_a_merge_committed_while_a_batch_writes_moves_its_events_and_counts(project, caplog):
    queue(project, "a", 2)
    queue(project, "b", 2)
    while process_pending(100):
        pass
    source = Issue.objects.get(project=project, title__startswith="a failed")
    target = Issue.objects.get(project=project, title__startswith="b failed")
    queue(project, "a", 3)  # the batch: fingerprint a, which the merge moves to the target

    errors: list[BaseException] = []

    def drain():
        try:
            process_pending(100)
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    batch = threading.Thread(target=drain)
    with transaction.atomic():
        Issue.objects.select_for_update().get(pk=source.pk)  # the batch waits here to count
        batch.start()
        wait_for(lambda: waiting_backends() == 1, message="the batch waiting for the issue")
        assert Event.objects.filter(issue_id=source.pk).count() == 2  # its writes are not seen
        merge_issues(target.pk, [source.pk])
    batch.join(60)

    assert not errors, errors
    assert not RawEvent.objects.exists()
    failures = [r.getMessage() for r in caplog.records
                if r.name == "ingest.processing" and r.levelno >= logging.WARNING]
    assert failures == []  # stored by that batch, not by a retry one event at a time
    assert not Issue.objects.filter(pk=source.pk).exists()
    assert set(GroupHash.objects.filter(project=project).values_list("issue_id", flat=True)) == {
        target.pk}
    target.refresh_from_db()
    assert Event.objects.filter(project=project).count() == 7
    assert Event.objects.filter(issue=target).count() == 7
    assert target.times_seen == 7
    assert sum(target.tag_values.filter(key="level").values_list("times_seen", flat=True)) == 7
