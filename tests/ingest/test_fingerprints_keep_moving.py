"""A processing batch locks its fingerprints' issues and reads the fingerprints again under the
locks, up to three times while merges keep moving them. If they still moved on the third read,
the batch is redone (grouping.assign.FingerprintRace) rather than writing events for an issue it
has not locked; its events are stored one at a time after, in the issue the fingerprint ends in."""

import threading

import pytest
from django.db import connection, transaction

from grouping.merge import merge_issues
from ingest.models import RawEvent
from ingest.processing import process_pending
from monitor.locks import LOCK_ISSUES_SQL
from monitor.models import Event, GroupHash, Issue
from tests.conftest import wait_for
from tests.ingest.test_erased_issue_during_batch import drain, in_thread, queue, warnings

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_fingerprint_moved_at_every_read_redoes_the_batch(project, caplog):
    for name in ("a", "b", "c", "d"):
        queue(project, name, 1, user="u")
    drain()
    issue = {name: Issue.objects.get(project=project, title__startswith=f"{name} failed")
             for name in "abcd"}
    queue(project, "a", 2, user="u")

    errors: list[BaseException] = []
    paused, go = threading.Event(), threading.Event()
    passes: list[int] = []

    def pause_before_each_lock(execute, sql, params, many, context):
        if sql == LOCK_ISSUES_SQL and len(passes) < 3:
            passes.append(1)
            paused.set()
            go.wait(60)
            go.clear()
        return execute(sql, params, many, context)

    def the_batch():
        with connection.execute_wrapper(pause_before_each_lock):
            process_pending(100)

    batch = in_thread(the_batch, errors)
    for source, target in (("a", "b"), ("b", "c"), ("c", "d")):  # a's fingerprint moves on
        assert paused.wait(60), f"the batch about to lock before {source} → {target}"
        paused.clear()
        with transaction.atomic():
            merge_issues(issue[target].pk, [issue[source].pk])
        go.set()
    wait_for(lambda: any("kept moving" in w for w in warnings(caplog)),
             message="the batch redone after three moves")
    batch.join(60)
    drain()

    assert not errors, errors
    assert not RawEvent.objects.exists()
    assert GroupHash.objects.filter(project=project, issue=issue["d"]).count() == 4
    assert Event.objects.filter(project=project).count() == 6
    assert Event.objects.filter(issue=issue["d"]).count() == 6  # a's three, b's, c's, d's
