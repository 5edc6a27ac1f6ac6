"""The labelled grouping corpus as training sees it, and its split rule (the corpus generators
of lab.generate.corpus label rows with it).

Training reads only `train`; thresholds and the "no worse" check read only `validation`; `test`
and `heldout_app` (a whole application never seen) are reported, never tuned on. A file whose
rows carry no split (the old dev set) is split by bug id with the corpus's own rule. A mined
file of lab/corpus goes whole to one split by its codebase (training.mined): trained on,
choosing (`validation`) or report-only (`heldout_app`).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

SPLITS = ("train", "validation", "test", "heldout_app")
TUNING_SPLITS = ("train", "validation")  # every threshold and rule is chosen on these only
# One whole application per platform is never seen while tuning or training.
HELDOUT_APPS = frozenset({"notifier", "js-worker", "java-billing"})


def split_of(bug: str, app: str) -> str:
    """60/20/20 by bug (a stable hash of its id), or heldout_app for a held-out application."""
    if app in HELDOUT_APPS:
        return "heldout_app"
    bucket = int(hashlib.sha256(bug.encode()).hexdigest()[:8], 16) % 10
    return "train" if bucket < 6 else "validation" if bucket < 8 else "test"


def load(path: str | Path) -> list[dict]:
    """A corpus file's rows with their splits; a mined file (lab/corpus) splits by whole
    codebase (training.mined)."""
    from training import mined

    if mined.is_mined(path):
        return mined.load(path)
    return _read(path) if _has_splits(path) else _split(path)


def _read(path: str | Path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]


def _has_splits(path: str | Path) -> bool:
    with open(path) as handle:
        first = handle.readline()
    return '"split"' in first


def _split(path: str | Path) -> list[dict]:
    rows = _read(path)
    for row in rows:
        row["split"] = split_of(str(row["bug"]), row.get("app", ""))
    return rows


def by_split(rows: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {name: [] for name in SPLITS}
    for row in rows:
        out.setdefault(row["split"], []).append(row)
    return out


def file_digest(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
