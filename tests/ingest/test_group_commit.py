"""Group commit of the accept path (ingest.groupcommit, ingest.accept): concurrent requests'
raw events committed by one INSERT, each request returning only once its own row is committed."""

import json
import os
import threading
import time
import uuid
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from django.db import connection, connections

from ingest import accept, database
from ingest.groupcommit import GroupCommit
from ingest.models import RawEvent
from monitor.models import Event

pytestmark = pytest.mark.django_db(transaction=True)


def wait_until(condition, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


@pytest.fixture(autouse=True)
def _closed_breaker():
    database.breaker.reset()
    yield
    database.breaker.reset()


@pytest.fixture
def outside_url() -> str:
    """A libpq URL of the test database, for connections that are none of Django's."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


def copies(url: str, project_id: int, event_id: uuid.UUID) -> int:
    """Committed copies of the event: its raw row, or the event a worker woken for it stored
    in the raw row's place (one statement, so one snapshot sees the one or the other)."""
    with psycopg.connect(url) as conn:
        (count,) = conn.execute(
            "SELECT (SELECT count(*) FROM ingest_rawevent WHERE project_id = %(p)s"
            " AND event_id = %(e)s) + (SELECT count(*) FROM monitor_event"
            " WHERE project_id = %(p)s AND event_id = %(e)s)",
            {"p": project_id, "e": event_id},
        ).fetchone()
    return count


def committed(url: str, project_id: int, event_id: uuid.UUID) -> bool:
    return copies(url, project_id, event_id) > 0


def test_concurrent_items_share_one_flush_and_each_gets_its_own_result():
    release = threading.Event()
    batches: list[list[int]] = []

    def flush(items):
        if not batches:
            release.wait(30)  # the first flush holds the others back so that they queue
        batches.append(list(items))
        return [ValueError(f"bad {i}") if i == 3 else i * 10 for i in items]

    group = GroupCommit(flush)
    results: dict[int, object] = {}

    def submit(i):
        try:
            results[i] = group.submit(i)
        except ValueError as exc:
            results[i] = str(exc)

    first = threading.Thread(target=submit, args=(0,))
    first.start()
    wait_until(lambda: group.flushing, "the first flush")
    others = [threading.Thread(target=submit, args=(i,)) for i in range(1, 6)]
    for thread in others:
        thread.start()
    wait_until(lambda: group.queued == 5, "five queued items")
    release.set()
    for thread in [first, *others]:
        thread.join(30)
    assert batches == [[0], [1, 2, 3, 4, 5]]
    assert results == {0: 0, 1: 10, 2: 20, 3: "bad 3", 4: 40, 5: 50}
    assert (group.flushes, group.items) == (2, 6)


def test_a_failed_flush_fails_every_item_it_carried():
    def flush(items):
        raise ConnectionError("gone")

    group = GroupCommit(flush)
    with pytest.raises(ConnectionError):
        group.submit(1)
    assert group.flushes == 1


def test_a_caller_beyond_max_items_is_flushed_by_a_later_leader():
    release = threading.Event()
    batches: list[list[int]] = []

    def flush(items):
        if not batches:
            release.wait(30)
        batches.append(list(items))
        return list(items)

    group = GroupCommit(flush, max_items=2)
    results = {}
    threads = [threading.Thread(target=lambda i=i: results.update({i: group.submit(i)}))
               for i in range(5)]
    threads[0].start()
    wait_until(lambda: group.flushing, "the first flush")
    for thread in threads[1:]:
        thread.start()
    wait_until(lambda: group.queued == 4, "four queued items")
    release.set()
    for thread in threads:
        thread.join(30)
    assert results == {i: i for i in range(5)}
    assert sorted(len(batch) for batch in batches) == [1, 2, 2]


def _accept_in_thread(project_id, event_id, outside_url, seen: dict, errors: list):
    try:
        accept.accept(project_id, event_id, RawEvent.Kind.EVENT,
                      json.dumps({"message": event_id.hex}).encode(), "test-agent")
        # The reply would go out now: the row must already be committed.
        seen[event_id] = committed(outside_url, project_id, event_id)
    except Exception as exc:  # noqa: BLE001 - reported by the test
        errors.append((event_id, exc))
    finally:
        connections.close_all()


def test_concurrent_accepts_commit_together_and_each_returns_after_its_commit(
    project, outside_url, worker
):
    committer = accept.committer()
    flushes_before = committer.flushes
    # Another session holds a lock that INSERT waits for: the first request's flush blocks in
    # PostgreSQL, so the requests that come meanwhile queue for the next flush.
    blocker = psycopg.connect(outside_url)
    blocker.execute("LOCK TABLE ingest_rawevent IN SHARE MODE")
    seen: dict[uuid.UUID, bool] = {}
    errors: list = []
    ids = [uuid.uuid4() for _ in range(8)]
    threads = [
        threading.Thread(target=_accept_in_thread,
                         args=(project.id, event_id, outside_url, seen, errors))
        for event_id in ids
    ]
    try:
        threads[0].start()
        wait_until(lambda: committer.flushing, "the first flush")
        for thread in threads[1:]:
            thread.start()
        wait_until(lambda: committer.queued == 7, "seven queued requests")
        assert seen == {}  # nobody has returned while its row could not be committed
    finally:
        blocker.rollback()  # releases the lock
        blocker.close()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert seen == dict.fromkeys(ids, True)
    assert committer.flushes - flushes_before == 2  # eight events, two commits
    # the flushes woke the drain slots their rows belong to: the session's worker stores them
    wait_until(lambda: set(Event.objects.filter(project=project)
                           .values_list("event_id", flat=True)) == set(ids),
               "the woken worker to store the eight events", timeout=120)
    assert not RawEvent.objects.filter(project=project).exists()  # a raw row goes once stored


def test_a_bad_row_fails_only_its_own_request(project, outside_url):
    committer = accept.committer()
    blocker = psycopg.connect(outside_url)
    blocker.execute("LOCK TABLE ingest_rawevent IN SHARE MODE")
    seen: dict[uuid.UUID, bool] = {}
    errors: list = []
    good = [uuid.uuid4() for _ in range(3)]
    bad = uuid.uuid4()
    missing_project = project.id + 10_000  # no such project: a foreign key violation
    first = threading.Thread(target=_accept_in_thread,
                             args=(project.id, good[0], outside_url, seen, errors))
    rest = [threading.Thread(target=_accept_in_thread,
                             args=(project.id, event_id, outside_url, seen, errors))
            for event_id in good[1:]]
    rest.append(threading.Thread(target=_accept_in_thread,
                                 args=(missing_project, bad, outside_url, seen, errors)))
    try:
        first.start()
        wait_until(lambda: committer.flushing, "the first flush")
        for thread in rest:
            thread.start()
        wait_until(lambda: committer.queued == 3, "three queued requests")
    finally:
        blocker.rollback()
        blocker.close()
    for thread in [first, *rest]:
        thread.join(60)
    assert [event_id for event_id, _ in errors] == [bad]
    assert isinstance(errors[0][1], psycopg.errors.ForeignKeyViolation)
    assert seen == dict.fromkeys(good, True)


def test_a_repeated_event_id_in_one_batch_is_stored_once(project, outside_url):
    committer = accept.committer()
    blocker = psycopg.connect(outside_url)
    blocker.execute("LOCK TABLE ingest_rawevent IN SHARE MODE")
    seen: dict = {}
    errors: list = []
    first_id, repeated = uuid.uuid4(), uuid.uuid4()
    first = threading.Thread(target=_accept_in_thread,
                             args=(project.id, first_id, outside_url, seen, errors))
    twins = [threading.Thread(target=_accept_in_thread,
                              args=(project.id, repeated, outside_url, seen, errors))
             for _ in range(2)]
    try:
        first.start()
        wait_until(lambda: committer.flushing, "the first flush")
        for thread in twins:
            thread.start()
        wait_until(lambda: committer.queued == 2, "two queued requests")
    finally:
        blocker.rollback()
        blocker.close()
    for thread in [first, *twins]:
        thread.join(60)
    assert errors == []
    assert seen == {first_id: True, repeated: True}
    assert copies(outside_url, project.id, repeated) == 1
