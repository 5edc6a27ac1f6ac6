"""A poison event that kills its worker: every claim is counted in its own committed
transaction, the event is isolated from its batch and ends as a dead letter with the reason,
while the events claimed with it are processed."""

from __future__ import annotations

import json
import uuid

import pytest

from ingest import processing
from ingest.accept import store_raw_event
from ingest.models import RawClaim, RawEvent
from ingest.processing import process_pending
from monitor import limits
from monitor.models import Event

pytestmark = pytest.mark.django_db


class WorkerDeath(BaseException):
    """Stands for the OOM killer: not an Exception, so nothing in processing catches it."""


def test_a_poison_event_is_isolated_and_becomes_a_dead_letter(project, monkeypatch):
    # Claims are committed on their own connection, so other tests' rolled-back rows leave some.
    earlier = set(RawClaim.objects.values_list("raw_event_id", flat=True))
    ids = [uuid.uuid4() for _ in range(10)]
    for n, event_id in enumerate(ids):
        store_raw_event(project.id, event_id, "event", json.dumps({"message": f"m{n}"}).encode())
    poison = ids[4]
    real_prepare = processing.prepare

    def prepare(raw, proj):
        if raw.event_id == poison:
            raise WorkerDeath
        return real_prepare(raw, proj)

    monkeypatch.setattr(processing, "prepare", prepare)
    deaths = 0
    for _ in range(3 * limits.PROCESSING_ATTEMPTS):
        try:
            if process_pending(100) == 0:
                break
        except WorkerDeath:
            deaths += 1
    # one death with its batch, then alone until the limit
    assert deaths == limits.PROCESSING_ATTEMPTS
    assert set(Event.objects.values_list("event_id", flat=True)) == set(ids) - {poison}
    dead = RawEvent.objects.get()
    assert dead.event_id == poison and dead.attempts == limits.PROCESSING_ATTEMPTS
    assert dead.last_error.startswith("WorkerDied")
    assert process_pending(100) == 0  # never claimed again
    left = set(RawClaim.objects.values_list("raw_event_id", flat=True)) - earlier
    assert left == {dead.id}  # the processed rows' claims went with them
