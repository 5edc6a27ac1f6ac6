"""PostgreSQL outages with the real parts: the embedded server is stopped and started again under
a load of the official sentry-sdk and of benchmark-like posts; the web server is SIGKILLed while it
spools; a replayer is SIGKILLed mid-replay. Every event answered 200 must end up in an issue
exactly once."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid

import pytest
import sentry_sdk

from ingest import spool
from ingest.models import RawEvent
from ingest.processing import process_pending
from monitor.models import Event, Issue
from tests.conftest import ROOT, wait_for
from tests.helpers import buggy_app
from tests.helpers.outage import (
    Poster,
    Web,
    bench_event,
    post,
    restart_finished,
    send_sdk_events,
    spooled_ids,
    wait_until_stored_once,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_sdk_and_bench_events_sent_while_postgres_restarts_reach_issues_once(
    live_env, worker, postgres, key, tmp_path
):
    web = Web(live_env, tmp_path / "spool", "spool-web")
    try:
        assert post(web.base, key, bench_event(0)) == 200  # a known key before the outage
        wait_for(lambda: (tmp_path / "spool" / "web-host" / "keys.json").exists(), timeout=15,
                 message="the key snapshot")
        dsn = f"http://{key.public_key}@127.0.0.1:{web.port}/{key.project_id}"
        client = sentry_sdk.Client(dsn=dsn, default_integrations=False,
                                   auto_enabling_integrations=False)
        sdk_ids: list[str] = []
        sdk_running = True

        def sdk_load() -> None:
            while sdk_running:
                with sentry_sdk.isolation_scope() as scope:
                    scope.set_client(client)
                    try:
                        buggy_app.checkout(buggy_app.Cart([]))
                    except ZeroDivisionError as exc:
                        sdk_ids.append(scope.capture_exception(exc))
                if len(sdk_ids) % 10 == 0:
                    client.flush(timeout=10)
                time.sleep(0.01)

        posters = [Poster(web.base, key, 1000 * n) for n in range(4)]
        sdk_thread = threading.Thread(target=sdk_load, daemon=True)
        for thread in [*posters, sdk_thread]:
            thread.start()
        time.sleep(1.5)
        down_at = time.monotonic()
        postgres.stop()
        time.sleep(3)
        spooling = web.health()["spool"]
        postgres.start()
        up_at = time.monotonic()
        restart_finished()
        time.sleep(2)
        for poster in posters:
            poster.running = False
        sdk_running = False
        for thread in [*posters, sdk_thread]:
            thread.join(30)
        client.flush(timeout=30)
        client.close()

        accepted = {event_id for p in posters for _, event_id in p.accepted}
        during = [t for p in posters for t, _ in p.accepted if down_at + 0.5 < t < up_at]
        others = [s for p in posters for s in p.other]
        print(
            f"posts answered 200: {len(accepted)} ({len(during)} while the database was down),"
            f" other: {others[:10]}; SDK events: {len(sdk_ids)}; spool mid-outage: {spooling}"
        )
        assert others == [], web.process.output()  # the log says which path refused
        assert len(during) > 20 and spooling["events"] > 0
        wait_until_stored_once(key.project_id, accepted | set(sdk_ids), timeout=180)
        wait_for(lambda: web.health()["spool"]["events"] == 0, timeout=30,
                 message="the spool to empty")

        # Back to normal: the kept-alive connections the restart broke were replaced, so each
        # event is in PostgreSQL when its 200 comes, not in the spool.
        for i in range(20):
            event = bench_event(9000 + i)
            assert post(web.base, key, event) == 200
            event_id = uuid.UUID(event["event_id"])
            assert RawEvent.objects.filter(event_id=event_id).exists() or \
                Event.objects.filter(event_id=event_id).exists()
        assert web.health()["spool"]["segments"] == 0
    finally:
        web.process.stop()


def test_a_web_server_killed_while_spooling_loses_nothing_it_acknowledged(
    live_env, worker, postgres, key, tmp_path
):
    root = tmp_path / "spool"
    first = Web(live_env, root, "spool-victim")
    warm_up = bench_event(0)
    try:
        assert post(first.base, key, warm_up) == 200
        wait_for(lambda: (root / "web-host" / "keys.json").exists(), timeout=15,
                 message="the key snapshot")
        postgres.stop()
        posters = [Poster(first.base, key, 1000 * n) for n in range(4)]
        for poster in posters:
            poster.start()
        sdk_ids = send_sdk_events(first, key, 20)  # the official SDK's events, flushed
        wait_for(lambda: sum(len(p.accepted) for p in posters) >= 300, timeout=60,
                 message="300 events spooled")
        first.process.kill()  # SIGKILL to the whole web server (granian and its workers), mid-load
        for poster in posters:
            poster.running = False
        for poster in posters:
            poster.join(30)
    finally:
        first.process.stop()
    accepted = {event_id for p in posters for _, event_id in p.accepted} | sdk_ids
    on_disk = spooled_ids(root)
    assert accepted <= on_disk, f"{len(accepted - on_disk)} acknowledged events not on disk"
    print(f"killed with {len(accepted)} events acknowledged, {len(on_disk)} on disk")

    # A new web server, started while the database is still down, authenticates from the key
    # snapshot and keeps spooling; once the database is back it replays the dead one's spool.
    second = Web(live_env, root, "spool-heir")
    try:
        late = [bench_event(5000 + i) for i in range(20)]
        assert [post(second.base, key, e) for e in late] == [200] * 20
        postgres.start()
        restart_finished()
        ids = accepted | {e["event_id"] for e in late}
        wait_until_stored_once(key.project_id, ids | {warm_up["event_id"]}, timeout=180)
        wait_for(lambda: not spool.segments(root / "web-host"), timeout=30,
                 message="replayed segments to be deleted")
    finally:
        second.process.stop()


def test_a_replayer_killed_mid_replay_duplicates_nothing(live_env, key, tmp_path):
    directory = tmp_path / "spool" / "host"
    writer = spool.Writer(directory, segment_bytes=256 * 1024, max_bytes=2**30)
    total = 3000
    for i in range(total):
        event = bench_event(i)
        writer.append([spool.Record(key.project_id, uuid.UUID(event["event_id"]), "event",
                                    time.time(), json.dumps(event).encode())])
    writer.seal()
    segments_before = len(spool.segments(directory))
    command = [sys.executable, "manage.py", "replay_spool", "--directory", str(directory),
               "--batch", "20"]
    env = dict(live_env, PYTHONPATH=str(ROOT))
    victim = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: RawEvent.objects.count() >= 400, timeout=60, interval=0.01,
                 message="the replayer to commit some batches")
        os.killpg(victim.pid, signal.SIGKILL)
    finally:
        victim.wait()
    committed = RawEvent.objects.count()
    left = len(spool.segments(directory))
    print(f"killed after {committed} of {total} events committed; {left} segments left")
    assert committed < total, "the replayer finished before it was killed"
    assert 0 < left < segments_before, (left, segments_before)

    while process_pending(200):  # the workers get to what was committed before the crash
        pass
    result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert not spool.segments(directory)

    def processed() -> bool:  # a Celery worker of an earlier test may take some rows too
        process_pending(200)
        return not RawEvent.objects.exists()

    wait_for(processed, timeout=60, message="the replayed rows to be processed")
    assert Event.objects.filter(project_id=key.project_id).count() == total
    assert Issue.objects.get(project_id=key.project_id).times_seen == total
    assert not RawEvent.objects.exists()
