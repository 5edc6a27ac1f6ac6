"""The ONNX Runtime path embeds exactly as the PyTorch path (the thresholds were chosen on the
latter), exports once per model version, and steps aside for models it cannot reproduce."""

import numpy as np
import pytest

from embeddings import onnx_runtime
from embeddings.encoder import Encoder, current_spec

TEXTS = [
    "ZeroDivisionError: division by zero\n  average in shop.cart: return sum(self.items) / "
    "len(self.items)\n  checkout_view in shop.views",
    "KeyError: 'currency'\n  parse in billing.invoice: rate = data[\"currency\"]",
    "TypeError: Cannot read properties of undefined (reading 'id')\n  loadUser in app",
    "x",
    "wrapped by ServiceError: on_read_device failed\n" * 30,  # past the token limit
]


@pytest.fixture
def onnx_dir(settings, tmp_path):
    settings.EMBEDDING_ONNX_DIR = str(tmp_path)
    return tmp_path


def encoders(settings, truncate_dim=None):
    settings.EMBEDDING_BACKEND = "torch"
    torch_encoder = Encoder(current_spec(), device="cpu", truncate_dim=truncate_dim)
    settings.EMBEDDING_BACKEND = "auto"
    onnx_encoder = Encoder(current_spec(), device="cpu", truncate_dim=truncate_dim)
    return torch_encoder, onnx_encoder


@pytest.mark.parametrize("model", ["shipped", "stock"])
@pytest.mark.parametrize("truncate_dim", [None, 128])
def test_onnx_vectors_are_the_torch_vectors(settings, onnx_dir, truncate_dim, model):
    settings.EMBEDDING_MODEL = model  # the shipped model (the default) and the stock one
    torch_encoder, onnx_encoder = encoders(settings, truncate_dim)
    assert (torch_encoder.backend, onnx_encoder.backend) == ("torch", "onnx")
    expected, got = torch_encoder.encode(TEXTS), onnx_encoder.encode(TEXTS)
    assert got.shape == expected.shape == (len(TEXTS), truncate_dim or 384)
    assert got.dtype == np.float32
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    assert (got * expected).sum(axis=1).min() > 0.99999
    # order and batching do not change a text's vector
    again = onnx_encoder.encode(list(reversed(TEXTS)))[::-1]
    assert np.allclose(again, got, atol=1e-5)


def test_the_export_is_written_once_per_model_version(settings, onnx_dir):
    encoders(settings)
    version = current_spec().version
    exported = sorted(onnx_dir.iterdir())  # the export and its serving facts, no temp files
    assert [p.name for p in exported] == [f"{version}.json", f"{version}.onnx"]
    written = [p.stat().st_mtime_ns for p in exported]
    Encoder(current_spec(), device="cpu")
    assert [p.stat().st_mtime_ns for p in exported] == written


def test_a_model_of_another_shape_stays_on_torch(settings, onnx_dir):
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Pooling, Transformer

    transformer = Transformer(current_spec().path)
    cls = SentenceTransformer(modules=[transformer, Pooling(384, pooling_mode="cls")],
                              device="cpu")
    assert not onnx_runtime.supported(cls)
    assert onnx_runtime.prepare(cls, "cls-pooled") is False  # not servable: no export
    assert [p.name for p in onnx_dir.iterdir()] == ["cls-pooled.json"]  # only its facts


def test_a_model_version_changes_with_any_byte_of_the_weights(tmp_path):
    """Fine-tuning changes the top layers only, which lie past the first MiB of the weights
    file; two models trained from one base must still be two versions (and two exports)."""
    from embeddings.encoder import model_version

    weights = bytearray(b"\x01" * (3 << 20))
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "model.safetensors").write_bytes(weights)
    before = model_version(str(tmp_path))
    weights[-1] = 2
    (tmp_path / "model.safetensors").write_bytes(weights)
    assert model_version(str(tmp_path)) != before
    weights[-1] = 1
    (tmp_path / "model.safetensors").write_bytes(weights)
    assert model_version(str(tmp_path)) == before  # the same bytes, the same version
