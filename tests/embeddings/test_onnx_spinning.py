"""ONNX Runtime's idle threads do not spin for work unless the installation says so
(settings.EMBEDDING_ONNX_SPINNING): beside ingest on shared cores the spinning took the CPU the
ML decision's database round trips wait for (docs/benchmarks.md)."""

import pytest

from embeddings.encoder import Encoder, current_spec

SPINNING = "session.intra_op.allow_spinning"


@pytest.fixture
def onnx_dir(settings, tmp_path):
    settings.EMBEDDING_ONNX_DIR = str(tmp_path)
    settings.EMBEDDING_BACKEND = "auto"
    return tmp_path


@pytest.mark.parametrize(("spinning", "entry"), [(False, "0"), (True, "1")])
def test_the_onnx_session_spins_only_where_the_setting_says(settings, onnx_dir, spinning, entry):
    settings.EMBEDDING_ONNX_SPINNING = spinning
    encoder = Encoder(current_spec(), device="cpu")
    assert encoder.backend == "onnx"
    options = encoder.onnx.session.get_session_options()
    assert options.get_session_config_entry(SPINNING) == entry
    assert encoder.encode(["ZeroDivisionError: division by zero"]).shape == (1, 384)
