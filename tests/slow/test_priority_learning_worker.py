"""Beat's severity retrain through a real Celery worker: a withdrawal makes the served head
stale (the default serves at once); the worker trains a new head without the withdrawn
organisation's data."""

from __future__ import annotations

import pytest

from embeddings import registry
from priority import learn, severity, tasks
from priority.models import SeverityExample, SeverityHead
from tests.conftest import start_worker, wait_for
from tests.helpers.priority import FULL, triaged_org

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_the_worker_retrains_a_stale_head_without_the_withdrawn_organisation(
    live_env, django_user_model
):
    alpha = triaged_org("alpha", django_user_model.objects.create_user("a"), **FULL)
    beta = triaged_org("beta", django_user_model.objects.create_user("b"), **FULL)
    head = learn.promote(learn.train_head())
    assert set(head.rows) == {str(alpha.id), str(beta.id)}
    consent = alpha.consent
    consent.training_stack_traces = False
    consent.save()  # its signal's clean-up runs on commit
    head.refresh_from_db()
    assert head.stale and head.retrain == SeverityHead.Retrain.SCHEDULED
    version = registry.served().version
    assert severity.head_for(version) == severity.default_head_for(version)

    worker = start_worker(live_env, "severity", concurrency=1, queues="embeddings")
    try:
        tasks.retrain_stale_severity.apply_async(queue="severity")  # what beat sends
        done = wait_for(lambda: SeverityHead.objects.filter(pk=head.pk, retrain="done").first(),
                        timeout=300, message="the worker to retrain the stale head")
    finally:
        worker.stop()
    new = SeverityHead.objects.get(pk=done.replaced_by_id)
    assert set(new.rows) == {str(beta.id)} and new.manifest["organisations"] == 1
    assert not SeverityExample.objects.filter(organization=alpha).exists()
    assert new.state == SeverityHead.State.SHADOW  # not measured on held-out data: not served
