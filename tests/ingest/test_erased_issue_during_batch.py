"""An erasure (privacy.erasure.erase_end_user) can delete an issue, with its fingerprint, after
a processing batch looked the fingerprint up and before it locks the issue (the batch waits for
another issue's lock meanwhile). The batch makes the fingerprint's issue again under its locks,
instead of writing events for the deleted issue and failing at commit; where another worker is
making that fingerprint at the same moment, the batch is redone one event at a time, and still
nothing is lost."""

import json
import logging
import threading
import uuid

import pytest
from django.db import connection, transaction

from grouping.assign import _lock_key
from ingest.accept import store_raw_event
from ingest.models import RawEvent
from ingest.processing import process_pending
from monitor.models import Event, GroupHash, Issue
from privacy.erasure import erase_end_user
from tests.conftest import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def queue(project, fingerprint: str, n: int, user: str, release: str | None = None) -> None:
    for i in range(n):
        body = {"message": f"{fingerprint} failed {i}", "fingerprint": [fingerprint],
                "user": {"id": user}}
        if release:
            body["release"] = release
        store_raw_event(project.id, uuid.uuid4(), "event", json.dumps(body).encode())


def drain() -> None:
    while process_pending(100):
        pass


def waiting_backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(DISTINCT pid) FROM pg_locks WHERE NOT granted")
        return cursor.fetchone()[0]


def in_thread(work, errors: list) -> threading.Thread:
    def run():
        try:
            work()
        except BaseException as exc:  # asserted by the test
            errors.append(exc)
        finally:
            connection.close()
    thread = threading.Thread(target=run)
    thread.start()
    return thread


def warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "ingest.processing" and r.levelno >= logging.WARNING]


def two_issues(project) -> tuple[Issue, Issue]:
    """z (kept: another user's event) and x (only the user about to be erased), z first by id,
    then a batch of z's and x's events from a third user waiting to be processed."""
    queue(project, "z", 1, user="keep")
    drain()
    queue(project, "x", 1, user="gone")
    drain()
    z = Issue.objects.get(project=project, title__startswith="z failed")
    x = Issue.objects.get(project=project, title__startswith="x failed")
    assert z.pk < x.pk
    queue(project, "z", 1, user="other")
    queue(project, "x", 2, user="other")
    return z, x


def erase_while_a_batch_waits(project, z: Issue, errors: list, work=None) -> threading.Thread:
    """Hold z's lock; start a batch (`work`, else process_pending) that looks its fingerprints
    up and then waits for z; erase the end user "gone" meanwhile. Returns the batch's thread,
    let go once the erasure is done."""
    with transaction.atomic():
        Issue.objects.select_for_update().get(pk=z.pk)
        batch = in_thread(work or (lambda: process_pending(100)), errors)
        wait_for(lambda: waiting_backends() == 1, message="the batch waiting for z")
        eraser = in_thread(
            lambda: erase_end_user(project.organization_id, user_id="gone"), errors)
        eraser.join(60)
        assert not eraser.is_alive()
    return batch


def batch_holding_its_issues(project, release: str, errors: list) -> threading.Thread:
    """In the caller's open transaction, an uncommitted first sighting of `release`; then a
    batch (process_pending) of events naming it, which locks their issues, writes the events,
    and waits while recording that sighting (priority.assess.release_sightings) until the
    caller commits."""
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO monitor_projectrelease (project_id, version, first_seen)"
                       " VALUES (%s, %s, now())", [project.id, release])
    batch = in_thread(lambda: process_pending(100), errors)
    wait_for(lambda: waiting_backends() == 1, message="the batch waiting to record the release")
    return batch


def test_an_issue_erased_while_a_batch_waits_is_made_again_by_that_batch(project, caplog):
    z, x = two_issues(project)
    errors: list[BaseException] = []
    batch = erase_while_a_batch_waits(project, z, errors)
    batch.join(60)
    assert not Issue.objects.filter(pk=x.pk).exists()  # erased while the batch waited

    assert not errors, errors
    assert warnings(caplog) == []  # stored by that batch: no failed commit, no one-by-one
    assert not RawEvent.objects.exists()
    again = GroupHash.objects.get(project=project, issue__title__startswith="x failed").issue
    assert again.pk != x.pk and again.times_seen == 2
    assert Event.objects.filter(issue=again).count() == 2
    assert Event.objects.filter(project=project).count() == 4  # z's two, x's new two


def test_an_erased_fingerprint_another_worker_is_making_redoes_the_batch(project, caplog):
    """The batch holds z's lock when it finds x gone; x's hash lock is another worker's, which
    it must not wait for (that order deadlocks): it fails, and its events go one at a time."""
    z, x = two_issues(project)
    errors: list[BaseException] = []
    hash_held, release_hash = threading.Event(), threading.Event()

    def other_worker():  # makes x again, slowly: holds its hash lock until told
        with transaction.atomic(), connection.cursor() as cursor:
            x_hash = GroupHash.objects.get(issue_id=x.pk).hash
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_lock_key(project.id, x_hash)])
            hash_held.set()
            release_hash.wait(60)

    with transaction.atomic():
        Issue.objects.select_for_update().get(pk=z.pk)
        batch = in_thread(lambda: process_pending(100), errors)
        wait_for(lambda: waiting_backends() == 1, message="the batch waiting for z")
        holder = in_thread(other_worker, errors)
        assert hash_held.wait(30)
        eraser = in_thread(
            lambda: erase_end_user(project.organization_id, user_id="gone"), errors)
        eraser.join(60)
    wait_for(lambda: any("being made again" in w for w in warnings(caplog)),
             message="the batch failed and went one by one")
    release_hash.set()
    holder.join(60)
    batch.join(60)
    drain()

    assert not errors, errors
    assert not RawEvent.objects.exists()
    assert Event.objects.filter(project=project).count() == 4
    again = GroupHash.objects.get(project=project, issue__title__startswith="x failed").issue
    assert Event.objects.filter(issue=again).count() == 2


def test_an_erasure_waits_for_a_batch_that_holds_its_issue(project, caplog):
    """The batch locks x before it writes x's events; held afterwards (its release's first
    sighting waits for another transaction), it keeps the erasure waiting, which then finds
    the batch's events and keeps x."""
    queue(project, "x", 1, user="gone")
    drain()
    x = Issue.objects.get(project=project)
    queue(project, "x", 2, user="other", release="9.9")

    errors: list[BaseException] = []
    with transaction.atomic():
        batch = batch_holding_its_issues(project, "9.9", errors)
        eraser = in_thread(
            lambda: erase_end_user(project.organization_id, user_id="gone"), errors)
        eraser.join(2)
        assert eraser.is_alive()  # waiting for the batch's lock on x
    eraser.join(60)
    batch.join(60)

    assert not errors, errors
    assert warnings(caplog) == []
    assert Issue.objects.filter(pk=x.pk).exists()
    assert Event.objects.filter(issue_id=x.pk).count() == 2
