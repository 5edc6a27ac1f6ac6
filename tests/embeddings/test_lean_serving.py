"""On CPU the model is served by ONNX Runtime and HF `tokenizers` alone: a process that embeds
imports neither PyTorch nor sentence-transformers nor Transformers (their ~480 MB are most of an
embeddings worker's memory), the export of a new model version runs in a child process, and the
vectors are the PyTorch path's: the same tokens, cosine ≥ 0.9999999."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from embeddings import onnx_runtime
from embeddings.encoder import Encoder, ModelSpec, cuda_possible, current_spec

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("torch", "sentence_transformers", "transformers")

TEXTS = [
    "ZeroDivisionError: division by zero\n  average in shop.cart: return sum(self.items) / "
    "len(self.items)\n  checkout_view in shop.views",
    "KeyError: 'currency'\n  parse in billing.invoice: rate = data[\"currency\"]",
    "wrapped by ServiceError: on_read_device failed\n" * 40,  # far past the token limit
    "TypeError: Cannot read properties of undefined (reading 'id')\n  loadUser in app.js:12:4",
    "UnicodeDecodeError: 'utf-8' codec can't decode byte 0xe9: Café Ünïcödé ß ø å",
    "ValueError: 数据库连接失败 (接続エラー) — データ; 서버 오류 🚨🔥 ЗапросОтклонён",
    "RuntimeError: \u200bzero\u200dwidth\u00a0nbsp\ttab\r\nCRLF \x00nul \x1bescape",
    "",
    " ",
    "\n\t \n",
    "x",
    "İSTANBUL ǅemal ﬁle ①②③ Ⅻ",  # case folding and compatibility forms
    "a" * 3000,  # one unbroken word, longer than any limit
]


@pytest.fixture
def onnx_dir(settings, tmp_path):
    settings.EMBEDDING_ONNX_DIR = str(tmp_path)
    settings.EMBEDDING_BACKEND = "auto"
    return tmp_path


def run_python(code: str, drop: tuple[str, ...] = (), **env: str) -> str:
    """`code` in a fresh interpreter with Django set up, `env` added and `drop` removed from
    this environment; returns the last line it prints."""
    prelude = ("import django, json, os, sys\n"
               "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'faultline.settings')\n"
               "django.setup()\n")
    environment = {k: v for k, v in os.environ.items() if k not in drop} | env
    done = subprocess.run([sys.executable, "-c", prelude + code], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def resaved(tmp_path_factory) -> str:
    """The stock model saved by this sentence-transformers (6: its own file layout, the token
    limit in tokenizer_config.json), as training saves the models it trains."""
    from sentence_transformers import SentenceTransformer

    from embeddings.encoder import default_model_path

    folder = tmp_path_factory.mktemp("resaved")
    SentenceTransformer(default_model_path(), device="cpu", local_files_only=True).save(
        str(folder))
    return str(folder)


@pytest.mark.parametrize("model", ["shipped", "stock", "resaved"])
@pytest.mark.parametrize("max_tokens", [128, 16])
def test_the_tokens_are_the_hf_fast_tokenizers(settings, onnx_dir, model, max_tokens, request):
    """input_ids, attention_mask and token_type_ids equal the HF tokenizer's, as
    sentence-transformers calls it (padding to the longest, truncation to the limit)."""
    from lab.generate.devset.generate import generate
    from training.metrics import prepare

    if model == "resaved":
        settings.EMBEDDING_MODEL_PATH = request.getfixturevalue("resaved")
    else:
        settings.EMBEDDING_MODEL = model
    settings.EMBEDDING_MAX_TOKENS = max_tokens
    encoder = Encoder(current_spec(), device="cpu")
    assert encoder.backend == "onnx" and encoder._model is None  # nothing loaded in PyTorch
    assert encoder.max_tokens == max_tokens
    texts = TEXTS + prepare(generate()).texts[:300]
    hf = encoder.model.tokenizer  # the SentenceTransformer, loaded now for the comparison
    assert encoder.model.max_seq_length == max_tokens
    for start in range(0, len(texts), 16):
        batch = texts[start : start + 16]
        expected = hf(batch, padding=True, truncation=True, max_length=max_tokens,
                      return_tensors="np")
        got = encoder.onnx.tokenize(batch)
        for name in onnx_runtime.INPUTS:
            assert got[name].dtype == np.int64
            assert np.array_equal(got[name], expected[name]), (name, batch)
    assert max(encoder.onnx.tokenize(texts)["attention_mask"].sum(axis=1)) == max_tokens


@pytest.mark.parametrize("model", ["shipped", "stock"])
@pytest.mark.parametrize("truncate_dim", [None, 128])
def test_the_lean_vectors_are_the_pytorch_vectors(settings, onnx_dir, model, truncate_dim):
    settings.EMBEDDING_MODEL = model
    lean = Encoder(current_spec(), device="cpu", truncate_dim=truncate_dim)
    settings.EMBEDDING_BACKEND = "torch"
    torch_path = Encoder(current_spec(), device="cpu", truncate_dim=truncate_dim)
    assert (lean.backend, torch_path.backend) == ("onnx", "torch")
    assert lean.dimension == torch_path.dimension == (truncate_dim or 384)
    got, expected = lean.encode(TEXTS), torch_path.encode(TEXTS)
    assert got.shape == expected.shape == (len(TEXTS), truncate_dim or 384)
    assert got.dtype == np.float32
    cosine = (got.astype(np.float64) * expected.astype(np.float64)).sum(axis=1)
    cosine /= np.linalg.norm(got, axis=1) * np.linalg.norm(expected, axis=1)
    assert cosine.min() >= 0.9999999, cosine.min()


def test_an_embedding_process_imports_no_pytorch_not_even_for_the_first_export(onnx_dir):
    """A fresh process embeds through the configured model's encoder with no export there yet:
    the export runs in a child; this process never imports PyTorch, sentence-transformers or
    Transformers, then or when the export is there."""
    code = ("from embeddings.encoder import get_encoder\n"
            "vectors = get_encoder().encode(['KeyError: x', 'ValueError: y' * 200])\n"
            "print(json.dumps({'backend': get_encoder().backend, 'shape': vectors.shape,"
            " 'heavy': sorted(m for m in sys.modules if m.split('.')[0] in "
            f"{HEAVY!r})}}))")
    for _ in ("first use: exported in a child", "the export is there"):
        seen = json.loads(run_python(code, EMBEDDING_ONNX_DIR=str(onnx_dir),
                                     EMBEDDING_DEVICE="auto"))
        assert seen == {"backend": "onnx", "shape": [2, 384], "heavy": []}
        version = current_spec().version
        assert sorted(p.name for p in onnx_dir.iterdir()) == [f"{version}.json",
                                                               f"{version}.onnx"]


def test_a_model_of_another_shape_is_recorded_once_and_served_by_pytorch(settings, onnx_dir,
                                                                         tmp_path_factory):
    """A CLS-pooled model is not reproduced: the exporter says so in the serving facts (no
    ONNX file), and the next encoder reads that instead of starting another export."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Pooling, Transformer

    folder = tmp_path_factory.mktemp("cls-model")
    SentenceTransformer(modules=[Transformer(current_spec().path),
                                 Pooling(384, pooling_mode="cls")], device="cpu").save(str(folder))
    spec = ModelSpec(name="cls", path=str(folder), version="cls-pooled")
    encoder = Encoder(spec, device="cpu")
    assert encoder.backend == "torch" and encoder.encode(["KeyError: x"]).shape == (1, 384)
    facts = json.loads((onnx_dir / "cls-pooled.json").read_text())
    assert facts["supported"] is False and not (onnx_dir / "cls-pooled.onnx").exists()
    written = (onnx_dir / "cls-pooled.json").stat().st_mtime_ns
    assert Encoder(spec, device="cpu").backend == "torch"
    assert (onnx_dir / "cls-pooled.json").stat().st_mtime_ns == written


def test_an_export_from_before_the_serving_facts_is_completed(settings, onnx_dir):
    """An ONNX file without its serving facts (written by an older release) is not served
    as is: the facts are written beside it, the file kept."""
    Encoder(current_spec(), device="cpu")
    version = current_spec().version
    onnx_file, facts = onnx_dir / f"{version}.onnx", onnx_dir / f"{version}.json"
    facts.unlink()
    written = onnx_file.stat().st_mtime_ns
    assert Encoder(current_spec(), device="cpu").backend == "onnx"
    assert facts.is_file() and onnx_file.stat().st_mtime_ns == written
    onnx_runtime.remove(version)
    assert list(onnx_dir.iterdir()) == []


@pytest.mark.parametrize(("env", "cpus"), [
    ({}, None), ({"OMP_NUM_THREADS": "1"}, None), ({"OMP_NUM_THREADS": "64"}, None),
    ({"OMP_NUM_THREADS": "2", "MKL_NUM_THREADS": "1"}, None), ({}, {0}),
    ({"OMP_NUM_THREADS": "64"}, {0}),
])
def test_the_thread_count_is_pytorchs_without_importing_it(env, cpus):
    code = (f"os.sched_setaffinity(0, {cpus!r})\n" if cpus else "") + (
        "from embeddings.onnx_runtime import intra_op_threads\n"
        "ours = intra_op_threads()\n"
        "assert 'torch' not in sys.modules\n"
        "import torch\n"
        "print(json.dumps([ours, torch.get_num_threads()]))")
    ours, theirs = json.loads(run_python(code, drop=("OMP_NUM_THREADS", "MKL_NUM_THREADS"),
                                         **env))
    assert ours == theirs


def test_cuda_is_asked_of_pytorch_only_where_a_gpu_driver_is_visible(tmp_path, monkeypatch):
    driver = tmp_path / "nvidiactl"
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    assert not cuda_possible((str(driver),))
    driver.touch()
    assert cuda_possible((str(driver),))
    for hidden in ("", "-1"):
        monkeypatch.setenv("CUDA_VISIBLE_DEVICES", hidden)
        assert not cuda_possible((str(driver),))


def test_auto_device_on_a_machine_without_a_gpu_imports_no_pytorch():
    code = ("from embeddings.encoder import cuda_possible, pick_device\n"
            "print(json.dumps([cuda_possible(), pick_device(), 'torch' in sys.modules]))")
    possible, device, imported = json.loads(run_python(code, EMBEDDING_DEVICE="auto"))
    if possible:
        pytest.skip("a GPU driver is visible here: PyTorch is asked, as it should be")
    assert (device, imported) == ("cpu", False)


def test_the_shipped_model_is_written_out_without_pytorch_to_the_same_bytes(tmp_path):
    """A process writing out the shipped model (its first use on a machine) need not import
    PyTorch: through numpy, the weights file is byte for byte what PyTorch wrote."""
    import hashlib

    from safetensors import safe_open
    from safetensors.torch import load_file, save_file

    from embeddings import shipped
    from embeddings.encoder import default_model_path

    code = ("from embeddings.encoder import shipped_spec\n"
            "path = shipped_spec().path\n"
            "print(json.dumps([path, 'torch' in sys.modules]))")
    path, imported = json.loads(run_python(code, FAULTLINE_SHIPPED_MODEL_DIR=str(tmp_path)))
    assert Path(path).parent == tmp_path and not imported
    info, base = shipped.load(), Path(default_model_path())
    tensors = load_file(str(base / shipped.WEIGHTS))
    for key, value in load_file(str(info.folder / shipped.DELTA)).items():
        tensors[key] = value.to(tensors[key].dtype).contiguous()
    with safe_open(str(base / shipped.WEIGHTS), "pt") as handle:
        metadata = handle.metadata()
    save_file(tensors, str(tmp_path / "torch.safetensors"), metadata=metadata)
    digest = [hashlib.sha256(p.read_bytes()).hexdigest()
              for p in (Path(path) / shipped.WEIGHTS, tmp_path / "torch.safetensors")]
    assert digest[0] == digest[1]
