"""The labelled grouping corpus as training sees it (evaluation.corpus writes and loads it).

Training reads only `train`; thresholds and the "no worse" check read only `validation`; `test`
and `heldout_app` (a whole application never seen) are reported, never tuned on. A file whose
rows carry no split (the old dev set) is split by bug id with the corpus's own rule.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from evaluation import corpus as evaluation_corpus

SPLITS = evaluation_corpus.SPLITS


def load(path: str | Path) -> list[dict]:
    return evaluation_corpus.load(path) if _has_splits(path) else _split(path)


def _has_splits(path: str | Path) -> bool:
    with open(path) as handle:
        first = handle.readline()
    return '"split"' in first


def _split(path: str | Path) -> list[dict]:
    import json

    rows = [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]
    for row in rows:
        row["split"] = evaluation_corpus.split_of(str(row["bug"]), row.get("app", ""))
    return rows


def by_split(rows: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {name: [] for name in SPLITS}
    for row in rows:
        out.setdefault(row["split"], []).append(row)
    return out


def file_digest(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
