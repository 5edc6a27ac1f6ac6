"""Make the shipped model's folder (embeddings.shipped) from a trained model: only the tensors
fine-tuning changed, as a delta over the packaged base, with a manifest and checksums.

The delta is stored in float16 when the vectors the materialised model gives agree with the
trained float32 model's to a cosine of at least FP16_MIN_COSINE on the corpus texts, else in
float32 (`choose_dtype` measures it).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from embeddings import shipped

FP16_MIN_COSINE = 0.9999
BASE_SKIP = (".gitattributes", "README.md")  # not model files: the version ignores them too


def changed_tensors(base_weights: Path, trained_weights: Path) -> dict:
    """The trained tensors that differ from the base's (names and shapes must match)."""
    from safetensors.torch import load_file

    base, trained = load_file(str(base_weights)), load_file(str(trained_weights))
    unknown = sorted(set(trained) - set(base))
    if unknown:
        raise ValueError(f"{trained_weights} has tensors the base lacks: {unknown[:5]}")
    return {key: value.contiguous() for key, value in sorted(trained.items())
            if not (base[key].shape == value.shape and bool((base[key] == value).all()))}


def base_digests(base: Path) -> dict[str, str]:
    """sha256 of every model file of the base directory (what the delta applies to)."""
    return {p.relative_to(base).as_posix(): shipped.sha256_file(p)
            for p in sorted(base.rglob("*"))
            if p.is_file() and p.name not in BASE_SKIP and not p.name.startswith(".")}


def write_delta(tensors: dict, path: Path, dtype) -> None:
    from safetensors.torch import save_file

    save_file({k: v.to(dtype).contiguous() for k, v in sorted(tensors.items())}, str(path),
              metadata={"format": "pt"})


def write_folder(folder: Path, tensors: dict, dtype, manifest: dict) -> shipped.Shipped:
    """Write delta, manifest and SHA256SUMS into `folder` (replacing what was there)."""
    folder.mkdir(parents=True, exist_ok=True)
    for stale in (shipped.DELTA, shipped.MANIFEST, shipped.SUMS):
        (folder / stale).unlink(missing_ok=True)
    write_delta(tensors, folder / shipped.DELTA, dtype)
    (folder / shipped.MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    sums = "".join(f"{shipped.sha256_file(folder / name)}  {name}\n"
                   for name in (shipped.DELTA, shipped.MANIFEST))
    (folder / shipped.SUMS).write_text(sums)
    shipped.load.cache_clear()
    return shipped.load(folder)


def min_cosine(a: np.ndarray, b: np.ndarray) -> float:
    a = a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-12)
    b = b / np.maximum(np.linalg.norm(b, axis=1, keepdims=True), 1e-12)
    return float((a * b).sum(axis=1).min())


def choose_dtype(tensors: dict, base: Path, trained_vectors: np.ndarray, texts: list[str],
                 encode_dir: Callable[[Path, list[str]], np.ndarray],
                 manifest: dict) -> tuple[str, float]:
    """("float16" | "float32", the worst cosine of the float16 model's vectors to the trained
    model's on `texts`)."""
    import torch

    with tempfile.TemporaryDirectory() as scratch:
        trial = write_folder(Path(scratch) / "delta", tensors, torch.float16, manifest)
        built = shipped.materialise(trial, base, Path(scratch) / "models")
        worst = min_cosine(encode_dir(built, texts), trained_vectors)
    return ("float16" if worst >= FP16_MIN_COSINE else "float32"), worst


def replace_folder(source: Path, target: Path) -> None:
    """Put a written folder in the shipped model's place."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)


def encode_with(model_dir: Path, texts: list[str]) -> np.ndarray:
    """Unit vectors of `texts` by the PyTorch model in `model_dir` on the CPU (the way training
    scores it)."""
    from django.conf import settings
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
    model.max_seq_length = min(model.max_seq_length or 128, settings.EMBEDDING_MAX_TOKENS or 128)
    return model.encode(texts, batch_size=settings.EMBEDDING_BATCH_SIZE,
                        normalize_embeddings=True, convert_to_numpy=True,
                        show_progress_bar=False).astype(np.float32)


def sample_texts(data, limit: int) -> list[str]:
    """Up to `limit` distinct eligible texts of a split, the same ones every time."""
    texts = sorted({t for t, ok in zip(data.texts, data.eligible, strict=True) if ok and t})
    step = max(1, len(texts) // max(limit, 1))
    return texts[::step][:limit]


def split_vectors(splits: dict, texts: list[str], vectors: np.ndarray) -> dict[str, np.ndarray]:
    """Each scored split's vectors from vectors of its distinct texts (zeros where an event has
    no text: it is not eligible for ML and never compared)."""
    index = {text: row for row, text in enumerate(texts)}
    zero = np.zeros(vectors.shape[1], dtype=np.float32)
    return {name: np.stack([vectors[index[t]] if t in index else zero for t in data.texts])
            for name, data in splits.items() if name != "train" and data.labels}


def scores(splits: dict, vectors: dict[str, np.ndarray], choices: dict) -> dict:
    """Every scored split under the given thresholds, key rules and conflict thresholds."""
    from training import evaluate

    return {name: evaluate.scores_dict(splits[name], vecs, choices["thresholds"],
                                       choices["key_rules"], choices["conflict_thresholds"])
            for name, vecs in vectors.items()}
