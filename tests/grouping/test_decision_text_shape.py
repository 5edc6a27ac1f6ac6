"""Every vector of a model embeds the text in that model's own shape (its manifest's frames,
lines and messages over the grouping rules), whichever path wrote it: the served decision, a
shadow model's decision, the backfill. Its thresholds were chosen on texts of that shape."""

import pytest
from django.core.management import call_command

from embeddings import registry, store
from embeddings.models import IssueEmbedding
from grouping import ml
from grouping.policy import event_text, policy_for
from monitor.models import Issue
from tests.helpers.events import event, ingest

pytestmark = pytest.mark.django_db


def test_the_served_a_shadow_and_the_backfilled_vector_each_embed_their_model_s_shape(
        project, no_breaker):
    served = registry.served()
    plain = store.register(served.name, "no-manifest", served.dimension, served.path)
    registry.start_shadow(plain)  # the same weights, no manifest: the grouping rules' shape
    ingest(project, event(value="could not read 'settings.yaml' at line 3"))
    ml.drain(wait_ms=0)
    issue = Issue.objects.get(project=project)
    data = issue.events.first().data
    shaped, rules_shape = policy_for(project).text(data), event_text(data)
    assert shaped != rules_shape  # the served manifest shapes Python's text its own way

    assert IssueEmbedding.objects.get(issue=issue, model=served).text == shaped
    assert IssueEmbedding.objects.get(issue=issue, model=plain).text == rules_shape

    IssueEmbedding.objects.filter(issue=issue, model=served).delete()
    call_command("backfill_embeddings", model=served.id, verbosity=0)
    assert IssueEmbedding.objects.get(issue=issue, model=served).text == shaped
