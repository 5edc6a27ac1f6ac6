"""The severity score: a logistic head over the embedding the grouping worker already computed
for a new fingerprint (no model is loaded here, only a vector of weights).

A head belongs to one embedding model, named by its digest: a vector of any other model (a
fine-tuned one, another base) has no score, and the issue keeps its rule-based priority. The
head served for a model is one lookup (`head_for`): a head learned from consenting
organisations' triage once an admin or the retrain promoted it (priority.learn), else the
committed default (`severity_head*.json`, trained by `lab/priority/train_severity.py` on
generated public data only; docs/priority.md says what).
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


def same_vectors_as(path: str | Path) -> list[str]:
    """The other versions a head file serves: versions of its model whose vectors are the same
    (a shipped model's manifest whose rules changed, not its delta, is a new version)."""
    try:
        return [str(v) for v in json.loads(Path(path).read_text()).get("same_vectors_as", [])]
    except (OSError, ValueError, AttributeError):
        return []


@functools.lru_cache(maxsize=4)
def load_heads(folder: str = str(HEAD_DIR)) -> dict[str, Head]:
    """Every committed head by the version of the embedding model it was trained on (the stock
    model's and the shipped model's), and by the versions with the same vectors."""
    heads: dict[str, Head] = {}
    for path in sorted(Path(folder).glob("severity_head*.json")):
        if (head := load_head(path)) is not None:
            for version in [head.model_version, *same_vectors_as(path)]:
                heads[version] = head
    return heads


def default_head_for(model_version: str | None) -> Head | None:
    """The committed head trained on this embedding model's vectors, or None."""
    return load_heads().get(model_version or "")


def head_for(model_version: str | None) -> Head | None:
    """The head served for this embedding model: the promoted learned one, else the default."""
    from priority.models import SeverityHead

    learned = (SeverityHead.objects.filter(embedding_version=model_version or "",
                                           state=SeverityHead.State.SERVED, stale=False)
               .values_list("pk", flat=True).first())
    return learned_head(learned) if learned is not None else default_head_for(model_version)


@functools.lru_cache(maxsize=8)
def learned_head(pk: int) -> Head | None:
    """A learned head's weights (a row's weights never change; a stale row stops serving)."""
    from priority.models import SeverityHead

    row = SeverityHead.objects.filter(pk=pk).first()
    if row is None or not row.weights:
        return None
    return Head(model_version=row.embedding_version,
                weights=np.asarray(row.weights, dtype=np.float32), bias=row.bias,
                threshold=row.threshold, trained_on=row.manifest.get("trained_on", ""))


def score(vector, model_version: str | None, head: Head | None = None) -> float | None:
    """The severity of a new issue from its embedding, or None when there is no head for the
    model that made it (or the vector is malformed). `head`: this one rather than the served
    one (benches, shadow measurements)."""
    head = head or head_for(model_version)
    if head is None or vector is None or head.model_version != (model_version or ""):
        return None
    vector = np.asarray(vector, dtype=np.float32).reshape(-1)
    if vector.shape != head.weights.shape or not np.all(np.isfinite(vector)):
        return None
    return head.score(vector)
