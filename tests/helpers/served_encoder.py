"""The configured (served) model's encoder on CPU, and the cosine distance it puts between two
texts: for tests that check a text shape against a served threshold."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from embeddings.encoder import Encoder, current_spec


def served_encode() -> Callable[[list[str]], np.ndarray]:
    encoder = Encoder(current_spec(), device="cpu")
    return lambda texts: np.asarray(encoder.encode(texts))


def distance(encode: Callable[[list[str]], np.ndarray], a: str, b: str) -> float:
    first, second = encode([a, b])
    return float(1.0 - np.dot(first, second) / (np.linalg.norm(first) * np.linalg.norm(second)))
