"""served_and_shadows() returns what served() then shadow_models() returned, also
when the served row no longer keeps serving and the configured one was shadowing (an operator
who set EMBEDDING_MODEL back to a model kept as `previous`)."""

import pytest

from embeddings import registry
from embeddings.models import EmbeddingModel, ModelState

pytestmark = pytest.mark.django_db


def _stale_serving_state():
    configured = registry.stock()
    EmbeddingModel.objects.filter(pk=configured.pk).update(state=ModelState.PREVIOUS)
    EmbeddingModel.objects.create(name="withdrawn", version="1", dimension=configured.dimension,
                                  path="/nowhere", state=ModelState.SERVED)  # keeps no serving
    return configured


def test_sequential_reads():
    configured = _stale_serving_state()
    served, shadows = registry.served(), registry.shadow_models()
    assert served == configured and configured not in shadows


def test_one_read():
    configured = _stale_serving_state()
    served, shadows = registry.served_and_shadows()
    assert served == configured
    assert configured not in shadows, [(m.name, m.state) for m in shadows]
