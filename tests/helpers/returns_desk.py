"""returns-desk's events as mined (lab/corpus), and one event's way through the real pipeline
(ingest, processing, the embeddings worker's decisions): the rename path's tests."""

from __future__ import annotations

import json
import uuid
from functools import cache
from pathlib import Path

from lab.corpus import read_rows
from monitor.models import Event, Project
from tests.helpers.events import decide

CORPUS = Path(__file__).resolve().parents[2] / "lab" / "corpus" / "python-returns-desk.jsonl.zst"

NO_ADDRESS = "labels.make_label/TypeError-order-without-address"  # make_label → build_label
HAZMAT = "restock.put_away/PolicyViolation-hazmat-item"
FINAL_SALE = "rma.open_return/PolicyViolation-final-sale-item"  # open_return → create_return


@cache
def mined(bug: str, release: str, entry: str = "flask") -> dict:
    """The first returns-desk event of `bug` in `release` reached from `entry`, as sent."""
    return next(r["event"] for r in read_rows(CORPUS) if (r["bug"], r["release"], r["entry"]) == (
        f"returns-desk/{bug}", f"returns-desk@{release}", entry))


def arrive(project: Project, payload: dict) -> Event:
    """One event through ingest and processing, then the embeddings worker's decisions."""
    from ingest.accept import store_raw_event
    from ingest.processing import process_pending

    event_id = uuid.uuid4()
    store_raw_event(project.id, event_id, "event", json.dumps(payload).encode())
    while process_pending(100):
        pass
    decide()
    return Event.objects.get(project=project, event_id=event_id)
