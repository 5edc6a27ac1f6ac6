"""Make the served embedding models ready before the workers start (`make run` runs it after
`migrate`): the shipped model written out, and on CPU each model's ONNX export with its serving
facts (embeddings.onnx_runtime), made in a child process. An embeddings worker then serves from
its first event without importing PyTorch or sentence-transformers, and without waiting half a
minute for an export. Idempotent: a model already ready costs a file check."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import DatabaseError

from embeddings.encoder import ModelSpec, current_spec, prepare_serving, spec_of


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


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options):
        for spec in active_specs():
            try:
                found = prepare_serving(spec)
            except Exception as exc:  # the worker falls back to PyTorch; start anyway
                found = f"not ready ({str(exc).strip().splitlines()[-1][:300]})"
            self.stdout.write(f"{spec.name}@{spec.version[:12]}: {found}")
