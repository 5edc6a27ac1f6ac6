"""Beat's retrain through a real Celery worker: a stale served model whose retrain fails and
whose serving bound has passed stops serving; with no clean model replaced before it, the
configured (shipped) model serves again, with a vector for every issue."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from embeddings import registry
from embeddings.models import IssueEmbedding, ModelChange
from grouping.policy import reading_policy
from monitor.models import Issue
from tests.conftest import start_worker, wait_for
from tests.helpers.training import org_with_data, train
from training import tasks
from training.models import TrainedModel

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_the_worker_withdraws_an_overdue_stale_model_and_the_shipped_model_serves(
    live_env, tmp_path, settings
):
    settings.FAULTLINE_MODEL_DIR = str(tmp_path / "models")
    settings.EMBEDDING_ONNX_DIR = str(tmp_path / "onnx")
    alpha = org_with_data("alpha", training_stack_traces=True)
    org_with_data("beta", training_stack_traces=True)
    call_command("export_training_data", directory=str(tmp_path), verbosity=0)
    stock = registry.served()
    stale = train(tmp_path, name="stale")
    call_command("backfill_embeddings", model=stale.embedding_model_id, verbosity=0)
    registry.promote(stale.embedding_model)
    registry.confirm()  # the shipped model's vectors are dropped
    assert not IssueEmbedding.objects.filter(model=stock).exists()
    consent = alpha.consent
    consent.training_stack_traces = False
    consent.save()  # transaction=True: the consent signal's on-commit work runs at once
    stale.refresh_from_db()
    assert stale.stale and stale.retrain == "scheduled"
    (tmp_path / "corpus.jsonl").unlink()  # its retrain will fail
    env = dict(live_env, FAULTLINE_MODEL_DIR=str(tmp_path / "models"),
               FAULTLINE_TRAINING_DIR=str(tmp_path / "sets"),
               EMBEDDING_ONNX_DIR=str(tmp_path / "onnx"),
               FAULTLINE_STALE_SERVING_HOURS="0")
    worker = start_worker(env, "retrainer", concurrency=1, queues="training")
    try:
        tasks.retrain_stale.apply_async(queue="retrainer")  # what beat sends
        withdrawn = wait_for(
            lambda: TrainedModel.objects.filter(pk=stale.pk, retrain="withdrawn").first(),
            timeout=300, message="the worker to withdraw the stale model")
    finally:
        worker.stop()
    assert withdrawn.retrain_attempts == 1 and "retrain 1 failed" in withdrawn.stale_reason
    assert not withdrawn.path
    assert registry.served() == stock and reading_policy().model == stock
    assert IssueEmbedding.objects.filter(model=stock).count() == Issue.objects.count()
    assert not IssueEmbedding.objects.filter(model=stale.embedding_model).exists()
    change = ModelChange.objects.get(action="withdraw")
    assert change.model == stock and change.previous == stale.embedding_model
