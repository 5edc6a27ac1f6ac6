"""The grouping model that ships with Faultline: fine-tuned layers as a delta over the packaged
base model (all-MiniLM-L6-v2), trained on the public corpus only (docs/training.md, "The shipped
model").

Its folder (`SHIPPED_DIR`) holds `delta.safetensors` (only the tensors fine-tuning changed),
`manifest.json` (base model and the sha256 of each base file the delta applies to,
hyperparameters, data hash, corpus, the chosen thresholds, key rules and conflict thresholds,
metrics) and `SHA256SUMS` (`sha256sum -c` reads it). `materialise` checks every checksum, then
writes base + delta once to `FAULTLINE_SHIPPED_MODEL_DIR/<name>-<version>/`: built in a
temporary directory beside it and renamed into place, so a process sees the whole model or none,
and two processes starting at once both end with the one directory.

Its version is a digest of the delta's and the manifest's bytes (which name the base files'
digests), known without building anything: web processes name it without writing a file.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SHIPPED_DIR = Path(__file__).resolve().parent / "faultline-grouping"
DELTA = "delta.safetensors"
MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
WEIGHTS = "model.safetensors"
COMPLETE = ".complete"  # written last inside the temporary directory, before the rename


class ShippedModelError(RuntimeError):
    """The shipped model cannot be used: a checksum or the base model does not match."""


@dataclass(frozen=True)
class Shipped:
    name: str
    version: str
    folder: Path
    manifest: dict

    @property
    def dimension(self) -> int:
        return int(self.manifest["dimension"])

    @property
    def choices(self) -> dict:
        """The thresholds, key rules and conflict thresholds it decides with."""
        return self.manifest["choices"]


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def version_of(delta_sha256: str, manifest_bytes: bytes) -> str:
    """The registry version: the delta's digest and the manifest's bytes (base digests,
    choices) together."""
    return hashlib.sha256(delta_sha256.encode() + b"\n" + manifest_bytes).hexdigest()


def read_sums(folder: Path) -> dict[str, str]:
    sums = {}
    for line in (folder / SUMS).read_text().splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            sums[name.lstrip("*")] = digest
    return sums


def verify(folder: Path) -> None:
    """Every file SHA256SUMS lists has its digest; the delta and the manifest are listed."""
    try:
        sums = read_sums(folder)
    except (OSError, ValueError) as exc:
        raise ShippedModelError(f"{folder}/{SUMS} is missing or unreadable ({exc})") from exc
    missing = {DELTA, MANIFEST} - sums.keys()
    if missing:
        raise ShippedModelError(f"{folder}/{SUMS} does not list {sorted(missing)}")
    for name, digest in sorted(sums.items()):
        path = folder / name
        if not path.is_file() or sha256_file(path) != digest:
            raise ShippedModelError(f"{path}: checksum mismatch (expected {digest})")


@functools.lru_cache(maxsize=4)
def load(folder: Path = SHIPPED_DIR) -> Shipped:
    """The shipped model's identity, its checksums verified (once per process and folder)."""
    verify(folder)
    raw = (folder / MANIFEST).read_bytes()
    manifest = json.loads(raw)
    version = version_of(read_sums(folder)[DELTA], raw)
    return Shipped(name=manifest["name"], version=version, folder=folder, manifest=manifest)


def available(folder: Path = SHIPPED_DIR) -> bool:
    return (folder / SUMS).is_file()


def target_dir(shipped: Shipped, root: Path) -> Path:
    return Path(root) / f"{shipped.name}-{shipped.version}"


def check_base(shipped: Shipped, base: Path) -> None:
    """The base directory holds the very files the delta was made against."""
    for name, digest in sorted(shipped.manifest["base_model"]["sha256"].items()):
        path = Path(base) / name
        if not path.is_file() or sha256_file(path) != digest:
            raise ShippedModelError(
                f"the base model at {base} is not the one {shipped.name} was made from "
                f"({name} differs): install the packaged {shipped.manifest['base_model']['name']}"
                f" or choose EMBEDDING_MODEL=stock")


def materialise(shipped: Shipped, base: Path, root: Path) -> Path:
    """`root/<name>-<version>/`: the base model with the delta's tensors, written once.
    Idempotent; refuses a wrong checksum or base (ShippedModelError)."""
    target = target_dir(shipped, root)
    if (target / COMPLETE).is_file():
        return target
    check_base(shipped, base)
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        build(shipped, Path(base), scratch)
        (scratch / COMPLETE).write_text(shipped.version + "\n")
        try:
            os.rename(scratch, target)
        except OSError:
            if not (target / COMPLETE).is_file():  # not another process's finished copy
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target


def build(shipped: Shipped, base: Path, out: Path) -> None:
    """Copy the base model's files to `out` with the delta applied to its weights (each delta
    tensor cast to the base tensor's dtype), and the manifest beside them. Through numpy, not
    PyTorch: the process that writes it out (a web process, an embeddings worker) need not
    import PyTorch for it; the bytes are the same (tests/embeddings/test_lean_serving.py)."""
    from safetensors import safe_open
    from safetensors.numpy import load_file, save_file

    for source in sorted(p for p in base.rglob("*") if p.is_file()):
        relative = source.relative_to(base)
        if relative.as_posix() == WEIGHTS or relative.name.startswith("."):
            continue
        (out / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, out / relative)
    tensors = load_file(str(base / WEIGHTS))
    with safe_open(str(base / WEIGHTS), "np") as handle:
        metadata = handle.metadata()
    delta = load_file(str(shipped.folder / DELTA))
    for key, value in delta.items():
        if key not in tensors or tensors[key].shape != value.shape:
            raise ShippedModelError(f"{DELTA}: {key} does not fit the base model")
        tensors[key] = np.ascontiguousarray(value.astype(tensors[key].dtype))
    save_file(tensors, str(out / WEIGHTS), metadata=metadata)
    shutil.copyfile(shipped.folder / MANIFEST, out / MANIFEST)
