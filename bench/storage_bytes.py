"""Bytes per stored event, before and after payloads left the event table.

Ingests the events of the mined corpus (lab/corpus/*.jsonl.zst, real SDK captures) through the
real pipeline (raw event -> process_pending), then compares, per event, on disk:
  after:  the partitioned event table + its payload table + the event-key table (with indexes
          and TOAST), as stored now;
  before: the same rows in the old shape (one unpartitioned table, the payload as jsonb, the
          old indexes), rebuilt here from the stored events.

    .venv/bin/python bench/storage_bytes.py [--per-file 300]
"""

from __future__ import annotations

import argparse
import json
import uuid

from common import services

OLD_TABLE = """
CREATE TABLE bench_event_old (
    id bigint PRIMARY KEY, project_id bigint NOT NULL, issue_id bigint NOT NULL,
    event_id uuid NOT NULL, "timestamp" timestamptz NOT NULL, received timestamptz NOT NULL,
    grouping_hash varchar(32) NOT NULL, level varchar(16) NOT NULL, platform varchar(64) NOT NULL,
    title varchar(255) NOT NULL, release varchar(200) NOT NULL, environment varchar(64) NOT NULL,
    "user" jsonb NOT NULL, tags jsonb NOT NULL, data jsonb NOT NULL,
    UNIQUE (project_id, event_id));
CREATE INDEX ON bench_event_old (issue_id, "timestamp" DESC);
CREATE INDEX ON bench_event_old (project_id, grouping_hash);
CREATE INDEX ON bench_event_old (issue_id);
CREATE INDEX ON bench_event_old (project_id);
"""
SIZE_SQL = """
SELECT COALESCE(SUM(pg_total_relation_size(relid)), 0)
FROM pg_partition_tree(%s::regclass) WHERE isleaf
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-file", type=int, default=300, help="events per corpus file")
    args = parser.parse_args()
    with services("faultline_bench_storage"):
        from django.db import connection
        from psycopg.types.json import Jsonb

        from ingest.accept import store_raw_event
        from ingest.processing import process_pending
        from lab.corpus import corpus_files, read_rows
        from monitor import eventstore
        from monitor.models import Event, Organization, Project

        org = Organization.objects.create(name="Bench", slug="bench")
        raw_bytes = 0
        for path in corpus_files():
            project = Project.objects.create(organization=org, name=path.stem, slug=path.stem[:60],
                                             grouping_mode=Project.GroupingMode.FINGERPRINT)
            for n, row in enumerate(read_rows(path)):
                if n >= args.per_file:
                    break
                body = json.dumps(row["event"]).encode()
                raw_bytes += len(body)
                store_raw_event(project.id, uuid.uuid4(), "event", body)
            while process_pending(200):
                pass
        events = Event.objects.count()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
            after = {}
            for table in ("monitor_event", "monitor_eventpayload"):
                cursor.execute(SIZE_SQL, [table])
                after[table] = cursor.fetchone()[0]
            cursor.execute("SELECT pg_total_relation_size('monitor_eventkey'), "
                           "COALESCE(SUM(length(body)), 0) FROM monitor_eventpayload")
            after["monitor_eventkey"], compressed = cursor.fetchone()
            cursor.execute(OLD_TABLE)
        json_bytes = 0
        for start in range(0, events, 1000):
            page = list(Event.objects.order_by("id")[start:start + 1000])
            eventstore.attach_payloads(page)
            rows = []
            for e in page:
                json_bytes += len(json.dumps(e.data, separators=(",", ":")).encode())
                rows.append((e.id, e.project_id, e.issue_id, e.event_id, e.timestamp,
                             e.received, e.grouping_hash, e.level, e.platform, e.title,
                             e.release, e.environment, Jsonb(e.user), Jsonb(e.tags),
                             Jsonb(e.data)))
            with connection.cursor() as cursor:
                cursor.executemany("INSERT INTO bench_event_old VALUES "
                                   "(%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)", rows)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE bench_event_old")
            cursor.execute("SELECT pg_total_relation_size('bench_event_old')")
            before = cursor.fetchone()[0]
        total_after = sum(after.values())
        print(f"events: {events} from {len(corpus_files())} corpus files "
              f"(SDK bodies {raw_bytes / events:.0f} B/event)")
        print(f"normalized JSON: {json_bytes / events:.0f} B/event; zstd payload "
              f"{compressed / events:.0f} B/event (x{json_bytes / max(compressed, 1):.1f})")
        print(f"before (one table, jsonb payload, old indexes): {before / events:.0f} B/event")
        print("after: " + ", ".join(f"{t} {b / events:.0f}" for t, b in after.items())
              + f" = {total_after / events:.0f} B/event ({total_after / before:.0%} of before)")
        hot = after["monitor_event"]
        print(f"hot event table alone: {hot / events:.0f} B/event ({hot / before:.0%} of before)")


if __name__ == "__main__":
    main()
