"""The triage pages, ingest and retention at scale: millions of events over many projects (a
few very large), thousands of issues each, with realistic tags, users, releases, environments
and payloads (shapes from the mined corpus, lab/corpus, normalized by the real normalizer).

    .venv/bin/python bench/scale.py --events 1000000 --checkpoints 0,1000000
    .venv/bin/python bench/scale.py --events 10000000            # checkpoints 0, 5 M, 10 M
    .venv/bin/python bench/scale.py --reuse --events 0 --explain  # the last database, plans
    .venv/bin/python bench/scale.py --reuse --events 10e6 --no-retention  # fill it on to 10 M
    .venv/bin/python bench/scale.py --database faultline_scale_empty --ingest-only  # empty: ingest

At each checkpoint: p50/p95 of the stream, search, issue and event-list pages (the largest
project and its largest issue, through Django's full request path), ingest accepted and
processed per second (the real accept and processing code, in process), and disk per million
events. After the last one: retention of one day (time, WAL bytes, locks). A table is printed
and the figures go to var/bench/scale-<events>.json.

The filler (`fill`) writes events with COPY in batches, the aggregates (issue counts, tag
counts, hourly counts, releases) with set-based SQL after each segment: what ingest would have
written, without its per-event cost. `insert_events` is the one place that knows the events
table's layout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field

import numpy as np
from common import ROOT, VAR_DIR, services

os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

DATABASE = "faultline_scale_bench"
SPAN_DAYS = 31  # received times spread over this many days; retention keeps 30
BATCH = 20_000  # events per COPY
MIN_FREE_DISK = int(os.environ.get("SCALE_MIN_FREE_GIB", "9")) * 2**30  # filling stops below
ENVIRONMENTS = (("production", 0.7), ("staging", 0.25), ("development", 0.05))
SERVERS = 12
BROWSERS = ("Chrome", "Firefox", "Safari", "Edge")
OSES = ("Windows", "macOS", "Linux", "iOS", "Android")


@dataclass
class Template:
    """One normalized corpus event, ready for COPY (escaped once)."""

    platform: str
    title: str
    culprit: str
    level: str
    body: bytes  # the payload as the event store keeps it (monitor.eventstore.encode)


@dataclass
class ProjectShape:
    id: int
    slug: str
    org_slug: str
    platform: str
    issue_ids: np.ndarray
    issue_cdf: np.ndarray  # where each issue ends in [0, 1): Zipf over the issues
    templates: list[int]  # indices into the templates of this platform, one per issue
    releases: list[str]
    users: int
    share: float  # of all events


@dataclass
class World:
    projects: list[ProjectShape]
    templates: list[Template]
    start: dt.datetime
    end: dt.datetime
    project_cdf: np.ndarray = field(default_factory=lambda: np.zeros(0))


def copy_escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
            .replace("\r", "\\r"))


def load_templates(per_file: int = 12) -> list[Template]:
    """A few events of every corpus codebase, through the real normalizer."""
    from ingest.normalize import culprit_of, metadata, normalize_event
    from lab.corpus import corpus_files, read_rows
    from monitor import eventstore

    out = []
    for path in corpus_files(ROOT / "lab" / "corpus"):
        for i, row in enumerate(read_rows(path)):
            if i >= per_file:
                break
            event = normalize_event(row["event"], time.time(), uuid.uuid4().hex)
            title = (metadata(event).get("title") or event.get("title") or "Error")[:200]
            out.append(Template(platform=event.get("platform") or "other", title=title,
                                culprit=(culprit_of(event) or "")[:200],
                                level=event.get("level") or "error",
                                body=eventstore.encode(event)))
    return out


@dataclass
class Drawn:
    """What the world's seed draws for one project: replayed to fill more into a database."""

    platform: str
    chosen: np.ndarray  # the template of each issue, in issue order
    releases: list[str]
    users: int
    share: float


def draw_projects(projects: int, issues: tuple[int, int], seed: int,
                  templates: list[Template]) -> list[Drawn]:
    """Project sizes Zipf(1.1) (the first few very large), each project's issues' templates,
    releases and users, from `seed` alone (no database)."""
    rng = np.random.default_rng(seed)
    by_platform: dict[str, list[int]] = {}
    for i, template in enumerate(templates):
        by_platform.setdefault(template.platform, []).append(i)
    platforms = sorted(by_platform)
    weights = 1 / np.arange(1, projects + 1) ** 1.1
    weights /= weights.sum()
    drawn = []
    for p in range(projects):
        platform = platforms[p % len(platforms)]
        count = int(rng.integers(*issues))
        chosen = rng.choice(by_platform[platform], size=count)
        releases = [f"app-{p}@{major}.{minor}" for major in (1, 2) for minor in
                    range(int(rng.integers(5, 15)))]
        drawn.append(Drawn(platform=platform, chosen=chosen, releases=releases,
                           users=int(rng.integers(200, 20000)), share=float(weights[p])))
    return drawn


def zipf_cdf(ranks: np.ndarray) -> np.ndarray:
    """Where each issue ends in [0, 1): Zipf(1.0) over the issues' ranks (0 the largest)."""
    weights = 1 / (ranks + 1.0)
    return np.cumsum(weights) / weights.sum()


def build_world(projects: int, issues: tuple[int, int], seed: int, start: dt.datetime,
                end: dt.datetime) -> World:
    """Organizations, projects and their issues (SQL), and the shapes events are drawn from
    (`draw_projects`)."""
    from django.db import connection

    from monitor.models import Organization, Project

    templates = load_templates()
    shapes = []
    for p, drawn in enumerate(draw_projects(projects, issues, seed, templates)):
        org = Organization.objects.create(name=f"Org {p}", slug=f"org-{p}", retention_days=30)
        project = Project.objects.create(organization=org, name=f"App {p}", slug=f"app-{p}",
                                         platform=drawn.platform)
        titles = [f"{templates[t].title[:180]} #{j}" for j, t in enumerate(drawn.chosen)]
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO monitor_issue (project_id, title, culprit, type, level, platform,"
                " status, regressed, first_seen, last_seen, times_seen, users_seen, priority,"
                " priority_locked, priority_factors, ignore_until_escalating)"
                " SELECT %s, t.title, t.culprit, 'error', t.level, %s,"
                " (ARRAY['unresolved','unresolved','unresolved','unresolved','unresolved',"
                "        'unresolved','unresolved','resolved','resolved','ignored'])"
                "  [1 + (t.n %% 10)], false, %s, %s, 0, 0, 1 + (t.n %% 3), false, '{}', false"
                " FROM unnest(%s::text[], %s::text[], %s::text[]) WITH ORDINALITY"
                "  AS t(title, culprit, level, n) ORDER BY t.n RETURNING id",
                [project.id, drawn.platform, end, start, titles,
                 [templates[t].culprit for t in drawn.chosen],
                 [templates[t].level for t in drawn.chosen]],
            )
            ids = np.array(sorted(row[0] for row in cursor.fetchall()))
        shapes.append(ProjectShape(
            id=project.id, slug=project.slug, org_slug=org.slug, platform=drawn.platform,
            issue_ids=ids, issue_cdf=zipf_cdf(np.arange(len(ids))),
            templates=list(drawn.chosen), releases=drawn.releases, users=drawn.users,
            share=drawn.share))
    world = World(projects=shapes, templates=templates, start=start, end=end)
    world.project_cdf = np.cumsum([shape.share for shape in shapes])
    return world


def world_to_fill_on(projects: int, issues: tuple[int, int], seed: int, end: dt.datetime,
                     ) -> World:
    """The world of the database a run left (--reuse with --events beyond what is there), its
    shapes replayed from the seed: the projects' issues that are still there (retention deleted
    the emptied ones), ranked by id as they were made, the largest first."""
    from monitor.models import Issue, Project

    templates = load_templates()
    shapes = []
    for p, drawn in enumerate(draw_projects(projects, issues, seed, templates)):
        project = Project.objects.select_related("organization").get(slug=f"app-{p}")
        ids = np.array(sorted(Issue.objects.filter(project=project).values_list("id", flat=True)))
        ranks = ids - ids[0]
        if ranks[-1] >= len(drawn.chosen):
            raise SystemExit(f"{project.slug}: its issues are not the seed's ({ranks[-1] + 1} "
                             f"ids for {len(drawn.chosen)} issues): pass the run's --seed, "
                             "--projects and --issues")
        shapes.append(ProjectShape(
            id=project.id, slug=project.slug, org_slug=project.organization.slug,
            platform=drawn.platform, issue_ids=ids, issue_cdf=zipf_cdf(ranks),
            templates=[drawn.chosen[r] for r in ranks], releases=drawn.releases,
            users=drawn.users, share=drawn.share))
    world = World(projects=shapes, templates=templates, start=end - dt.timedelta(days=SPAN_DAYS),
                  end=end)
    world.project_cdf = np.cumsum([shape.share for shape in shapes])
    return world


def event_rows(world: World, rng: np.random.Generator, count: int,
               t0: float, t1: float) -> tuple[list[str], list[bytes]]:
    """`count` COPY lines of monitor_event with received times in [t0, t1) (unix), in order,
    and each one's payload."""
    received = np.sort(rng.uniform(t0, t1, count))
    skew = rng.exponential(2.0, count)  # SDK clocks run a little behind
    project_ix = np.searchsorted(world.project_cdf, rng.random(count), side="right")
    project_ix = np.minimum(project_ix, len(world.projects) - 1)
    issue_u, env_u, rel_u, user_u, misc = (rng.random(count) for _ in range(5))
    server = rng.integers(1, SERVERS + 1, count)
    env_cdf = np.cumsum([w for _, w in ENVIRONMENTS])
    env_ix = np.minimum(np.searchsorted(env_cdf, env_u, side="right"), len(ENVIRONMENTS) - 1)
    span = world.end.timestamp() - world.start.timestamp()
    ids = rng.bytes(16 * count).hex()
    lines, bodies = [], []
    for k in range(count):
        shape = world.projects[project_ix[k]]
        j = min(int(np.searchsorted(shape.issue_cdf, issue_u[k], side="right")),
                len(shape.issue_ids) - 1)
        template = world.templates[shape.templates[j]]
        issue_id = int(shape.issue_ids[j])
        # the release of the time, sometimes the one before (a slow rollout)
        rel = int((received[k] - world.start.timestamp()) / span * len(shape.releases))
        rel = max(0, min(len(shape.releases) - 1, rel - (rel_u[k] < 0.2)))
        release = shape.releases[rel]
        environment = ENVIRONMENTS[env_ix[k]][0]
        user = int(shape.users * user_u[k] ** 2)  # a few users hit most errors
        recv = dt.datetime.fromtimestamp(received[k], dt.UTC).isoformat()
        stamp = dt.datetime.fromtimestamp(received[k] - skew[k], dt.UTC).isoformat()
        tags = [["environment", environment], ["release", release], ["user", f"id:{user}"],
                ["server_name", f"web-{server[k]}"], ["level", template.level]]
        if template.platform == "javascript":
            tags += [["browser.name", BROWSERS[int(misc[k] * len(BROWSERS))]],
                     ["os.name", OSES[int(misc[k] * 7919) % len(OSES)]]]
        user_json = (f'{{"id":"{user}","email":"user{user}@example.com",'
                     f'"ip_address":"10.{user // 65536 % 256}.{user // 256 % 256}.{user % 256}"}}')
        lines.append("\t".join((
            str(shape.id), str(issue_id), ids[32 * k:32 * k + 32], stamp, recv,
            f"{issue_id:032x}", template.level, template.platform,
            copy_escape(template.title), release, environment, user_json,
            json.dumps(tags, separators=(",", ":")))) + "\n")
        bodies.append(template.body)
    return lines, bodies


EVENT_COLUMNS = ("id", "project_id", "issue_id", "event_id", "timestamp", "received",
                 "grouping_hash", "level", "platform", "title", "release", "environment",
                 "user", "tags")


def insert_events(cursor, lines: list[str], bodies: list[bytes]) -> None:
    """The events table's layout (docs/storage.md), as monitor.eventstore.insert_events
    writes it but by COPY: ids from the events' sequence (eventstore.NEW_IDS_SQL), the rows
    (their keys by the table's trigger), then their payloads (zstd, compressed once per
    template by eventstore.encode) in the payload table, in that order (the lock order)."""
    from monitor.eventstore import NEW_IDS_SQL

    cursor.execute(NEW_IDS_SQL, [len(lines)])
    ids = [row[0] for row in cursor.fetchall()]
    received = [line.split("\t", 5)[4] for line in lines]
    columns = ", ".join(f'"{c}"' for c in EVENT_COLUMNS)
    with cursor.copy(f"COPY monitor_event ({columns}) FROM STDIN") as copy:
        for start in range(0, len(lines), 2000):
            copy.write("".join(f"{i}\t{line}" for i, line in
                               zip(ids[start:start + 2000], lines[start:start + 2000],
                                   strict=True)))
    with cursor.copy("COPY monitor_eventpayload (event_id, received, body) FROM STDIN") as copy:
        for event_id, at, body in zip(ids, received, bodies, strict=True):
            copy.write_row((event_id, at, body))


class CopyStreams:
    """`streams` connections COPYing batches at once (one transaction per batch), fed by the
    generating thread through a bounded queue: PostgreSQL parses, indexes and fires the key
    trigger on several cores while Python generates the next batch."""

    def __init__(self, url: str, streams: int):
        import queue

        self.queue: queue.Queue = queue.Queue(maxsize=streams)
        self.errors: list[BaseException] = []
        self.copy_s = 0.0
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._run, args=(url,), daemon=True)
                        for _ in range(streams)]
        for thread in self.threads:
            thread.start()

    def _run(self, url: str) -> None:
        import psycopg

        with psycopg.connect(url) as conn:
            while (batch := self.queue.get()) is not None:
                if self.errors:
                    continue
                started = time.perf_counter()
                try:
                    with conn.transaction(), conn.cursor() as cursor:
                        insert_events(cursor, *batch)
                except BaseException as exc:  # reported by close()
                    self.errors.append(exc)
                with self.lock:
                    self.copy_s += time.perf_counter() - started

    def put(self, lines: list[str], bodies: list[bytes]) -> None:
        if self.errors:
            raise self.errors[0]
        self.queue.put((lines, bodies))

    def close(self) -> None:
        for _ in self.threads:
            self.queue.put(None)
        for thread in self.threads:
            thread.join()
        if self.errors:
            raise self.errors[0]


def refresh_aggregates(cursor, since_id: int) -> None:
    """What ingest keeps beside the events, for the events with id > since_id."""
    new = "FROM monitor_event e WHERE e.id > %s"
    cursor.execute(
        "UPDATE monitor_issue i SET times_seen = i.times_seen + c.n,"
        " first_seen = LEAST(i.first_seen, c.first), last_seen = GREATEST(i.last_seen, c.last)"
        f" FROM (SELECT issue_id, count(*) n, min(timestamp) first, max(timestamp) last {new}"
        " GROUP BY 1) c WHERE c.issue_id = i.id", [since_id])
    cursor.execute(
        "INSERT INTO monitor_issuetag (issue_id, key, value, times_seen, first_seen, last_seen)"
        " SELECT e.issue_id, t->>0, t->>1, count(*), min(e.timestamp), max(e.timestamp)"
        " FROM monitor_event e, jsonb_array_elements(e.tags) t WHERE e.id > %s GROUP BY 1, 2, 3"
        " ON CONFLICT (issue_id, key, value) DO UPDATE SET"
        " times_seen = monitor_issuetag.times_seen + excluded.times_seen,"
        " first_seen = LEAST(monitor_issuetag.first_seen, excluded.first_seen),"
        " last_seen = GREATEST(monitor_issuetag.last_seen, excluded.last_seen)", [since_id])
    cursor.execute(
        "UPDATE monitor_issue i SET users_seen = u.n FROM (SELECT issue_id, count(*) n"
        " FROM monitor_issuetag WHERE key = 'user' GROUP BY 1) u WHERE u.issue_id = i.id")
    cursor.execute(
        "INSERT INTO monitor_issuehourlycount (issue_id, hour, count)"
        f" SELECT issue_id, date_trunc('hour', received), count(*) {new} GROUP BY 1, 2"
        " ON CONFLICT (issue_id, hour) DO UPDATE SET"
        " count = monitor_issuehourlycount.count + excluded.count", [since_id])
    cursor.execute(
        "INSERT INTO monitor_projectrelease (project_id, version, first_seen)"
        f" SELECT project_id, release, min(received) {new} GROUP BY 1, 2"
        " ON CONFLICT (project_id, version) DO NOTHING", [since_id])


def fill(world: World, rng: np.random.Generator, count: int, done: int, total: int,
         streams: int = 2, until: float = float("inf"),
         window: tuple[float, float] | None = None) -> dict:
    """Add `count` events (events `done`..`done+count` of `total`, in received-time order over
    the world's span, or over `window`, unix times) over `streams` parallel COPY connections,
    stopping early when the disk runs low or at `until` (unix time); returns seconds spent
    generating, waiting for the streams, and aggregating."""
    from django.db import connection

    if count <= 0:
        return {"events": 0, "generate_s": 0.0, "copy_s": 0.0, "aggregate_s": 0.0}
    t_start, t_end = world.start.timestamp(), world.end.timestamp()
    span = t_end - t_start
    if window is None:
        window = (t_start + span * done / total, t_start + span * (done + count) / total)
    w_start, w_span = window[0], window[1] - window[0]
    gen = 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM monitor_event")
        since = cursor.fetchone()[0]
    started_all = time.perf_counter()
    copier = CopyStreams(os.environ["DATABASE_URL"], streams)
    stopped = False
    try:
        for offset in range(0, count, BATCH):
            low_disk = shutil.disk_usage(ROOT).free < MIN_FREE_DISK
            if low_disk or time.time() > until:
                stopped = True
                count = offset
                print(f"\n  stopped at {done + offset:,}: "
                      + ("disk low" if low_disk else "time is up"))
                break
            n = min(BATCH, count - offset)
            a = w_start + w_span * offset / count
            b = w_start + w_span * (offset + n) / count
            started = time.perf_counter()
            lines, bodies = event_rows(world, rng, n, a, b)
            gen += time.perf_counter() - started
            copier.put(lines, bodies)
            print(f"\r  filled {done + offset + n:,} / {total:,}", end="", flush=True)
    finally:
        copier.close()
    wall = time.perf_counter() - started_all
    print()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        refresh_aggregates(cursor, since)
        cursor.execute("VACUUM (ANALYZE) monitor_event")
        cursor.execute("ANALYZE")
    aggregate = time.perf_counter() - started
    return {"events": count, "generate_s": gen, "copy_s": wall - gen, "copy_busy_s":
            copier.copy_s, "streams": streams, "aggregate_s": aggregate,
            "stopped": stopped, "load_after": load()}


def page_set(world: World) -> dict[str, str]:
    """The pages timed: the largest project's stream and searches, its largest issue."""
    from monitor.models import Event, Issue

    shape = world.projects[0]
    base = f"/{shape.org_slug}/{shape.slug}"
    biggest = Issue.objects.filter(project_id=shape.id).order_by("-times_seen").first()
    middle = (Issue.objects.filter(project_id=shape.id).order_by("-times_seen")
              [len(shape.issue_ids) // 10])
    release = shape.releases[len(shape.releases) // 2]
    # the key of page 51 of the largest issue's events (the 1,000th newest: what its "older"
    # link names after 50 pages)
    deep = (Event.objects.filter(issue_id=biggest.id).order_by("-id")
            .values_list("id", flat=True)[1000:1001].first() or 1)
    print(f"  largest project: {len(shape.issue_ids):,} issues; its largest issue "
          f"{biggest.times_seen:,} events, its 10th percentile {middle.times_seen:,}")
    return {
        "stream": f"{base}/issues/",
        "stream, page 10": f"{base}/issues/?page=10",
        "stream, sort by events": f"{base}/issues/?sort=events",
        "stream, environment filter": f"{base}/issues/?environment=staging",
        "stream, release filter": f"{base}/issues/?release={release}",
        "stream, environment+release": f"{base}/issues/?environment=staging&release={release}",
        "search user:id": f"{base}/issues/?query=user:17&status=all",
        "search user:email": f"{base}/issues/?query=user:user17@example.com&status=all",
        "search tag (server_name)": f"{base}/issues/?query=server_name:web-3",
        "search release:": f"{base}/issues/?query=release:{release}",
        "search release wildcard": f"{base}/issues/?query=release:{shape.slug}@2.*",
        "search free text": f"{base}/issues/?query=error+value&status=all",
        "search level+tag+text": f"{base}/issues/?query=level:error+environment:staging+error",
        "search suggestions": f"{base}/searches/suggest/?token=release:{shape.slug[:3]}",
        "issue page, largest issue": f"{base}/issues/{biggest.id}/",
        "issue page, 10th percentile issue": f"{base}/issues/{middle.id}/",
        "issue events, web page 50": f"{base}/issues/{biggest.id}/?events=50",
        "issue events, web page 51 by key": f"{base}/issues/{biggest.id}/?events=51"
                                            f"&events_before={deep}",
        "issue events, API": f"/api/0/issues/{biggest.id}/events/",
        "issue events, API page 40": f"/api/0/issues/{biggest.id}/events/"
                                     f"?page={max(1, min(40, biggest.times_seen // 25))}",
    }


def time_pages(client, pages: dict[str, str], repeat: int) -> dict[str, dict]:
    out = {}
    for label, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        samples = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(url)
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        out[label] = {"url": url, "p50_ms": float(np.percentile(samples, 50)),
                      "p95_ms": float(np.percentile(samples, 95))}
        print(f"  {label:<40} p50 {out[label]['p50_ms']:7.1f} ms  "
              f"p95 {out[label]['p95_ms']:7.1f} ms", flush=True)
    return out


def explain(pages: dict[str, str]) -> dict[str, dict]:
    """Every SQL statement of each page, slowest first, with EXPLAIN ANALYZE of the slow ones;
    and each page's planning time, summed over its statements that read events (what the
    number of partitions costs every page)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(get_user_model().objects.get(username="bench"))
    planning = {}
    for label, url in pages.items():
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        timed = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))
        print(f"== {label}: {url} ({len(timed)} queries)")
        for query in timed[:3]:
            print(f"  {float(query['time']) * 1000:.1f} ms: {query['sql'][:400]}")
            if float(query["time"]) > 0.02 and query["sql"].startswith("SELECT"):
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                    print("    " + "\n    ".join(row[0] for row in cursor.fetchall()))
        plan_ms = run_ms = 0.0
        statements = 0
        for query in captured.captured_queries:
            sql = query["sql"]
            if not sql.startswith("SELECT") or "monitor_event" not in sql:
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, SUMMARY, TIMING OFF) " + sql)
                for (line,) in cursor.fetchall():
                    if line.startswith("Planning Time"):
                        plan_ms += float(line.split()[2])
                    elif line.startswith("Execution Time"):
                        run_ms += float(line.split()[2])
            statements += 1
        planning[label] = {"statements": statements, "planning_ms": plan_ms,
                           "execution_ms": run_ms}
        print(f"  planning {plan_ms:.1f} ms, execution {run_ms:.1f} ms over {statements} "
              "statements reading events")
    return planning


def ingest_rate(count: int) -> dict:
    """Accepted and processed events/s through the real code, in this process, into one
    fingerprint-mode project (the events table is shared, so its size is what is measured)."""
    import importlib.util

    from ingest.accept import store_raw_event
    from ingest.processing import process_pending
    from monitor.models import Organization, Project

    spec = importlib.util.spec_from_file_location("bench_ingest", ROOT / "bench" / "ingest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    org, _ = Organization.objects.get_or_create(slug="ingest-bench",
                                                defaults={"name": "Ingest", "retention_days": 30})
    project, _ = Project.objects.get_or_create(
        organization=org, slug="ingest", defaults={
            "name": "Ingest", "platform": "python",
            "grouping_mode": Project.GroupingMode.FINGERPRINT})
    payloads = []
    for i in range(count):
        event = module.realistic_event(i)
        event["fingerprint"] = [f"bug-{i % 50}"]
        payloads.append(json.dumps(event).encode())
    started = time.perf_counter()
    for payload in payloads:
        store_raw_event(project.id, uuid.uuid4(), "event", payload)
    accepted = count / (time.perf_counter() - started)
    started = time.perf_counter()
    while process_pending(200):
        pass
    processed = count / (time.perf_counter() - started)
    print(f"  ingest: accepted {accepted:,.0f}/s, processed {processed:,.0f}/s ({count} events)")
    return {"accepted_per_s": accepted, "processed_per_s": processed, "events": count}


def disk() -> dict:
    from django.db import connection

    tables = ("monitor_event", "monitor_eventpayload", "monitor_eventkey", "monitor_issue",
              "monitor_issuetag", "monitor_issuehourlycount")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM monitor_event")
        events = cursor.fetchone()[0]
        sizes = {}
        for table in tables:
            cursor.execute(  # a partitioned table's size is its partitions' (a plain one, its own)
                "SELECT sum(pg_total_relation_size(relid)), sum(pg_indexes_size(relid))"
                " FROM (SELECT relid FROM pg_partition_tree(%s) UNION"
                " SELECT %s::regclass) AS t", [table, table])
            total, indexes = cursor.fetchone()
            sizes[table] = {"total_bytes": int(total or 0), "index_bytes": int(indexes or 0)}
    total = sum(s["total_bytes"] for s in sizes.values())
    per_million = total / events * 1e6 if events else 0
    print(f"  disk: {total / 2**30:.2f} GiB for {events:,} events "
          f"({per_million / 2**30:.2f} GiB per million; events table "
          f"{sizes['monitor_event']['total_bytes'] / 2**30:.2f} GiB)")
    return {"events": events, "tables": sizes, "bytes_per_million_events": per_million}


class LockSampler(threading.Thread):
    """Every 50 ms: locks held by the purging backend and its longest transaction (row locks,
    on the issues whose tag counts it adjusts, last that long), the longest lock wait of any
    other backend."""

    def __init__(self, url: str, pid: int):
        super().__init__(daemon=True)
        self.url, self.pid, self.running = url, pid, True
        self.max_locks, self.longest_wait_s, self.longest_transaction_s = 0, 0.0, 0.0

    def run(self):
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            while self.running:
                held = conn.execute("SELECT count(*) FROM pg_locks WHERE pid = %s AND granted",
                                    [self.pid]).fetchone()[0]
                wait = conn.execute(
                    "SELECT coalesce(max(extract(epoch FROM now() - state_change)), 0)"
                    " FROM pg_stat_activity WHERE wait_event_type = 'Lock'").fetchone()[0]
                open_for = conn.execute(
                    "SELECT coalesce(extract(epoch FROM now() - xact_start), 0)"
                    " FROM pg_stat_activity WHERE pid = %s", [self.pid]).fetchone()
                self.longest_transaction_s = max(self.longest_transaction_s,
                                                 float(open_for[0] if open_for else 0))
                self.max_locks = max(self.max_locks, held)
                self.longest_wait_s = max(self.longest_wait_s, float(wait))
                time.sleep(0.05)


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def measured(work, label: str) -> dict:
    """Run `work()` on Django's connection, with its time, WAL bytes and locks (sampled)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn(), pg_backend_pid()")
        lsn, pid = cursor.fetchone()
    sampler = LockSampler(os.environ["DATABASE_URL"], pid)
    sampler.start()
    before = load()
    started = time.perf_counter()
    counts = work()
    seconds = time.perf_counter() - started
    sampler.running = False
    sampler.join()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s)", [lsn])
        wal = int(cursor.fetchone()[0])
    result = {"seconds": seconds, "deleted": counts, "wal_bytes": wal,
              "max_locks_held": sampler.max_locks, "longest_lock_wait_s": sampler.longest_wait_s,
              "longest_transaction_s": sampler.longest_transaction_s,
              "load_before": before, "load_after": load()}
    print(f"  {label}: {counts} in {seconds:.1f} s, WAL {wal / 2**20:.0f} MiB, up to "
          f"{sampler.max_locks} locks held, longest transaction "
          f"{sampler.longest_transaction_s:.2f} s, longest lock wait "
          f"{sampler.longest_wait_s:.2f} s "
          f"(load {before[0]} -> {result['load_after'][0]})", flush=True)
    return result


def retire_day(world: World, day: int) -> dict:
    """What retention of one day is at the longest retention (every organisation here keeps
    30 days): the real `privacy.deletion.drop_expired_partitions` retiring the spans wholly
    older than the horizon `day` days after the world's end (its events out of the tag
    counts, the rows pointing at them, the table, its keys)."""
    from privacy.deletion import drop_expired_partitions

    horizon = world.end + dt.timedelta(days=day) - dt.timedelta(days=SPAN_DAYS - 1)
    return measured(lambda: {"events": drop_expired_partitions(horizon)},
                    f"retention of day {day} (partitions)")


def retention(world: World, day: int, now: dt.datetime | None = None) -> dict:
    """The whole daily purge (privacy.deletion.purge_expired) on the day after `day`'s: the
    issues left without events, raw events, attachments, source maps and the rest. Issues
    the generator made that never got an event (ingest never makes one) are deleted first,
    apart, so they are not counted as the purge's work."""
    from django.db import connection

    from privacy.deletion import purge_expired

    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute("DELETE FROM monitor_issue WHERE times_seen = 0")
        print(f"  {cursor.rowcount:,} never-seen generated issues deleted in "
              f"{time.perf_counter() - started:.0f} s")
    now = now or world.end + dt.timedelta(days=day)
    return measured(lambda: purge_expired(now=now), f"purge_expired, day {day}")


def retention_of_what_is_there(world: World) -> dict:
    """--reuse --retention-only: retire the oldest day left (found in the catalog), then the
    daily purge of the day after, on the database the last run left."""
    from monitor import partitions
    from monitor.models import Organization
    from privacy.deletion import drop_expired_partitions

    sizes = disk()
    left = drop_expired_partitions(partitions.EPOCH)  # what a stopped run left detached
    print(f"  {left:,} events of a day a stopped run had detached, retired first")
    oldest = partitions.existing()[0]
    retired_day = measured(lambda: {"events": drop_expired_partitions(oldest.end)},
                           f"retention of the day {oldest.start:%Y-%m-%d} (partitions)")
    longest = max(Organization.objects.values_list("retention_days", flat=True))
    after = partitions.existing()[0]
    purge = retention(world, 0, now=after.end + dt.timedelta(days=longest))
    return {"disk": sizes, "retention_day": retired_day, "purge": purge}


def retired(results: list[dict]) -> int:
    """Days retention has taken so far (one at each checkpoint with events)."""
    return sum("retention_day" in result for result in results)


def checkpoints_of(text: str | None, events: int) -> list[int]:
    if not text:
        return sorted({0, events // 2, events})
    return sorted({min(int(float(x)), events) for x in text.split(",")} | {events})


def print_table(results: list[dict]) -> None:
    labels = list(results[-1]["pages"])
    head = "".join(f"{r['events']:>16,}" for r in results)
    print(f"\n{'p50 / p95 ms at events':<42}{head}")
    for label in labels:
        cells = "".join(
            f"{r['pages'][label]['p50_ms']:>8.0f}/{r['pages'][label]['p95_ms']:<7.0f}"
            if label in r["pages"] else f"{'-':>16}" for r in results)
        print(f"{label[:41]:<42}{cells}")
    for key in ("accepted_per_s", "processed_per_s"):
        cells = "".join(f"{r['ingest'].get(key, 0):>16,.0f}" for r in results)
        print(f"{'ingest ' + key:<42}{cells}")
    cells = "".join(f"{r['disk']['bytes_per_million_events'] / 2**30:>15.2f}G" for r in results)
    print(f"{'disk per million events':<42}{cells}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=float, default=10_000_000)
    parser.add_argument("--checkpoints", help="comma-separated event counts (default 0,N/2,N)")
    parser.add_argument("--projects", type=int, default=40)
    parser.add_argument("--issues", default="2000,6000", help="issues per project: low,high")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--ingest-events", type=int, default=2000)
    parser.add_argument("--no-retention", action="store_true")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the last run's database (the world is rebuilt from it); with "
                        "--events beyond what it holds, fill it on to that many (the run's "
                        "--seed, --projects and --issues), received from its newest event to now")
    parser.add_argument("--database", default=DATABASE,
                        help="the database's name (a second one beside the filled one: the "
                        "empty database's ingest, --ingest-only)")
    parser.add_argument("--ingest-only", action="store_true",
                        help="only ingest's rate (--ingest-events) into the database, fresh "
                        "and empty unless --reuse: var/bench/scale-ingest-<events>.json")
    parser.add_argument("--explain", action="store_true", help="print each page's queries")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--fill-until", help="UTC time (ISO) after which filling stops and the "
                        "last checkpoint is measured where it stands")
    parser.add_argument("--streams", type=int, default=2, help="parallel COPY connections")
    parser.add_argument("--retention-only", action="store_true",
                        help="with --reuse: only retention of the oldest day left, then a purge")
    args = parser.parse_args()
    until = (dt.datetime.fromisoformat(args.fill_until).replace(tzinfo=dt.UTC).timestamp()
             if args.fill_until else float("inf"))
    events = int(args.events)
    low, high = (int(x) for x in args.issues.split(","))
    with services(args.database, fresh=not args.reuse):
        from django.conf import settings
        from django.contrib.auth import get_user_model
        from django.test import Client

        from monitor import partitions
        from monitor.models import Membership, Organization

        rng = np.random.default_rng(args.seed)
        end = dt.datetime.now(dt.UTC).replace(microsecond=0)
        start = end - dt.timedelta(days=SPAN_DAYS)
        if args.ingest_only:
            return measure_ingest_only(args.ingest_events)
        if args.reuse and events:
            world = world_to_fill_on(args.projects, (low, high), args.seed, end)
        elif args.reuse:
            world = rebuild_world()
        else:
            started = time.perf_counter()
            world = build_world(args.projects, (low, high), args.seed, start, end)
            print(f"{len(world.projects)} projects, "
                  f"{sum(len(p.issue_ids) for p in world.projects):,} issues in "
                  f"{time.perf_counter() - started:.0f} s")
            days = settings.FAULTLINE_EVENT_PARTITION_DAYS
            made = partitions.ensure(  # what the hourly beat task made over those days
                start, ahead=SPAN_DAYS // days + 1 + settings.FAULTLINE_EVENT_PARTITIONS_AHEAD)
            print(f"{len(made)} partitions of {days} days")
            user = get_user_model().objects.create_user("bench", password="x")
            for org in Organization.objects.all():
                Membership.objects.create(user=user, organization=org, role="owner")
        client = Client()
        client.force_login(get_user_model().objects.get(username="bench"))
        results, done = [], 0
        checkpoints = checkpoints_of(args.checkpoints, events)
        if args.reuse and args.retention_only:
            summary = retention_of_what_is_there(world)
            out = VAR_DIR / "bench" / "scale-retention.json"
            out.write_text(json.dumps(summary, indent=2, default=str))
            print(f"written {out}")
            return 0
        window = None
        if args.reuse:  # the pages of what is there, or filled on to --events first
            done = disk()["events"]
            if events and events <= done:
                parser.error(f"--reuse: the database holds {done:,} events already")
            checkpoints = [max(events, done)]
            events = checkpoints[0]
            if events > done:
                window = (newest_received(world), end.timestamp())
                rng = np.random.default_rng([args.seed, done])  # new event ids, not the run's
        for checkpoint in checkpoints:
            filled = fill(world, rng, checkpoint - done, done, events, args.streams, until,
                          window)
            done += filled["events"]
            if filled["events"]:
                rate = filled["events"] / (filled["generate_s"] + filled["copy_s"])
                print(f"  fill: {filled['events']:,} events, generate {filled['generate_s']:.0f}"
                      f" s, COPY {filled['copy_s']:.0f} s ({rate:,.0f}/s), aggregates "
                      f"{filled['aggregate_s']:.0f} s")
            print(f"checkpoint {done:,} events, load {load()}", flush=True)
            pages = page_set(world)
            plans = explain(pages) if args.explain else {}
            result = {"events": done, "fill": filled, "load": load(), "disk": disk(),
                      "plans": plans,
                      "pages": time_pages(client, pages, args.repeat)}
            result["ingest"] = ingest_rate(args.ingest_events) if args.ingest_events else {}
            if checkpoint and not args.no_retention:
                result["retention_day"] = retire_day(world, retired(results))
            results.append(result)
            write_summary(args, world, results)
            if filled.get("stopped"):
                break
        purge = (retention(world, retired(results))
                 if not args.no_retention and done else None)
        print_table(results)
    print(f"written {write_summary(args, world, results, purge)}")
    return 0


def newest_received(world: World) -> float:
    """When the largest project's newest event was received (unix time): where the world's
    events end (one index descent per partition)."""
    from django.db.models import Max

    from monitor.models import Event

    newest = Event.objects.filter(project_id=world.projects[0].id).aggregate(at=Max("received"))
    return newest["at"].timestamp()


def measure_ingest_only(count: int) -> int:
    """Ingest's rate into the database as it is (a fresh one is empty), with the load."""
    events = disk()["events"]
    before = load()
    result = {"events_in_database": events, "load_before": before, **ingest_rate(count),
              "load_after": load(), "command": " ".join(sys.argv)}
    out = VAR_DIR / "bench" / f"scale-ingest-{events}.json"
    out.write_text(json.dumps(result, indent=2))
    print(f"  load {before} -> {result['load_after']}\nwritten {out}")
    return 0


def write_summary(args, world: World, results: list[dict], purge: dict | None = None):
    from django.conf import settings

    summary = {"command": " ".join(sys.argv), "cpus": os.cpu_count(),
               "partition_days": settings.FAULTLINE_EVENT_PARTITION_DAYS,
               "projects": len(world.projects), "checkpoints": results, "retention": purge}
    out = VAR_DIR / "bench" / f"scale-{int(args.events)}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, indent=2, default=str))
    return out


def rebuild_world() -> World:
    """The shapes of the database left by the last run (for --reuse): enough to find the
    pages and to purge its oldest day (filling on replays the seed: `world_to_fill_on`)."""
    from django.db.models import Max, Min

    from monitor.models import Event, Issue, Project, ProjectRelease

    span = Event.objects.exclude(project__slug="ingest").aggregate(
        start=Min("received"), end=Max("received"))

    shapes = []
    projects = Project.objects.filter(slug__startswith="app-").select_related("organization")
    for project in sorted(projects, key=lambda p: int(p.slug.split("-")[1])):
        ids = np.array(sorted(Issue.objects.filter(project=project).values_list("id", flat=True)))
        releases = sorted(ProjectRelease.objects.filter(project=project)
                          .values_list("version", flat=True),
                          key=lambda v: [int(x) for x in v.split("@")[1].split(".")])
        shapes.append(ProjectShape(
            id=project.id, slug=project.slug, org_slug=project.organization.slug,
            platform=project.platform, issue_ids=ids, issue_cdf=np.zeros(0), templates=[],
            releases=releases, users=0, share=0.0))
    return World(projects=shapes, templates=[], start=span["end"] - dt.timedelta(days=SPAN_DAYS),
                 end=span["end"])


if __name__ == "__main__":
    sys.exit(main())
