"""The session's Celery worker pauses around a transactional test's flush (tests/conftest.py,
faultline.testing.workers): paused, it holds no task and consumes no queue, so the rows a
test committed stay put; resumed, it processes what was published meanwhile."""

import uuid

import pytest

from faultline.celery import app
from faultline.testing.workers import REPLY_SECONDS, session_workers
from ingest import accept
from ingest.models import RawEvent
from monitor import wakeup
from monitor.models import Event
from tests.conftest import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def consumed_queues(node: str) -> set[str]:
    replies = app.control.inspect(destination=[node], limit=1,
                                  timeout=REPLY_SECONDS).active_queues()
    return {queue["name"] for queue in replies[node]}


def test_a_paused_worker_takes_nothing_and_a_resumed_one_takes_what_came_meanwhile(
        worker, project):
    (registered,) = [w for w in session_workers.workers if w.node.startswith("worker-")]
    assert consumed_queues(registered.node) == set(registered.queues)
    event_id = uuid.uuid4()
    session_workers.pause()
    try:
        assert registered in session_workers.paused  # (the embedder too, when it runs)
        assert consumed_queues(registered.node) == set()
        accept.accept(project.id, event_id, RawEvent.Kind.EVENT, b'{"message": "meanwhile"}')
        assert RawEvent.objects.filter(project=project, event_id=event_id).exists()
    finally:
        session_workers.resume()
    assert consumed_queues(registered.node) == set(registered.queues)
    wait_for(lambda: Event.objects.filter(project=project, event_id=event_id).exists(),
             timeout=120, message="the resumed worker to store the event published meanwhile")
    assert not RawEvent.objects.filter(project=project, event_id=event_id).exists()


def test_a_wake_up_flag_left_by_a_killed_process_does_not_strand_the_next_tests_rows(
        worker, project, redis_client):
    """A web process killed between setting its drain slot's flag and publishing the drain task
    leaves the flag for its TTL; no beat runs the sweepers here, so the next test's row in that
    slot would wait for nobody. Each test starts with no such flag."""
    event_id = uuid.uuid4()
    slot = accept.slot_of(event_id)
    redis_client.set(wakeup.flag_name(accept.QUEUE, slot), 1, ex=120)  # as the killed one left it
    session_workers.pause()
    session_workers.resume()  # between two tests
    accept.accept(project.id, event_id, RawEvent.Kind.EVENT, b'{"message": "after a kill"}')
    wait_for(lambda: Event.objects.filter(project=project, event_id=event_id).exists(),
             timeout=30, message="the event in the slot a killed process had flagged")
