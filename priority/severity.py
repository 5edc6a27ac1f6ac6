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

HEAD_PATH = Path(__file__).with_name("severity_head.json")


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


@functools.lru_cache(maxsize=2)
def load_head(path: str = str(HEAD_PATH)) -> Head | None:
    try:
        spec = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None
    return Head(model_version=spec["model_version"],
                weights=np.asarray(spec["weights"], dtype=np.float32),
                bias=float(spec["bias"]), threshold=float(spec["threshold"]),
                trained_on=spec.get("trained_on", ""))


def head_for(model_version: str | None) -> Head | None:
    """The head trained on this embedding model's vectors, or None."""
    head = load_head()
    if head is None or not model_version or head.model_version != model_version:
        return None
    return head


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
