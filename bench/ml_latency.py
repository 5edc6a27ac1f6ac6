"""New-issue latency of ML grouping with a real Celery embeddings worker: new fingerprints arrive
one at a time; for each, the time from its pending GroupHash (committed by ingest processing) to
the worker's decision (embedding, kNN, merge or vector write). Also the worker's RSS.

    .venv/bin/python bench/ml_latency.py --events 300
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid

import numpy as np
from common import celery_worker, services, stop, tree_rss


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--interval", type=float, default=0.1, help="seconds between arrivals")
    args = parser.parse_args()
    with services("faultline_ml_bench") as env:
        from ingest.accept import store_raw_event
        from ingest.processing import process_pending
        from lab.generate.devset.generate import generate
        from monitor.models import GroupHash, Organization, Project

        org = Organization.objects.create(name="ml", slug="ml")
        project = Project.objects.create(organization=org, name="ml", slug="ml")
        rows = generate()
        worker = celery_worker(env, "embeddings", 1, "embeddings")
        try:
            # warm-up: the worker loads the model on its first batch
            store_raw_event(
                project.id, uuid.uuid4(), "event", json.dumps(rows[0]["event"]).encode()
            )
            process_pending(100)
            while GroupHash.objects.filter(ml_state="pending").exists():
                time.sleep(0.1)
            sent = 0
            for row in rows[1:]:
                if sent >= args.events:
                    break
                store_raw_event(project.id, uuid.uuid4(), "event",
                                json.dumps(row["event"]).encode())
                process_pending(100)
                sent += 1
                time.sleep(args.interval)
            deadline = time.time() + 120
            while GroupHash.objects.filter(ml_state="pending").exists() and time.time() < deadline:
                time.sleep(0.1)
            decided = GroupHash.objects.filter(project=project, ml_state="done").exclude(
                ml_decided_at=None
            )[1:]
            latency = np.array([(h.ml_decided_at - h.created_at).total_seconds() * 1000
                                for h in decided])
            joined = GroupHash.objects.filter(project=project, decided_by="ml").count()
            print(
                f"{sent} events at one per {args.interval * 1000:.0f} ms; "
                f"{len(latency)} new fingerprints decided, {joined} joined an existing issue"
            )
            print(
                f"new fingerprint → ML decision: p50 {np.percentile(latency, 50):.0f} ms, "
                f"p95 {np.percentile(latency, 95):.0f} ms, p99 {np.percentile(latency, 99):.0f} ms"
            )
            print(f"embeddings worker RSS (process tree): {tree_rss(worker.pid) / 2**20:.0f} MiB")
        finally:
            stop(worker)
    return 0


if __name__ == "__main__":
    sys.exit(main())
