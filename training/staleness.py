"""Deletion reaches the model: a trained model whose rows were deleted (event, issue, project or
organisation deleted, erased or expired: its TrainingPairs cascade) or whose organisation no
longer consents is marked stale. A served or shadow model is scheduled for retraining (beat runs
training.retrain_stale, training.lifecycle bounds how long it may go on serving); any other stale
model loses its weights at once. The severity heads learned from triage go the same way
(priority.learn.reconcile, called from `reconcile`)."""

from __future__ import annotations

import datetime as dt
import shutil

from django.conf import settings
from django.utils import timezone

from consent import policy
from consent.models import Category, Purpose
from embeddings import onnx_runtime
from embeddings.models import ModelState
from training.models import TrainedModel, TrainingPair

ACTIVE = {ModelState.SERVED, ModelState.SHADOW, ModelState.PREVIOUS}


def reasons_for(model: TrainedModel) -> list[str]:
    reasons = []
    for org, ids in sorted(model.rows.items()):
        org_id = int(org)
        if not policy.allowed(org_id, Purpose.TRAINING, Category.STACK_TRACES):
            reasons.append(f"organisation {org_id} withdrew consent")
            continue
        present = TrainingPair.objects.filter(id__in=ids).count()
        if present < len(ids):
            reasons.append(f"{len(ids) - present} of its {len(ids)} rows from organisation "
                           f"{org_id} were deleted")
    return reasons


def reconcile(now: dt.datetime | None = None) -> list[int]:
    """Mark stale every model whose rows are gone or no longer consented; returns their ids."""
    now = now or timezone.now()
    marked = []
    for model in TrainedModel.objects.filter(retrain="").select_related("embedding_model"):
        reasons = reasons_for(model)
        if not reasons and not model.stale:
            continue
        stamp = f"{timezone.now():%Y-%m-%d %H:%M} UTC"
        extra = "; ".join(reasons)
        model.stale = True
        model.stale_since = model.stale_since or now
        if extra and extra not in model.stale_reason:
            model.stale_reason = f"{model.stale_reason}\n{extra} ({stamp})".strip()
        state = model.embedding_model.state if model.embedding_model else None
        if state in ACTIVE:
            model.retrain = TrainedModel.Retrain.SCHEDULED
        else:
            model.retrain = TrainedModel.Retrain.DONE
            delete_weights(model)
        model.save(update_fields=["stale", "stale_since", "stale_reason", "retrain", "path"])
        marked.append(model.id)
    from priority import learn  # the severity heads: the same deletions reach them

    learn.reconcile()
    return marked


def serving_deadline(model: TrainedModel) -> dt.datetime | None:
    """When a stale model stops serving if no retrain replaced it (None: not stale)."""
    if not model.stale or model.stale_since is None:
        return None
    return model.stale_since + dt.timedelta(hours=settings.FAULTLINE_STALE_SERVING_HOURS)


def delete_weights(model: TrainedModel) -> None:
    """The weights encode the withdrawn data: remove them; the manifest stays in the row."""
    if model.path:
        shutil.rmtree(model.path, ignore_errors=True)
        if model.embedding_model_id:  # the ONNX export is derived from the same weights
            onnx_runtime.remove(model.embedding_model.version)
        model.stale_reason = f"{model.stale_reason}\nweights deleted".strip()
        model.path = ""
