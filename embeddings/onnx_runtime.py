"""The CPU fast path: the model's transformer exported once to ONNX and run by ONNX Runtime.

Why not sentence-transformers' own `backend="onnx"`: it needs `optimum`, whose releases pin
Transformers below 5 (installing it here would downgrade Transformers under
sentence-transformers and the training code). The export is PyTorch's own (`torch.onnx`, the
TorchScript exporter), the runtime is `onnxruntime`; what is written here is only the pooling
the model's own modules name (mean over tokens, then unit length), checked before use. Vectors
match the PyTorch path to a cosine of 0.9999999 (tests/embeddings/test_embeddings_onnx.py), so
thresholds chosen on one hold for the other.

The export is cached per model version (`EMBEDDING_ONNX_DIR/<version>.onnx`), written to a
temporary file and renamed, so concurrent workers never read half a file.
"""

from __future__ import annotations

import logging
import os
import tempfile
import warnings
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)
INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def export_path(version: str) -> Path:
    from django.conf import settings

    return Path(settings.EMBEDDING_ONNX_DIR) / f"{version}.onnx"


def remove(version: str) -> None:
    """Delete a model version's export: it is derived from the weights, so it holds whatever
    data they hold (training.staleness deletes both)."""
    export_path(version).unlink(missing_ok=True)


def available() -> bool:
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def supported(model) -> bool:
    """Transformer → mean pooling (→ Normalize): the shape this module reproduces."""
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer

    modules = list(model)
    if len(modules) < 2 or not isinstance(modules[0], Transformer):
        return False
    pooling = modules[1]
    if not isinstance(pooling, Pooling) or getattr(pooling, "pooling_mode", "mean") != "mean":
        return False
    return all(isinstance(m, Normalize) for m in modules[2:])


def export(model, target: Path) -> Path:
    """Write the model's transformer to `target` (ONNX, dynamic batch and sequence axes)."""
    import torch

    class Body(torch.nn.Module):
        def __init__(self, transformer):
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.transformer(input_ids=input_ids, attention_mask=attention_mask,
                                    token_type_ids=token_type_ids).last_hidden_state

    body = Body(model[0].auto_model).eval()
    sample = model.tokenizer(["an example", "another example text"], padding=True,
                             return_tensors="pt")
    names = [*INPUTS, "last_hidden_state"]
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, scratch = tempfile.mkstemp(suffix=".onnx", dir=target.parent)
    os.close(handle)
    try:
        with torch.no_grad(), warnings.catch_warnings():
            # tracing notes that the attention branches are fixed: right for an encoder
            warnings.simplefilter("ignore")
            torch.onnx.export(body, tuple(sample[name] for name in INPUTS), scratch,
                              input_names=list(INPUTS), output_names=["last_hidden_state"],
                              dynamic_axes={name: {0: "batch", 1: "tokens"} for name in names},
                              opset_version=17, dynamo=False)
        os.replace(scratch, target)
    finally:
        if os.path.exists(scratch):
            os.unlink(scratch)
    return target


class OnnxEncoder:
    """Embeds like `SentenceTransformer.encode(..., normalize_embeddings=True)`."""

    def __init__(self, model, path: Path, max_tokens: int, truncate_dim: int | None = None,
                 threads: int | None = None):
        import onnxruntime
        from django.conf import settings

        options = onnxruntime.SessionOptions()
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        if threads is None:
            import torch

            threads = torch.get_num_threads()  # OMP_NUM_THREADS, as the PyTorch path
        options.intra_op_num_threads = threads
        options.add_session_config_entry(  # settings.EMBEDDING_ONNX_SPINNING says why
            "session.intra_op.allow_spinning", "1" if settings.EMBEDDING_ONNX_SPINNING else "0")
        self.session = onnxruntime.InferenceSession(str(path), options,
                                                    providers=["CPUExecutionProvider"])
        self.tokenizer = model.tokenizer
        self.max_tokens = max_tokens
        self.truncate_dim = truncate_dim

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        order = np.argsort([len(text) for text in texts], kind="stable")  # less padding
        out: list[np.ndarray | None] = [None] * len(texts)
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            batch = self.tokenizer([texts[i] for i in chunk], padding=True, truncation=True,
                                   max_length=self.max_tokens, return_tensors="np")
            feeds = {name: batch[name].astype(np.int64) for name in INPUTS if name in batch}
            if "token_type_ids" not in feeds:
                feeds["token_type_ids"] = np.zeros_like(feeds["input_ids"])
            hidden = self.session.run(None, feeds)[0]
            mask = feeds["attention_mask"][..., None].astype(np.float32)
            vectors = (hidden * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
            if self.truncate_dim:
                vectors = vectors[:, : self.truncate_dim]
            vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
            for row, index in enumerate(chunk):
                out[index] = vectors[row]
        return np.stack(out).astype(np.float32, copy=False)


def load(model, version: str, max_tokens: int,
         truncate_dim: int | None = None) -> OnnxEncoder | None:
    """The ONNX encoder of a loaded SentenceTransformer, exporting it on first use; None when
    the runtime is missing or the model's shape is not one this module reproduces."""
    if not available() or not supported(model):
        return None
    target = export_path(version)
    try:
        if not target.exists():
            export(model, target)
        return OnnxEncoder(model, target, max_tokens, truncate_dim)
    except Exception:
        log.exception("ONNX export or load failed for %s; using PyTorch", version[:12])
        return None
