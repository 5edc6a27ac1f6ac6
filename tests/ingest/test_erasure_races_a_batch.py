"""More of an erasure racing a processing batch (test_erased_issue_during_batch.py): a new
fingerprint pointing at its previous configuration's issue when that issue is deleted; another
worker making the fingerprint again just before this batch tries its lock; the issue made again
counted as a first event's; and an erased user's event claimed by a batch before the erasure was
recorded, which must not outlive the erasure."""

import json
import threading
import uuid

import pytest
from django.db import connection, transaction

from grouping.fingerprint import FP1
from ingest.accept import store_raw_event
from ingest.models import RawEvent
from ingest.processing import process_pending
from monitor.models import Event, GroupHash, Issue
from privacy.erasure import erase_end_user
from tests.conftest import wait_for
from tests.helpers.processing import fingerprint_mode, served_config
from tests.ingest.test_erased_issue_during_batch import (
    drain,
    erase_while_a_batch_waits,
    in_thread,
    queue,
    two_issues,
    waiting_backends,
    warnings,
)

pytestmark = pytest.mark.django_db(transaction=True)


def frame(function: str) -> dict:
    return {"filename": "https://shop.example/assets/app.3f9a1c.js", "function": function,
            "lineno": 1, "colno": 100, "in_app": True}


def browser(project, user: str, n: int = 1) -> None:
    """Events whose fingerprint differs under faultline-fp-1 (a minified bundle's frames): a new
    faultline-fp-2 hash of theirs falls back to the issue of their faultline-fp-1 hash."""
    body = {"platform": "javascript", "user": {"id": user}, "exception": {"values": [{
        "type": "TypeError", "value": "t.split is not a function",
        "stacktrace": {"frames": [frame("Fr"), frame("Object.cs [as fields/canonicalEmail]"),
                                  frame("t.split")]}}]}}
    for _ in range(n):
        store_raw_event(project.id, uuid.uuid4(), "event", json.dumps(body).encode())


def test_a_previous_configuration_issue_erased_while_a_batch_waits_is_made_again(
        project, caplog):
    """The batch's new hash points at the issue of its previous-configuration hash (`pointed`),
    then waits for another issue's lock; the erasure deletes that issue meanwhile. The batch's
    own fingerprint row still names it, so resolve_hashes sees nothing gone, writes the events
    for the deleted issue, fails at commit and is redone one event at a time."""
    fingerprint_mode(project)
    queue(project, "z", 1, user="keep")
    drain()
    z = Issue.objects.get(project=project)
    with served_config(FP1):  # an issue made under faultline-fp-1
        browser(project, user="gone")
        drain()
    old = Issue.objects.exclude(pk=z.pk).get(project=project)
    assert GroupHash.objects.get(issue=old).fingerprint_config == FP1 and z.pk < old.pk
    queue(project, "z", 1, user="other")
    browser(project, user="other", n=2)

    errors: list[BaseException] = []
    batch = erase_while_a_batch_waits(project, z, errors)  # the batch points, then waits
    assert not Issue.objects.filter(pk=old.pk).exists()  # erased while the batch waits
    batch.join(60)
    drain()

    assert not errors, errors
    assert not RawEvent.objects.exists()
    assert Event.objects.filter(project=project).count() == 4  # nothing lost either way
    (again,) = Issue.objects.exclude(pk=z.pk).filter(project=project)
    assert again.times_seen == 2
    assert warnings(caplog) == []  # not failed at commit


def test_a_fingerprint_made_again_by_another_worker_just_before_the_try_is_joined(
        project, caplog):
    """The batch reads x's fingerprint gone under its issue locks; another worker makes it again
    and commits before the batch tries its hash lock. The try then succeeds, and _create_again
    inserts the fingerprint without looking again: a duplicate key, the batch fails and is redone
    one event at a time, though nobody was making the fingerprint any more."""
    z, x = two_issues(project)
    errors: list[BaseException] = []
    at_try, go = threading.Event(), threading.Event()

    def pause_at_try(execute, sql, params, many, context):
        if "pg_try_advisory_xact_lock" in sql and not go.is_set():
            at_try.set()
            go.wait(60)
        return execute(sql, params, many, context)

    def the_batch():
        with connection.execute_wrapper(pause_at_try):
            process_pending(100)

    batch = erase_while_a_batch_waits(project, z, errors, the_batch)
    assert not Issue.objects.filter(pk=x.pk).exists()
    assert at_try.wait(60), "the batch found x gone"
    queue(project, "x", 1, user="late")  # another worker's event, claimed by it alone
    worker = in_thread(lambda: process_pending(100), errors)
    worker.join(60)
    assert not worker.is_alive()
    assert GroupHash.objects.filter(project=project, issue__title__startswith="x failed").exists()
    go.set()
    batch.join(60)
    drain()

    assert not errors, errors
    assert not RawEvent.objects.exists()
    (again,) = Issue.objects.filter(project=project, title__startswith="x failed")
    assert Event.objects.filter(issue=again).count() == 3 and again.times_seen == 3
    assert warnings(caplog) == []  # no duplicate fingerprint row


def stack_event(project, user: str, timestamp: float) -> None:
    """An event with an in-app stack trace (an ML candidate) at a given client time."""
    body = {"platform": "python", "user": {"id": user}, "timestamp": timestamp,
            "exception": {"values": [{"type": "KeyError", "value": "'sku'", "stacktrace": {
                "frames": [{"filename": "shop/cart.py", "function": "add_line", "lineno": 12,
                            "in_app": True}]}}]}}
    store_raw_event(project.id, uuid.uuid4(), "event", json.dumps(body).encode())


def test_the_issue_made_again_is_a_whole_new_issue(project, no_breaker, caplog):
    """What a first event gives an issue, the one made again gets too: its counters and tags from
    this batch alone, the earliest event's time, a priority from its first event, a `new` alert,
    and an ML-pending fingerprint in ML mode."""
    from alerts.models import AlertFact
    from monitor.models import IssueTag

    project.grouping_mode = project.GroupingMode.ML
    project.save(update_fields=["grouping_mode"])
    queue(project, "z", 1, user="keep")
    drain()
    z = Issue.objects.get(project=project)
    stack_event(project, "gone", 1_780_000_000)
    drain()
    x = Issue.objects.exclude(pk=z.pk).get(project=project)
    queue(project, "z", 1, user="other")
    stack_event(project, "other", 1_780_000_500)  # the batch's seed: not its earliest event
    stack_event(project, "other", 1_780_000_100)
    AlertFact.objects.all().delete()

    errors: list[BaseException] = []
    batch = erase_while_a_batch_waits(project, z, errors)
    batch.join(60)
    assert not Issue.objects.filter(pk=x.pk).exists()

    assert not errors, errors
    assert warnings(caplog) == []  # made by that batch, not by the one-by-one path
    (again,) = Issue.objects.exclude(pk=z.pk).filter(project=project)
    assert again.pk != x.pk
    assert (again.times_seen, again.users_seen) == (2, 1)
    assert again.first_seen.timestamp() == 1_780_000_100
    assert again.last_seen.timestamp() == 1_780_000_500
    assert again.priority_factors  # assessed at creation from its first event
    assert list(IssueTag.objects.filter(issue=again, key="user")
                .values_list("value", "times_seen")) == [("id:other", 2)]
    assert list(AlertFact.objects.filter(kind="new").values_list("issue_id", flat=True)) \
        == [again.pk]
    assert GroupHash.objects.get(issue=again).ml_state == GroupHash.MLState.PENDING


def test_a_batch_waiting_for_the_hash_lock_taken_by_trying_joins_the_issue(project, caplog):
    """A batch that made a fingerprint again holds its hash lock (tried, after its issue locks)
    until it commits; another batch with that fingerprint waits for it in lock_hashes, holding
    no issue lock, then finds the issue made again: no deadlock, no failure, one issue."""
    z, x = two_issues(project)
    errors: list[BaseException] = []
    after_try, go = threading.Event(), threading.Event()

    def pause_after_try(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if "pg_try_advisory_xact_lock" in sql and not go.is_set():
            after_try.set()
            go.wait(60)
        return result

    def the_batch():
        with connection.execute_wrapper(pause_after_try):
            process_pending(100)

    batch = erase_while_a_batch_waits(project, z, errors, the_batch)
    assert after_try.wait(60), "the batch holds x's hash lock"
    queue(project, "x", 1, user="late")
    worker = in_thread(lambda: process_pending(100), errors)
    wait_for(lambda: waiting_backends() == 1, message="the worker waiting for x's hash lock")
    go.set()
    batch.join(60)
    worker.join(60)
    assert not batch.is_alive() and not worker.is_alive()

    assert not errors, errors
    assert warnings(caplog) == []
    assert not RawEvent.objects.exists()
    (again,) = Issue.objects.filter(project=project, title__startswith="x failed")
    assert Event.objects.filter(issue=again).count() == 3 and again.times_seen == 3


def test_an_erased_users_event_in_a_waiting_batch_does_not_outlive_the_erasure(project, caplog):
    """The batch claimed a raw event of the user (and checked it against the erasures,
    _drop_erased) before the erasure was recorded, then waits for an issue lock. The erasure
    waits to delete the claimed raw row, and only then reads the user's stored events: the one
    the batch stored is among them (read before, it was left behind)."""
    z, x = two_issues(project)
    queue(project, "x", 1, user="gone")  # in the same batch as the others
    errors: list[BaseException] = []
    with transaction.atomic():
        Issue.objects.select_for_update().get(pk=z.pk)
        batch = in_thread(lambda: process_pending(100), errors)
        wait_for(lambda: waiting_backends() == 1, message="the batch waiting for z")
        eraser = in_thread(
            lambda: erase_end_user(project.organization_id, user_id="gone"), errors)
        wait_for(lambda: waiting_backends() == 2, message="the erasure waiting for the batch")
    batch.join(60)
    eraser.join(60)
    assert not batch.is_alive() and not eraser.is_alive()

    assert not errors, errors
    assert not RawEvent.objects.exists()
    assert list(Event.objects.filter(project=project, user__id="gone")
                .values_list("issue_id", flat=True)) == []
