"""Make the served embedding models ready to serve before a worker takes its first event: on
CPU each model's ONNX export with its serving facts (embeddings.onnx_runtime), written by a
child process, so the worker never imports PyTorch and the first new fingerprint does not wait
for an export. `manage.py prepare_embeddings` runs it (`make run`, after `migrate`), and so does
every worker that consumes the embeddings queue as it starts (compose and Helm start workers
without a preparation step). Idempotent: a model already ready costs a file check."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError

from embeddings.encoder import ModelSpec, current_spec, prepare_serving, spec_of

log = logging.getLogger(__name__)
QUEUE = "embeddings"
MANAGE = Path(settings.BASE_DIR) / "manage.py"
PREPARE_TIMEOUT_SECONDS = 600  # an export takes ~12 s on 2 cores; a model per served version


def active_specs() -> list[ModelSpec]:
    """The configured model, then the served and shadow models the registry names (none
    before the first migration)."""
    from embeddings.models import EmbeddingModel, ModelState

    specs = [current_spec()]
    try:
        rows = list(EmbeddingModel.objects.filter(
            state__in=[ModelState.SERVED, ModelState.SHADOW]).order_by("id"))
    except DatabaseError:
        rows = []
    for row in rows:
        spec = spec_of(row)
        if spec.version not in {s.version for s in specs}:
            specs.append(spec)
    return specs


def prepare_active() -> list[str]:
    """Prepare every active model; one line per model saying what it found. A model that
    cannot be prepared is reported, not raised: the worker falls back to exporting on first
    use, or to PyTorch."""
    lines = []
    for spec in active_specs():
        try:
            found = prepare_serving(spec)
        except Exception as exc:
            found = f"not ready ({str(exc).strip().splitlines()[-1][:300]})"
        lines.append(f"{spec.name}@{spec.version[:12]}: {found}")
    return lines


def consumes_embeddings(queues: str | list[str] | None) -> bool:
    """Whether a worker started with `-Q queues` (Celery hands the list over; a string when
    set in configuration) serves the embeddings queue."""
    if isinstance(queues, str):
        queues = queues.split(",")
    return QUEUE in (queues or [])


def prepare_on_worker_start(sender=None, instance=None, options=None, **_) -> None:
    """celeryd_init: before the worker's pool forks, `manage.py prepare_embeddings` in a child
    process, so the export's peak memory has passed before the serving model is loaded. A child,
    not this process: asking whether CUDA is there imports PyTorch and initialises CUDA, which a
    forked pool process can then not use, and the parent would keep a database connection its
    children inherit. Bounded: a worker whose preparation hangs starts anyway and exports on
    first use."""
    if not consumes_embeddings((options or {}).get("queues")):
        return
    try:
        done = subprocess.run([sys.executable, str(MANAGE), "prepare_embeddings"],
                              capture_output=True, text=True, timeout=PREPARE_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        log.warning("embedding models not prepared within %d s; exported on first use",
                    PREPARE_TIMEOUT_SECONDS)
        return
    for line in done.stdout.splitlines():
        log.info("embedding model %s", line)
    if done.returncode:
        log.warning("preparing the embedding models failed (%s); exported on first use",
                    (done.stderr.strip().splitlines() or ["no output"])[-1][:300])
