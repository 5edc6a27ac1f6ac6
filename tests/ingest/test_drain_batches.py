"""A drain task starts with a small processing batch and doubles it while batches come back
full, up to INGEST_PROCESS_BATCH (ingest.tasks.drain): a new event behind a short queue is
committed without waiting for a hundred others; a backlog is still processed in full batches."""

import json
import uuid

import pytest

from ingest import processing, tasks
from ingest.accept import store_raw_event
from ingest.models import RawEvent
from monitor.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def batch_limits(monkeypatch) -> list[int]:
    """The limit of each processing transaction the drain ran (the real processing runs)."""
    asked: list[int] = []

    def recorded(limit: int, ids=None) -> int:
        asked.append(limit)
        return processing.process_pending(limit, ids)

    monkeypatch.setattr(tasks, "process_pending", recorded)
    return asked


def store(project, n: int) -> None:
    for i in range(n):
        store_raw_event(project.id, uuid.uuid4(), "event",
                        json.dumps({"message": f"event {i}"}).encode())


def test_a_backlog_is_taken_in_doubling_batches_up_to_the_limit(project, settings,
                                                                  batch_limits):
    settings.INGEST_PROCESS_BATCH = 100
    store(project, 170)
    assert tasks.drain(0) == 170
    assert batch_limits == [tasks.FIRST_BATCH, 2 * tasks.FIRST_BATCH, 4 * tasks.FIRST_BATCH, 100]
    assert Event.objects.filter(project=project).count() == 170
    assert not RawEvent.objects.exists()


def test_a_short_queue_is_one_small_batch(project, settings, batch_limits):
    settings.INGEST_PROCESS_BATCH = 100
    store(project, 3)
    assert tasks.drain(0) == 3
    assert batch_limits == [tasks.FIRST_BATCH]


def test_the_first_batch_never_exceeds_the_setting(project, settings, batch_limits):
    settings.INGEST_PROCESS_BATCH = 5
    store(project, 12)
    assert tasks.drain(0) == 12
    assert batch_limits == [5, 5, 5]
