"""pgvector nearest-neighbour benchmark with the production queries (embeddings.store.nearest).

Loads clustered unit vectors (384 dimensions, like all-MiniLM-L6-v2) into a fresh database:
one project with --big vectors and --projects small projects sharing --total vectors, builds the
per-model partial HNSW index, then times, per query kind, p50/p99 latency and recall@10 against
exact search:
  - similar issues in the big project (HNSW with iterative scans under the project filter),
  - similar issues in small projects (1M rows in the table, ~1k in the project),
  - the ML decision query (project + crash-site key: an exact scan over a few rows).

    .venv/bin/python bench/knn.py                       # 100k + 1M, embedded PostgreSQL
    .venv/bin/python bench/knn.py --big 20000 --total 100000 --projects 100   # quick
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from faultline.localservices import VAR_DIR, EmbeddedPostgres  # noqa: E402

DIM = 384


def clustered(rng: np.random.Generator, n: int, centers: np.ndarray) -> np.ndarray:
    """Vectors near random cluster centres: bugs of one kind sit together, as real traces do."""
    picks = rng.integers(0, len(centers), n)
    vectors = centers[picks] + rng.normal(0, 0.6, (n, DIM)).astype(np.float32) / np.sqrt(DIM)
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def percentiles(samples: list[float]) -> str:
    ms = np.array(samples) * 1000
    return f"p50 {np.percentile(ms, 50):.2f} ms, p99 {np.percentile(ms, 99):.2f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big", type=int, default=100_000, help="vectors in the big project")
    parser.add_argument("--total", type=int, default=1_000_000, help="vectors in small projects")
    parser.add_argument("--projects", type=int, default=1000, help="number of small projects")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="reuse a loaded database")
    args = parser.parse_args()

    env = dict(os.environ)
    if not env.get("DATABASE_URL"):
        postgres = EmbeddedPostgres(VAR_DIR / "bench" / "postgres")
        postgres.start()
        postgres.ensure_database("faultline_knn")
        os.environ["DATABASE_URL"] = postgres.url("faultline_knn")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "faultline.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from pgvector.psycopg import register_vector

    from embeddings import store
    from embeddings.models import EmbeddingModel, IssueEmbedding
    from monitor.models import Organization, Project

    call_command("migrate", verbosity=0)
    rng = np.random.default_rng(42)
    # ~200 vectors per cluster: well-defined neighbourhoods, as families of similar issues are
    centers = rng.normal(0, 1, (max(50, (args.big + args.total) // 200), DIM)).astype(np.float32)
    centers /= np.linalg.norm(centers, axis=1, keepdims=True)
    model, _ = EmbeddingModel.objects.get_or_create(
        name="bench", version="384", defaults={"dimension": DIM, "path": "-"}
    )
    loaded = IssueEmbedding.objects.filter(model=model).count()
    if not (args.keep and loaded == args.big + args.total):
        started = time.perf_counter()
        load(connection, register_vector, model, rng, centers, args)
        print(f"loaded {args.big + args.total} vectors in {time.perf_counter() - started:.0f} s")
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '4GB'")
            cursor.execute("SET max_parallel_maintenance_workers = 1")
            started = time.perf_counter()
            store.ensure_index(model)
            print(f"shared HNSW index built in {time.perf_counter() - started:.0f} s")
            started = time.perf_counter()
            made = store.maintain_project_indexes(settings.EMBEDDING_PROJECT_INDEX_MIN)
            print(f"per-project indexes {made['created']} built in "
                  f"{time.perf_counter() - started:.0f} s")
            cursor.execute("ANALYZE embeddings_issueembedding")
    big = Project.objects.get(slug="knn-big")
    small_ids = list(
        Project.objects.filter(slug__startswith="knn-small-").values_list("id", flat=True)
    )

    def fetch(project_id: int) -> tuple[np.ndarray, np.ndarray]:
        rows = IssueEmbedding.objects.filter(model=model, project_id=project_id).values_list(
            "issue_id", "vector"
        )
        ids, vectors = zip(*rows, strict=True)
        return np.array(ids), np.stack([np.asarray(v, dtype=np.float32) for v in vectors])

    def run(label: str, project_ids: list[int], match_key: str | None = None) -> None:
        cache = {pid: fetch(pid) for pid in set(project_ids)} if match_key is None else {}
        timings, recalls = [], []
        for i in range(args.queries):
            pid = project_ids[i % len(project_ids)]
            query = clustered(rng, 1, centers)[0]
            started = time.perf_counter()
            found = store.nearest(pid, model, query, k=10, match_key=match_key)
            timings.append(time.perf_counter() - started)
            if match_key is None:
                ids, vectors = cache[pid]
                exact = set(ids[np.argsort(1 - vectors @ query)[:10]].tolist())
                recalls.append(len(exact & {n.issue_id for n in found}) / 10)
        recall = f", recall@10 {np.mean(recalls):.3f}" if recalls else ""
        print(f"{label}: {percentiles(timings)}{recall}")

    print(f"table: {IssueEmbedding.objects.filter(model=model).count()} vectors; "
          f"big project {args.big}; {len(small_ids)} small projects")
    run(f"similar issues, project with {args.big} vectors", [big.id])
    run(f"similar issues, {len(small_ids)} projects of ~{args.total // max(1, args.projects)}",
        small_ids[:50])
    run("ML decision (project + crash-site key)", small_ids[:50] + [big.id], match_key="k7")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_relation_size(%s))", [store.index_name(model)])
        print(f"HNSW index size: {cursor.fetchone()[0]}")
    assert Organization.objects.filter(slug="knn").exists()
    return 0


def load(connection, register_vector, model, rng, centers, args) -> None:
    from monitor.models import Organization, Project

    with connection.cursor() as cursor:  # a clean slate: no dead tuples left in any index
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'embeddings_issueembedding' "
            "AND indexname LIKE 'issueembedding_hnsw_%%'"
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f"DROP INDEX {name}")
        cursor.execute("TRUNCATE embeddings_issueembedding, monitor_issue CASCADE")
    org, _ = Organization.objects.get_or_create(slug="knn", defaults={"name": "knn"})
    big, _ = Project.objects.get_or_create(organization=org, slug="knn-big",
                                           defaults={"name": "big"})
    small = [Project.objects.get_or_create(organization=org, slug=f"knn-small-{i}",
                                           defaults={"name": f"small {i}"})[0]
             for i in range(args.projects)]
    owners = np.concatenate([
        np.full(args.big, big.id),
        np.array([p.id for p in small])[np.arange(args.total) % max(1, len(small))],
    ])
    raw = connection.connection
    register_vector(raw)
    with raw.cursor() as cursor:
        cursor.execute(
            "INSERT INTO monitor_issue (project_id, title, culprit, type, level, platform, status,"
            " regressed, first_seen, last_seen, times_seen, users_seen)"
            " SELECT p, 'bench', '', 'error', 'error', 'python', 'unresolved', false, now(),"
            " now(), 1, 0 FROM unnest(%s::bigint[]) AS p RETURNING id",
            [owners.tolist()],
        )
        issue_ids = [row[0] for row in cursor.fetchall()]
    chunk = 100_000
    for start in range(0, len(owners), chunk):
        vectors = clustered(rng, min(chunk, len(owners) - start), centers)
        with (
            raw.cursor() as cursor,
            cursor.copy(
                "COPY embeddings_issueembedding (issue_id, project_id, model_id, vector, text,"
                " match_key, created_at) FROM STDIN WITH (FORMAT BINARY)"
            ) as copy,
        ):
            copy.set_types(["int8", "int8", "int8", "vector", "text", "text", "timestamptz"])
            now = time.time()
            import datetime as dt

            stamp = dt.datetime.fromtimestamp(now, dt.UTC)
            for offset, vector in enumerate(vectors):
                index = start + offset
                copy.write_row([issue_ids[index], int(owners[index]), model.id, vector, "",
                                f"k{index % 1000}", stamp])
        raw.commit() if not raw.autocommit else None


if __name__ == "__main__":
    sys.exit(main())
