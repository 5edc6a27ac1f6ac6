"""The severity score: a logistic head over the embedding the grouping worker already computed
for a new fingerprint (no model is loaded here, only a vector of weights).

The head (`severity_head.json`, trained by `lab/priority/train_severity.py`; what it was trained
on is in the file and in docs/priority.md) belongs to one embedding model, named by its digest:
a vector of any other model (a fine-tuned one, another base) has no score, and the issue keeps
its rule-based priority.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

HEAD_DIR = Path(__file__).parent  # severity_head*.json: one head per embedding model


@dataclass(frozen=True)
class Head:
    model_version: str
    weights: np.ndarray
    bias: float
    threshold: float
    trained_on: str

    def score(self, vector: np.ndarray) -> float:
        """P(severe) for one L2-normalised vector."""
        z = float(np.dot(self.weights, vector)) + self.bias
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


def load_head(path: str | Path = HEAD_DIR / "severity_head.json") -> Head | None:
    """One head file (default: the stock model's)."""
    try:
        spec = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None
    return Head(model_version=spec["model_version"],
                weights=np.asarray(spec["weights"], dtype=np.float32),
                bias=float(spec["bias"]), threshold=float(spec["threshold"]),
                trained_on=spec.get("trained_on", ""))


@functools.lru_cache(maxsize=4)
def load_heads(folder: str = str(HEAD_DIR)) -> dict[str, Head]:
    """Every committed head by the version of the embedding model it was trained on (the stock
    model's and the shipped model's)."""
    heads = (load_head(path) for path in sorted(Path(folder).glob("severity_head*.json")))
    return {head.model_version: head for head in heads if head is not None}


def head_for(model_version: str | None) -> Head | None:
    """The head trained on this embedding model's vectors, or None."""
    return load_heads().get(model_version or "")


def score(vector, model_version: str | None) -> float | None:
    """The severity of a new issue from its embedding, or None when there is no head for the
    model that made it (or the vector is malformed)."""
    head = head_for(model_version)
    if head is None or vector is None:
        return None
    vector = np.asarray(vector, dtype=np.float32).reshape(-1)
    if vector.shape != head.weights.shape or not np.all(np.isfinite(vector)):
        return None
    return head.score(vector)
