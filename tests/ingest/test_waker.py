"""The accept path's waker (ingest.waker): drain slots woken from a background thread of the web
process, coalesced across flushes, none asked for left unsent, and every accepted event
processed by the real worker it wakes."""

import threading
import time
import uuid

import pytest

from ingest import accept, database
from ingest.models import RawEvent
from ingest.waker import Waker
from monitor.models import Event
from tests.conftest import wait_for


def test_slots_asked_for_during_a_send_are_sent_once_in_the_next_pass():
    sent: list[int] = []
    release = threading.Event()
    sending = threading.Event()

    def send(slot: int) -> None:
        sending.set()
        release.wait(30)  # the first pass is held, as by a slow Redis round trip
        sent.append(slot)

    waker = Waker(send, name="test-waker")
    waker.ask({1})
    assert sending.wait(30)
    for slots in ({0}, {1}, {0, 1}, {1}):  # four flushes while the first pass runs
        waker.ask(slots)
    release.set()
    assert waker.settle(30)
    assert sent == [1, 0, 1]  # the first pass, then the four flushes' slots once each
    assert (waker.passes, waker.sent) == (2, 3)


def test_slots_asked_for_within_the_interval_after_a_pass_share_the_next_pass():
    sent: list[int] = []
    waker = Waker(sent.append, interval=10, name="test-waker")
    waker.ask({1})
    assert waker.settle(30)
    for slots in ({1}, {0}, {1}):  # three flushes within the 10 s after the first pass
        waker.ask(slots)
        time.sleep(0.2)  # time enough for a thread that did not wait to send each alone
    assert waker.settle(30)
    assert sent == [1, 0, 1]
    assert (waker.passes, waker.sent) == (2, 3)


def test_a_failed_send_does_not_stop_the_waker():
    sent: list[int] = []

    def send(slot: int) -> None:
        if slot == 0:
            raise ConnectionError("broker down")
        sent.append(slot)

    waker = Waker(send, interval=0, name="test-waker")
    waker.ask({0, 1})
    assert waker.settle(30)
    waker.ask({2})
    assert waker.settle(30)
    assert sent == [1, 2]


@pytest.mark.django_db(transaction=True)
def test_concurrent_accepts_are_all_processed_with_fewer_wakeups_than_events(project, worker):
    database.breaker.reset()
    waker, committer = accept.waker(), accept.committer()
    sent_before, flushes_before = waker.sent, committer.flushes
    ids = [uuid.uuid4() for _ in range(64)]
    errors: list[BaseException] = []

    def send(share: list[uuid.UUID]) -> None:
        try:
            for event_id in share:
                accept.accept(project.id, event_id, "event",
                              b'{"message": "waker", "level": "error"}')
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(ids[n::16],)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert waker.settle(30)
    wait_for(lambda: set(Event.objects.filter(project=project)
                         .values_list("event_id", flat=True)) == set(ids),
             timeout=120, message="the woken worker to store all 64 events")
    assert not RawEvent.objects.filter(project=project).exists()
    flushes = committer.flushes - flushes_before
    wakeups = waker.sent - sent_before
    assert 1 <= wakeups <= flushes * 2  # at most every drain slot once per flush
    assert wakeups < len(ids)
