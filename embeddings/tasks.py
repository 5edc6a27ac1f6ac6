"""Periodic upkeep of the vector indexes."""

from celery import shared_task
from django.conf import settings

from embeddings import store


@shared_task(name="embeddings.maintain_indexes")
def maintain_indexes() -> dict[str, list[str]]:
    from embeddings import registry

    registry.ensure_active_indexes()  # a model registered inside a transaction gets it here
    return store.maintain_project_indexes(settings.EMBEDDING_PROJECT_INDEX_MIN)


@shared_task(name="embeddings.confirm_promotions")
def confirm_promotions() -> int:
    from embeddings import registry

    return registry.confirm_due()
