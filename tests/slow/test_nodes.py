"""Several nodes on one machine, processes standing for them (docs/deploy.md): web nodes on their
own ports with their own spool directories, Celery worker sets, all sharing one PostgreSQL (behind
a real PgBouncer in transaction pooling mode, as in production) and one Valkey. Every event a
node acknowledged is stored exactly once, whichever node took it and whichever worker set
processed it; a node's spool drains after the node is replaced, or, on a spool volume shared by
several nodes, by a surviving node."""

import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import psutil
import pytest
import yaml
from celery import Celery
from django.db import connection

from faultline.localservices import EmbeddedPgBouncer, EmbeddedValkey
from faultline.testing.plugin import services
from ingest import spool
from monitor.models import Event, Organization
from tests.conftest import ROOT, start_worker, wait_for
from tests.helpers.outage import (
    Poster,
    Web,
    bench_event,
    post,
    restart_finished,
    send_sdk_events,
    wait_until_stored_once,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

EVENTS_PER_NODE = 200
SDK_EVENTS_PER_NODE = 10


@pytest.fixture
def pgbouncer(tmp_path):
    if services.postgres is None:
        pytest.skip("DATABASE_URL points at a server this test did not start")
    bouncer = EmbeddedPgBouncer(tmp_path / "pgbouncer", services.postgres)
    if not bouncer.available:
        pytest.skip("pgbouncer is not installed (Debian package pgbouncer)")
    bouncer.start()
    yield bouncer
    bouncer.stop()


def post_events(node: Web, key, first: int, count: int, threads: int = 4) -> tuple[set[str], float]:
    """Post `count` events to one node from `threads` clients: (ids answered 200, seconds)."""
    events = [bench_event(first + i) for i in range(count)]
    started = time.monotonic()
    with ThreadPoolExecutor(threads) as pool:
        statuses = list(pool.map(lambda event: post(node.base, key, event), events))
    elapsed = time.monotonic() - started
    refused = [s for s in statuses if s != 200]
    assert refused == [], refused[:5]
    return {e["event_id"] for e in events}, elapsed


@pytest.fixture
def broker(tmp_path):
    """A Valkey of this test's own: its worker sets are the only consumers of its queues (the
    session's worker, started by other tests, listens on the session's broker)."""
    valkey = EmbeddedValkey(tmp_path / "valkey")
    valkey.start()
    yield valkey
    valkey.stop()


def worker_stats(control: Celery, names: list[str]) -> dict[str, dict]:
    """Each worker set's `celery inspect stats`, by the set's name."""
    replies = control.control.inspect(timeout=5).stats() or {}
    return {name: next(v for k, v in replies.items() if k.startswith(f"{name}-"))
            for name in names}


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children (a Celery worker and its pool)."""
    proc = psutil.Process(pid)
    total = 0.0
    for p in [proc, *proc.children(recursive=True)]:
        times = p.cpu_times()
        total += times.user + times.system
    return total


def test_two_web_nodes_and_two_worker_sets_share_the_load_without_duplicates_or_losses(
    live_env, key, pgbouncer, broker, tmp_path
):
    env = dict(
        live_env,
        DATABASE_URL=pgbouncer.url(connection.settings_dict["NAME"]),
        DB_TRANSACTION_POOLING="true",
        REDIS_URL=broker.url,
        CELERY_BROKER_URL=broker.url,
        INGEST_DRAIN_SLOTS="4",  # both worker sets' concurrency added up
    )
    control = Celery(broker=broker.url, set_as_current=False)  # the session keeps its app
    sets = ["set-a", "set-b"]
    workers = [start_worker(env, name) for name in sets]
    nodes = []
    try:
        nodes = [Web(env, tmp_path / f"spool-{n}", f"node-{n}", host=f"node-{n}") for n in "ab"]
        wait_for(lambda: len(control.control.inspect(timeout=2).ping() or {}) >= 2, timeout=60,
                 message="both worker sets to answer")
        cpu_before = [cpu_seconds(w.popen.pid) for w in workers]
        results: dict[str, tuple[set[str], float]] = {}

        def load(n: int, node: Web) -> None:
            results[node.base] = post_events(node, key, n * 100_000, EVENTS_PER_NODE)

        loaders = [threading.Thread(target=load, args=(n, node)) for n, node in enumerate(nodes)]
        for thread in loaders:
            thread.start()
        sdk_ids = set()
        for node in nodes:
            sdk_ids |= send_sdk_events(node, key, SDK_EVENTS_PER_NODE)
        for thread in loaders:
            thread.join(300)
        posted = set().union(*(ids for ids, _ in results.values()))
        assert len(posted) == 2 * EVENTS_PER_NODE and len(sdk_ids) == 2 * SDK_EVENTS_PER_NODE

        wait_until_stored_once(key.project_id, posted | sdk_ids, timeout=300)
        stored = Event.objects.filter(project_id=key.project_id).count()
        assert stored == len(posted | sdk_ids)  # nothing lost, nothing twice, nothing else
        for node in nodes:  # the database answered throughout: nothing went to a spool
            assert node.health()["spool"]["events"] == 0
            assert not spool.segments(node.spool)

        stats = worker_stats(control, sets)
        drains = {name: stats[name]["total"].get("ingest.drain", 0) for name in sets}
        cpu = [cpu_seconds(w.popen.pid) - before
               for w, before in zip(workers, cpu_before, strict=True)]
        split = ", ".join(
            f"{node.base}: {len(results[node.base][0])} events in {results[node.base][1]:.1f} s"
            f" ({len(results[node.base][0]) / results[node.base][1]:.0f}/s)" for node in nodes
        )
        print(f"web nodes: {split}; worker sets: drain tasks {drains}, CPU seconds "
              f"{dict(zip(sets, (round(c, 1) for c in cpu), strict=True))}")
        assert all(drains[name] > 0 for name in sets), drains  # both sets took a share
    finally:
        for node in nodes:
            node.process.stop()
        for worker in workers:
            worker.stop()


def test_a_surviving_node_drains_a_dead_nodes_spool_on_a_shared_volume(
    live_env, worker, postgres, key, tmp_path
):
    """docker-compose.yml's model: web replicas share one spool volume and host name. A replica
    SIGKILLed while spooling leaves its segments unlocked; the survivor replays them."""
    root = tmp_path / "spool"
    nodes = [Web(live_env, root, f"shared-{n}", host="web") for n in "ab"]
    survivor, victim = nodes
    try:
        warm_up = bench_event(0)
        assert post(survivor.base, key, warm_up) == 200
        wait_for(lambda: (root / "web" / "keys.json").exists(), timeout=15,
                 message="the key snapshot")
        postgres.stop()
        posters = [Poster(node.base, key, 10_000 * n) for n, node in enumerate(nodes * 2)]
        for poster in posters:
            poster.start()
        wait_for(lambda: sum(len(p.accepted) for p in posters[1::2]) >= 100, timeout=60,
                 message="the victim to spool 100 events")
        victim.process.kill()
        for poster in posters:
            poster.running = False
        for poster in posters:
            poster.join(30)
        accepted = {event_id for p in posters for _, event_id in p.accepted}
        by_victim = {event_id for p in posters[1::2] for _, event_id in p.accepted}
        assert len(by_victim) >= 100
        postgres.start()
        restart_finished()
        wait_until_stored_once(key.project_id, accepted | {warm_up["event_id"]}, timeout=180)
        wait_for(lambda: not spool.segments(root / "web"), timeout=30,
                 message="every segment, the dead node's too, replayed and deleted")
    finally:
        for node in nodes:
            node.process.stop()


ITERATE = """
import os, psycopg
from monitor.models import Organization
rows = Organization.objects.order_by("id").iterator(chunk_size=1)
next(rows)
# Another client's transaction takes the server connection this one just released (PgBouncer
# reuses the most recent first): the next fetch runs on another server connection.
with psycopg.connect(os.environ["DATABASE_URL"]) as other, other.transaction():
    other.execute("SELECT 1")
    print("iterated", 1 + sum(1 for _ in rows))
"""


@pytest.mark.parametrize("pooling", ["true", "false"])
def test_querysets_iterate_behind_a_transaction_pooler_only_without_server_side_cursors(
    live_env, pgbouncer, pooling
):
    for n in range(3):
        Organization.objects.create(name=f"Org {n}", slug=f"org-{n}")
    url = pgbouncer.url(connection.settings_dict["NAME"])
    env = dict(live_env, DATABASE_URL=url, DB_TRANSACTION_POOLING=pooling)
    result = subprocess.run([sys.executable, "manage.py", "shell", "-c", ITERATE], env=env,
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    if pooling == "true":
        assert result.returncode == 0 and "iterated 3" in result.stdout, result.stderr
    else:  # what DB_TRANSACTION_POOLING prevents: a WITH HOLD cursor left on another server
        assert result.returncode != 0 and "does not exist" in result.stderr, result.stdout


def prestop_command(drain_seconds: int) -> list[str]:
    """The Helm chart's preStop hook of a web pod, rendered by Helm's Go SDK."""
    helm = pytest.importorskip("helm_python", reason="helm-python-sdk (Helm's Go SDK) missing")
    chart = helm.Chart.load(str(ROOT / "deploy" / "helm" / "faultline"))
    try:
        manifests = chart.render({"secretKey": "x", "postgresql": {"password": "y"},
                                   "valkey": {"password": "z"},
                                   "web": {"drainSeconds": drain_seconds}})
    finally:
        chart.close()
    web = next(doc for text in manifests.values() for doc in yaml.safe_load_all(text)
               if doc and doc["kind"] == "StatefulSet" and doc["metadata"]["name"].endswith("-web"))
    (container,) = web["spec"]["template"]["spec"]["containers"]
    return container["lifecycle"]["preStop"]["exec"]["command"]


def test_a_stopping_web_pod_waits_for_its_spool_to_be_replayed(live_env, worker, postgres, key,
                                                               tmp_path):
    """Kubernetes scale-down: the chart's preStop returns once the pod's spool is empty, so the
    claim left behind holds nothing (the database answers again by then)."""
    command = prestop_command(drain_seconds=300)
    node = Web(live_env, tmp_path / "spool", "prestop", host="web-0")
    try:
        warm_up = bench_event(0)
        assert post(node.base, key, warm_up) == 200
        wait_for(lambda: (node.spool / "keys.json").exists(), timeout=15,
                 message="the key snapshot")
        postgres.stop()
        events = [bench_event(i) for i in range(1, 41)]
        assert [post(node.base, key, e) for e in events] == [200] * 40
        assert node.health()["spool"]["events"] == 40
        postgres.start()
        restart_finished()
        # The hook asks the node itself (127.0.0.1:8000 in a pod): point it at this node's port.
        command[-1] = command[-1].replace("127.0.0.1:8000", f"127.0.0.1:{node.port}")
        subprocess.run(command, check=True, timeout=320)
        assert not spool.segments(node.spool), "the hook returned before the spool was replayed"
        wait_until_stored_once(key.project_id, {e["event_id"] for e in [warm_up, *events]})
    finally:
        node.process.stop()
