"""The CPU fast path: the model's transformer exported once to ONNX and run by ONNX Runtime,
tokenized by HF `tokenizers` (the Rust tokenizer the HF fast tokenizer wraps): the serving
process imports neither PyTorch nor sentence-transformers nor Transformers.

Why: those imports are ~480 MB of a worker's resident memory (274 MB after `import torch`, 569
after `import sentence_transformers`), and serving on CPU needs none of them. Only the export
does: it loads the model with sentence-transformers, writes `EMBEDDING_ONNX_DIR/<version>.onnx`
(PyTorch's own TorchScript exporter) and then `<version>.json`, the serving facts read off the
loaded model: the tokenizer exactly as sentence-transformers configured it (its
`backend_tokenizer`, e.g. with the lowercasing a `do_lower_case` model adds), its padding,
`max_seq_length` and dimension. Recorded from the loaded model rather than re-derived from the
model directory's files (whose layout differs between sentence-transformers 2 and 6), the
tokens are the HF tokenizer's by construction. `<version>.json` is written last: a version is
servable when it exists.

The export runs in a short-lived subprocess (`python -m embeddings.onnx_runtime`), so a
long-lived worker never imports PyTorch, not on the first use of a model version either (a
newly promoted model; embeddings.readiness exports the served ones as a worker starts); it
falls back to exporting in-process when the subprocess fails.

Why not sentence-transformers' own `backend="onnx"`: it needs `optimum`, whose releases pin
Transformers below 5. What is written here is only the pooling the model's own modules name
(mean over tokens, then unit length), checked at export. Vectors match the PyTorch path to a
cosine of 0.9999999 (tests/embeddings/test_embeddings_onnx.py, test_lean_serving.py), so
thresholds chosen on one hold for the other. Files are written to a temporary name and
renamed, so concurrent workers never read half a file.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
SERVING_FORMAT = 1
EXPORT_TIMEOUT = 1800  # seconds; a loaded 2-core machine exports in about half a minute
UNSUPPORTED = 3  # the exporter's exit status for a model of another shape


def export_path(version: str, root: str | Path | None = None) -> Path:
    if root is None:
        from django.conf import settings

        root = settings.EMBEDDING_ONNX_DIR
    return Path(root) / f"{version}.onnx"


def serving_path(version: str, root: str | Path | None = None) -> Path:
    return export_path(version, root).with_suffix(".json")


def remove(version: str) -> None:
    """Delete a model version's export: it is derived from the weights, so it holds whatever
    data they hold (training.staleness deletes both)."""
    serving_path(version).unlink(missing_ok=True)
    export_path(version).unlink(missing_ok=True)


def available() -> bool:
    try:
        import onnxruntime  # noqa: F401
        import tokenizers  # noqa: F401
    except ImportError:
        return False
    return True


def intra_op_threads() -> int:
    """The thread count PyTorch's CPU path uses (torch.get_num_threads()), without importing
    it: MKL_NUM_THREADS, else OMP_NUM_THREADS, at most the machine's CPUs; unset, the CPUs this
    process may run on, at most the physical cores (tests/embeddings/test_lean_serving.py)."""
    cpus = os.cpu_count() or 1
    for name in ("MKL_NUM_THREADS", "OMP_NUM_THREADS"):
        value = os.environ.get(name, "").strip()
        if value.isdigit() and int(value) > 0:
            return min(int(value), cpus)
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cpus
    return min(usable, physical_cores() or usable)


def physical_cores(root: Path = Path("/sys/devices/system/cpu")) -> int:
    """Distinct cores (hyperthread siblings counted once) in sysfs; 0 where it is not there."""
    siblings = set()
    for topology in root.glob("cpu[0-9]*/topology/thread_siblings_list"):
        try:
            siblings.add(topology.read_text().strip())
        except OSError:
            continue
    return len(siblings)


# --- the export (PyTorch and sentence-transformers: the exporter process only) -------------


def supported(model) -> bool:
    """Transformer → mean pooling (→ Normalize): the shape this module reproduces."""
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer

    modules = list(model)
    if len(modules) < 2 or not isinstance(modules[0], Transformer):
        return False
    pooling = modules[1]
    if not isinstance(pooling, Pooling) or getattr(pooling, "pooling_mode", "mean") != "mean":
        return False
    if getattr(model, "default_prompt_name", None):
        return False  # encode() would prepend a prompt
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


def serving_facts(model) -> dict:
    """What serving needs of a loaded SentenceTransformer, as plain JSON; `supported` False for
    a model this module does not reproduce."""
    if not supported(model):
        return {"format": SERVING_FORMAT, "supported": False}
    tokenizer = model.tokenizer
    dimension = (getattr(model, "get_embedding_dimension", None)
                 or model.get_sentence_embedding_dimension)()
    return {
        "format": SERVING_FORMAT,
        "supported": True,
        "max_seq_length": model.max_seq_length,
        "dimension": int(dimension),
        "tokenizer": tokenizer.backend_tokenizer.to_str(),
        "pad_id": tokenizer.pad_token_id,
        "pad_token": tokenizer.pad_token,
        "pad_type_id": getattr(tokenizer, "pad_token_type_id", 0),
        "padding_side": tokenizer.padding_side,
        "truncation_side": tokenizer.truncation_side,
    }


def write_atomically(target: Path, text: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, scratch = tempfile.mkstemp(suffix=target.suffix, dir=target.parent)
    try:
        with os.fdopen(handle, "w") as out:
            out.write(text)
        os.replace(scratch, target)
    finally:
        if os.path.exists(scratch):
            os.unlink(scratch)


def prepare(model, version: str, root: str | Path | None = None) -> bool:
    """Export a loaded model (if its ONNX file is missing) and write its serving facts last;
    True when it is servable here."""
    facts = serving_facts(model)
    if facts["supported"] and not export_path(version, root).exists():
        export(model, export_path(version, root))
    write_atomically(serving_path(version, root), json.dumps(facts))
    return facts["supported"]


def export_in_subprocess(model_path: str, version: str, root: str | Path | None = None) -> bool:
    """Run the export in a child process (PyTorch is imported there, and its memory returned
    when it exits); True when the version is servable. Raises when the child fails."""
    root = export_path(version, root).parent
    done = subprocess.run(
        [sys.executable, "-m", "embeddings.onnx_runtime", model_path, version, str(root)],
        env=dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1"),
        cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True,
        timeout=EXPORT_TIMEOUT)
    if done.returncode not in (0, UNSUPPORTED):
        raise RuntimeError(f"ONNX export of {version[:12]} failed ({done.returncode}): "
                           f"{done.stderr[-2000:]}")
    return done.returncode == 0


def main(argv: list[str]) -> int:
    """`python -m embeddings.onnx_runtime MODEL_DIR VERSION ONNX_DIR`: export (no Django)."""
    from sentence_transformers import SentenceTransformer

    model_path, version, root = argv
    model = SentenceTransformer(model_path, device="cpu", local_files_only=True)
    return 0 if prepare(model, version, root) else UNSUPPORTED


# --- serving (onnxruntime, tokenizers and numpy only) ---------------------------------------


def read_serving(version: str) -> dict | None:
    """A version's serving facts when its export is complete here; None when it is not."""
    try:
        facts = json.loads(serving_path(version).read_text())
    except (OSError, ValueError):
        return None
    if facts.get("format") != SERVING_FORMAT:
        return None
    if facts.get("supported") and not export_path(version).exists():
        return None
    return facts


class OnnxEncoder:
    """Embeds like `SentenceTransformer.encode(..., normalize_embeddings=True)`."""

    def __init__(self, facts: dict, path: Path, max_tokens: int,
                 truncate_dim: int | None = None, threads: int | None = None):
        import onnxruntime
        from django.conf import settings
        from tokenizers import Tokenizer

        options = onnxruntime.SessionOptions()
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.intra_op_num_threads = threads or intra_op_threads()
        options.add_session_config_entry(  # settings.EMBEDDING_ONNX_SPINNING says why
            "session.intra_op.allow_spinning", "1" if settings.EMBEDDING_ONNX_SPINNING else "0")
        self.session = onnxruntime.InferenceSession(str(path), options,
                                                    providers=["CPUExecutionProvider"])
        self.facts = facts
        self.tokenizer = Tokenizer.from_str(facts["tokenizer"])
        self.tokenizer.enable_padding(direction=facts["padding_side"], pad_id=facts["pad_id"],
                                      pad_type_id=facts["pad_type_id"],
                                      pad_token=facts["pad_token"])
        self.max_tokens = max_tokens
        self.truncate_dim = truncate_dim
        self.dimension = min(facts["dimension"], truncate_dim or facts["dimension"])

    @property
    def max_tokens(self) -> int:
        return self._max_tokens

    @max_tokens.setter
    def max_tokens(self, value: int) -> None:
        """Truncation as the HF tokenizer's `truncation=True, max_length=value`."""
        self._max_tokens = value
        self.tokenizer.enable_truncation(value, strategy="longest_first",
                                         direction=self.facts["truncation_side"])

    def tokenize(self, texts: list[str]) -> dict[str, np.ndarray]:
        """input_ids, attention_mask, token_type_ids (int64), padded to the longest text."""
        encodings = self.tokenizer.encode_batch(texts)
        return {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }

    def token_counts(self, texts: list[str]) -> list[int]:
        """Tokens of each text before truncation (special tokens included)."""
        from tokenizers import Tokenizer

        counting = Tokenizer.from_str(self.facts["tokenizer"])
        counting.no_truncation()
        counting.no_padding()
        return [len(encoding.ids) for encoding in counting.encode_batch(texts)]

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        order = np.argsort([len(text) for text in texts], kind="stable")  # less padding
        out: list[np.ndarray | None] = [None] * len(texts)
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            feeds = self.tokenize([texts[i] for i in chunk])
            hidden = self.session.run(None, feeds)[0]
            mask = feeds["attention_mask"][..., None].astype(np.float32)
            vectors = (hidden * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
            if self.truncate_dim:
                vectors = vectors[:, : self.truncate_dim]
            vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
            for row, index in enumerate(chunk):
                out[index] = vectors[row]
        return np.stack(out).astype(np.float32, copy=False)


def serve(model_path: str, version: str, max_seq_length: int | None,
          truncate_dim: int | None = None) -> OnnxEncoder | None:
    """The ONNX encoder of a model directory, exported in a subprocess on first use; None when
    the runtime is missing, the model is of another shape, or the export failed (the caller
    then loads the model in PyTorch). `max_seq_length` caps the model's own."""
    if not available():
        return None
    facts = read_serving(version)
    if facts is None:
        try:
            export_in_subprocess(model_path, version)
        except Exception:
            log.exception("ONNX export failed for %s; using PyTorch", version[:12])
            return None
        facts = read_serving(version)
    if not facts or not facts["supported"]:
        return None
    own = facts["max_seq_length"]
    max_tokens = min(own or max_seq_length, max_seq_length) if max_seq_length else own
    if not max_tokens:
        return None  # no limit known: the HF tokenizer's own default decides; PyTorch it is
    return OnnxEncoder(facts, export_path(version), max_tokens, truncate_dim)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
