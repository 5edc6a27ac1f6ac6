"""Durability with the real parts: an accepted event survives a stopped broker and a worker
killed with SIGKILL in the middle of its batches."""

import gzip
import json
import time
import urllib.request
import uuid

import pytest

from faultline.testing.plugin import services
from ingest.accept import store_raw_event
from ingest.models import RawEvent
from ingest.tasks import drain, sweep_unprocessed
from monitor.models import Event, Issue, ProjectKey
from tests.conftest import start_worker, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def post_event(base: str, key: ProjectKey, event: dict) -> tuple[int, dict, float]:
    request = urllib.request.Request(
        f"{base}/api/{key.project_id}/store/",
        data=gzip.compress(json.dumps(event).encode()),
        headers={
            "Content-Type": "application/json",
            "Content-Encoding": "gzip",
            "X-Sentry-Auth": f"Sentry sentry_key={key.public_key}, sentry_version=7",
        },
    )
    started = time.monotonic()
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.loads(response.read()), time.monotonic() - started


def deep_event(i: int) -> dict:
    frames = [
        {
            "module": f"api.layer{n}",
            "function": f"handle{n}",
            "lineno": n + i % 5,
            "in_app": True,
            "context_line": f"return next_layer{n}(request)",
            "vars": {"request": {"path": f"/orders/{i}", "n": n}},
        }
        for n in range(120)
    ]
    return {
        "platform": "python",
        "user": {"id": str(i % 4)},
        "exception": {
            "values": [
                {
                    "type": "TimeoutError",
                    "value": f"order {i} timed out",
                    "stacktrace": {"frames": frames},
                }
            ]
        },
    }


def test_events_are_accepted_while_the_broker_is_down_and_swept_later(web, worker, key):
    if services.valkey is None:
        pytest.skip("REDIS_URL points at an external broker this test cannot stop")
    services.valkey.stop()
    try:
        results = [post_event(web, key, {"message": f"broker down {i}"}) for i in range(10)]
    finally:
        services.valkey.start()
    assert [status for status, _, _ in results] == [200] * 10
    assert max(seconds for _, _, seconds in results) < 5  # no hanging on the dead broker
    ids = {uuid.UUID(body["id"]) for _, body, _ in results}
    assert set(RawEvent.objects.values_list("event_id", flat=True)) == ids  # durable before reply

    assert sweep_unprocessed(older_than_seconds=0) == 10
    wait_for(
        lambda: Event.objects.filter(project_id=key.project_id).count() == 10,
        timeout=90,
        message="swept events to be processed",
    )
    assert not RawEvent.objects.exists()
    assert set(Event.objects.values_list("event_id", flat=True)) == ids

    # Recovered without the sweeper: the web's publisher and the worker's consumer reconnect.
    time.sleep(5.5)  # the web process's publish breaker pauses 5 s after a failure
    post_event(web, key, {"message": "after the broker came back"})
    wait_for(lambda: Event.objects.filter(project_id=key.project_id).count() == 11, timeout=60,
             message="a new event processed through the normal wake-up path")


def test_a_worker_killed_mid_batch_loses_nothing_and_counts_nothing_twice(live_env, key):
    total, batch = 300, 20
    for i in range(total):
        store_raw_event(key.project_id, uuid.uuid4(), "event", json.dumps(deep_event(i)).encode())
    env = dict(live_env, INGEST_PROCESS_BATCH=str(batch))
    victim = start_worker(env, "victim", concurrency=1, queues="victim-only")
    try:
        drain.apply_async((0,), queue="victim")
        # Let it commit a few batches, then kill it while it works on the next ones.
        wait_for(
            lambda: Event.objects.filter(project_id=key.project_id).count() >= 2 * batch,
            timeout=120,
            message="the victim worker to commit some batches",
        )
        victim.kill()
    finally:
        victim.stop()
    done_before = Event.objects.filter(project_id=key.project_id).count()
    print(f"killed with {done_before} of {total} events committed")
    assert done_before < total, "the worker finished before it could be killed"
    assert done_before + RawEvent.objects.count() == total  # nothing lost, nothing doubled
    issue = Issue.objects.get(project_id=key.project_id)
    assert issue.times_seen == done_before  # counters match the committed events exactly

    rescuer = start_worker(env, "rescuer", concurrency=2)
    try:
        sweep_unprocessed(older_than_seconds=0)
        wait_for(
            lambda: Event.objects.filter(project_id=key.project_id).count() == total,
            timeout=180,
            message="the rescuer to process the rest",
        )
    finally:
        rescuer.stop()
    issue.refresh_from_db()
    assert issue.times_seen == total and issue.users_seen == 4
    assert not RawEvent.objects.exists()
