"""Concurrent batches: one issue per new hash and exact counters, with no lost updates."""

import threading
import uuid

import pytest
from django.db import connection

from ingest.accept import store_raw_event
from ingest.processing import process_pending
from monitor.models import Event, GroupHash, Issue
from tests.test_processing import zero_division

pytestmark = pytest.mark.django_db(transaction=True)


def test_parallel_batches_create_each_issue_once_and_count_exactly(project):
    import json

    bodies = [
        json.dumps(zero_division(lineno=i, user={"id": str(i % 7)})).encode() for i in range(300)
    ]
    bodies += [
        json.dumps({"message": f"job {i % 3} stalled", "fingerprint": [f"job-{i % 3}"]}).encode()
        for i in range(60)
    ]
    for body in bodies:
        store_raw_event(project.id, uuid.uuid4(), "event", body)

    errors: list[BaseException] = []

    def drain():
        try:
            while process_pending(7):
                pass
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=drain) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    assert Event.objects.count() == 360
    assert Issue.objects.count() == 4
    assert GroupHash.objects.count() == 4
    zero = Issue.objects.get(type="error")
    assert zero.times_seen == 300 and zero.users_seen == 7
    assert sorted(Issue.objects.filter(type="default").values_list("times_seen", flat=True)) == [
        20,
        20,
        20,
    ]
