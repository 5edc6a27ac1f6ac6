"""Which model serves a project: the one home every reader asks (ML decisions, the issue page,
similar issues, the assist retrieval, backfill), so none looks neighbours up in a space whose
vectors a confirmed promotion dropped."""

from __future__ import annotations

from embeddings import registry
from embeddings.models import EmbeddingModel
from monitor.models import Project


def served_model(project: Project | None = None) -> EmbeddingModel:
    """The model that decides the project's new fingerprints (embeddings.registry.served: the
    promoted one, else the configured one, registered on first use)."""
    return registry.served()


def reading_model(project: Project | None = None) -> EmbeddingModel | None:
    """The same model for readers of its vectors (similar issues, the issue page, the assist
    retrieval): read only, so a web process never loads or registers a model; None while no
    model has a row (then no issue has a vector)."""
    return registry.serving()
