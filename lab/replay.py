"""The mined codebases through the real pipeline, as a fresh installation serves them: each
source (one mined file of a codebase) into a fresh project in ML grouping mode, its events in
arrival order, each stored raw (ingest.accept.store_raw_event), processed
(ingest.processing.process_pending) and decided (grouping.ml.drain) before the next arrives,
as `manage.py grouping_eval --replay` does. What the served model (its manifest's thresholds,
key rules and text shape) makes of them is read back from the database: one issue id per event.

lab.never_seen --replay scores these beside its simulation from cached vectors.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path


def replay_source(rows: Sequence[dict]) -> list[int]:
    """The issue id of each row's event, the rows replayed in order into a fresh project."""
    from grouping import ml
    from ingest.accept import store_raw_event
    from ingest.processing import process_pending
    from monitor.models import Event, Organization, Project

    slug = f"replay-{uuid.uuid4().hex[:8]}"
    org = Organization.objects.create(name=slug, slug=slug)
    project = Project.objects.create(organization=org, name=slug, slug=slug,
                                     grouping_mode=Project.GroupingMode.ML)
    ids = []
    for row in rows:
        ids.append(uuid.uuid4())
        store_raw_event(project.id, ids[-1], "event", json.dumps(row["event"]).encode())
        while process_pending(100):
            pass
        ml.drain(wait_ms=0)
    issue_of = dict(Event.objects.filter(project=project).values_list("event_id", "issue_id"))
    return [issue_of[event_id] for event_id in ids]


def replay_codebase(parts: Sequence[tuple[str, Sequence[dict]]]) -> list[str]:
    """A codebase's sources (lab.select.rows_by_codebase: [(source, rows)]), each its own
    project: the issue of each row, in the order of the rows, as "project-scoped" labels that
    two sources never share."""
    out: list[str] = []
    for source, rows in parts:
        out += [f"{source}:{issue}" for issue in replay_source(rows)]
    return out


@contextlib.contextmanager
def local_database(root: Path) -> Iterator[None]:
    """DATABASE_URL and REDIS_URL as set, else an embedded PostgreSQL and Valkey under `root`
    (a throwaway cluster, made anew each time and migrated: one kept from an earlier run is an
    installation that serves the model it served then), stopped on exit. Call before
    django.setup()."""
    from faultline.localservices import EmbeddedPostgres, EmbeddedValkey

    started: list = []
    try:
        if not os.environ.get("DATABASE_URL"):
            shutil.rmtree(root / "postgres", ignore_errors=True)
            postgres = EmbeddedPostgres(root / "postgres", durable=False)
            postgres.start()
            started.append(postgres)
            postgres.ensure_database("faultline")
            os.environ["DATABASE_URL"] = postgres.url("faultline")
        if not os.environ.get("REDIS_URL"):
            valkey = EmbeddedValkey(root / "valkey")
            valkey.start()
            started.append(valkey)
            os.environ["REDIS_URL"] = valkey.url
        import django
        from django.core.management import call_command

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "faultline.settings")
        django.setup()
        call_command("migrate", verbosity=0, interactive=False)
        yield
    finally:
        for service in reversed(started):
            service.stop()
