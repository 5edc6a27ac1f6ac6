"""The labelled grouping corpus seen by training: rows of {"bug", "event"[, "split", "app"]}.

The corpus generator (evaluation.corpus) marks each row's split; a file without splits (the old
dev set) is split here by bug id, deterministically, so one bug's events never straddle splits.
Training reads only `train`; thresholds and the "no worse" check read only `validation`; `test`
and `heldout` are reported, never tuned on.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

SPLITS = ("train", "validation", "test", "heldout")


def load(path: str | Path) -> list[dict]:
    """Rows of a corpus file, through the corpus package's loader when it exists."""
    try:
        from evaluation.corpus import load as corpus_load  # the new corpus (issue 8, item 1)
    except ImportError:
        corpus_load = None
    if corpus_load is not None:
        return list(corpus_load(path))
    return [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]


def split_of(row: dict) -> str:
    """The row's own split, else one drawn from its bug id: 60% train, 20% validation, 20% test."""
    if row.get("split") in SPLITS:
        return row["split"]
    bucket = int(hashlib.sha256(str(row["bug"]).encode()).hexdigest(), 16) % 10
    return "train" if bucket < 6 else "validation" if bucket < 8 else "test"


def by_split(rows: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {name: [] for name in SPLITS}
    for row in rows:
        out[split_of(row)].append(row)
    return out


def file_digest(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
