"""The real Celery embeddings worker decides new fingerprints without PyTorch in its process
tree: started with no export there yet (as compose and Helm start it), it makes the export as it
starts, before any event, in a child that exits; its processes never map libtorch and the tree
stays under 1 GiB resident. `prepare_embeddings` (run by `make run` before the workers) leaves
the export ready too."""

from __future__ import annotations

from pathlib import Path

import psutil
import pytest
from django.core.management import call_command

from embeddings.encoder import current_spec
from grouping import ml
from monitor.models import GroupHash
from tests.conftest import start_worker, wait_for
from tests.helpers.events import B, event, ingest

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
GIB = 1 << 30


def mapped(pid: int, fragment: str) -> bool:
    """Whether a shared library whose path holds `fragment` is mapped into the process."""
    return fragment in Path(f"/proc/{pid}/maps").read_text()


def tree(pid: int) -> list[psutil.Process]:
    root = psutil.Process(pid)
    return [root, *root.children(recursive=True)]


def test_the_embeddings_worker_serves_without_pytorch(project, live_env, redis_client,
                                                      tmp_path, settings):
    redis_client.delete(ml.BREAKER_KEY)
    settings.EMBEDDING_ONNX_DIR = str(tmp_path / "onnx")
    env = dict(live_env, EMBEDDING_ONNX_DIR=str(tmp_path / "onnx"), EMBEDDING_DEVICE="auto",
               EMBEDDING_BACKEND="auto")
    version = current_spec().version
    worker = start_worker(env, "lean-embedder", concurrency=1, queues="embeddings")
    try:
        facts = tmp_path / "onnx" / f"{version}.json"
        wait_for(facts.is_file, timeout=300, message="the export, made as the worker starts")
        ingest(project, event())
        ingest(project, event(**B, user="2"))
        done = GroupHash.objects.filter(project=project, ml_state="done")
        wait_for(lambda: done.count() == 2, timeout=300, message="two ML decisions")
        processes = tree(worker.popen.pid)
        assert len(processes) == 2  # the worker and its pool process; the exporter exited
        assert any(mapped(p.pid, "onnxruntime") for p in processes)  # it embedded there
        assert not [p.pid for p in processes if mapped(p.pid, "libtorch")]
        assert sum(p.memory_info().rss for p in processes) < GIB
    finally:
        worker.stop()


def test_prepare_embeddings_leaves_the_configured_model_ready(settings, tmp_path):
    settings.EMBEDDING_ONNX_DIR = str(tmp_path)
    settings.EMBEDDING_DEVICE = "cpu"
    settings.EMBEDDING_BACKEND = "auto"
    version = current_spec().version
    call_command("prepare_embeddings", verbosity=0)
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{version}.json", f"{version}.onnx"]
    written = (tmp_path / f"{version}.onnx").stat().st_mtime_ns
    call_command("prepare_embeddings", verbosity=0)  # ready: nothing written again
    assert (tmp_path / f"{version}.onnx").stat().st_mtime_ns == written
