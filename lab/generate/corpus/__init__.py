"""The grouping corpus: real faults of several applications over several releases, labelled by
bug, application and split (docs/ml-grouping.md).

    rows = lab.generate.corpus.load("var/corpus/corpus-seed7.jsonl")
    rows = lab.generate.corpus.ensure()          # generate (once, cached under var/) and load
    train = [r for r in rows if r["split"] in ("train", "validation")]

Each row: {"bug": id, "app": application, "platform": python|javascript|java,
"split": train|validation|test|heldout_app, "event": {...}}.
"""

from __future__ import annotations

import json
from pathlib import Path

from training.corpus import HELDOUT_APPS, SPLITS, TUNING_SPLITS, split_of  # noqa: F401

DEFAULT_SEED = 7
CACHE = Path(__file__).resolve().parents[3] / "var" / "corpus"


def load(path: str | Path, splits: tuple[str, ...] | None = None) -> list[dict]:
    """The rows of a corpus file, optionally only those of some splits."""
    rows = [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]
    return [row for row in rows if splits is None or row["split"] in splits]


def default_path(seed: int = DEFAULT_SEED, small: bool = False) -> Path:
    return CACHE / f"corpus-seed{seed}{'-small' if small else ''}.jsonl"


def ensure(seed: int = DEFAULT_SEED, small: bool = False,
           splits: tuple[str, ...] | None = None) -> list[dict]:
    """Load the cached corpus for this seed, generating it first when it is missing."""
    path = default_path(seed, small)
    if not path.exists():
        from lab.generate.corpus.generate import write

        write(path, seed=seed, small=small)
    return load(path, splits)
