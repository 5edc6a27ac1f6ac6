"""Which embedder serves, which run in shadow, and the audited moves between them.

- The served model decides ML grouping. Until a model is promoted, it is the configured one:
  the shipped grouping model (embeddings.shipped) with the thresholds and key rules of its
  manifest, else (EMBEDDING_MODEL=stock) the packaged MiniLM, else EMBEDDING_MODEL_PATH's. An
  installation that served the stock model before the shipped one existed keeps serving it
  (EMBEDDING_MODEL unset) until `manage.py adopt_shipped_model` moves it over
  (grouping.backfill.adopt).
- Shadow models embed every new fingerprint beside it and record what they would decide
  (grouping.shadow); their vectors stay current, so a promotion needs no catch-up for new issues.
- Promotion: the candidate serves at once; the model it replaces becomes `previous` and is still
  embedded in shadow, so a rollback is instant. Confirming (by an admin, or automatically after
  FAULTLINE_PROMOTION_CONFIRM_DAYS) drops the previous model's vectors; a rollback after that
  re-embeds its issues (backfill_embeddings, resumable).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from embeddings import store
from embeddings.models import EmbeddingModel, IssueEmbedding, ModelChange, ModelState

ACTIVE = (ModelState.SERVED, ModelState.SHADOW, ModelState.PREVIOUS)


def stock() -> EmbeddingModel:
    """The configured model's row (registered, with its index, on first use)."""
    from embeddings.encoder import current_spec, get_encoder, uses_shipped

    if uses_shipped():
        return shipped()
    spec = current_spec()
    row = EmbeddingModel.objects.filter(name=spec.name, version=spec.version).first()
    if row is None:
        row = store.register(spec.name, spec.version, get_encoder().dimension, spec.path)
    return row


def shipped() -> EmbeddingModel:
    """The shipped model's row, registered as a trained model is: the thresholds, key rules and
    conflict thresholds its manifest chose, and a TrainedModel with the manifest and no
    organisation's rows (so it never goes stale)."""
    from embeddings import shipped as shipped_model
    from embeddings.encoder import shipped_spec
    from training.models import TrainedModel

    spec = shipped_spec()
    row = EmbeddingModel.objects.filter(name=spec.name, version=spec.version).first()
    if row is not None and hasattr(row, "trained"):
        return row
    info = shipped_model.load()
    row = register(spec.name, spec.version, info.dimension, spec.path)
    choices = info.choices
    EmbeddingModel.objects.filter(pk=row.pk).update(
        thresholds=choices["thresholds"], key_rules=choices["key_rules"],
        conflict_thresholds=choices["conflict_thresholds"])
    TrainedModel.objects.get_or_create(embedding_model=row, defaults={
        "name": info.name, "path": spec.path, "manifest": info.manifest, "rows": {}})
    return EmbeddingModel.objects.get(pk=row.pk)


def serving(active: list[EmbeddingModel] | None = None) -> EmbeddingModel | None:
    """The model `served()` returns, read only: nothing registered, no model loaded (web
    processes); None while the configured model has no row (then no issue has a vector).
    `active`: the active rows, read already (served_and_shadows)."""
    if active is None:
        row = (EmbeddingModel.objects.filter(state=ModelState.SERVED).select_related("trained")
               .order_by("-id").first())  # its manifest (grouping.policy) read with it
    else:
        row = max((r for r in active if r.state == ModelState.SERVED), key=lambda r: r.id,
                  default=None)
    if row is not None and _keeps_serving(row):
        return row
    from embeddings.encoder import current_identity

    name, version = current_identity()
    return EmbeddingModel.objects.filter(name=name, version=version).first()


def served(active: list[EmbeddingModel] | None = None) -> EmbeddingModel:
    """The promoted model, else the configured one (which then becomes the served row)."""
    row = serving(active)
    if row is not None and row.state == ModelState.SERVED:
        return row
    configured = stock()
    if configured.state != ModelState.SERVED:
        with transaction.atomic():
            EmbeddingModel.objects.filter(state=ModelState.SERVED).exclude(pk=configured.pk) \
                .update(state=ModelState.AVAILABLE)
            EmbeddingModel.objects.filter(pk=configured.pk).update(state=ModelState.SERVED)
        configured.state = ModelState.SERVED
    return configured


def _keeps_serving(row: EmbeddingModel) -> bool:
    """A served row serves on: the configured model; a built-in one while EMBEDDING_MODEL is
    unset (an installation's stock model until it adopts the shipped one); a trained one."""
    if _is_stock(row):
        return True
    if is_builtin(row):
        return not settings.EMBEDDING_MODEL and not settings.EMBEDDING_MODEL_PATH
    return _is_trained(row)


def _is_trained(row: EmbeddingModel) -> bool:
    return EmbeddingModel.objects.filter(pk=row.pk, trained__isnull=False).exists()


def _is_stock(row: EmbeddingModel) -> bool:
    from embeddings.encoder import current_identity

    return (row.name, row.version) == current_identity()


def is_shipped(row: EmbeddingModel) -> bool:
    """The shipped model's row (this release's)."""
    from embeddings.encoder import shipped_identity

    return (row.name, row.version) == shipped_identity()


def is_packaged(row: EmbeddingModel) -> bool:
    """The packaged all-MiniLM-L6-v2's row, as it comes (not EMBEDDING_MODEL_PATH's)."""
    from embeddings.encoder import _spec, default_model_path

    if settings.EMBEDDING_MODEL_PATH:
        return False
    packaged = _spec(default_model_path(), "all-MiniLM-L6-v2")
    return row.name == packaged.name and row.version == packaged.version


def is_builtin(row: EmbeddingModel) -> bool:
    """One of the models that come with Faultline: the stock or the shipped one."""
    return is_packaged(row) or is_shipped(row)


def register(name: str, version: str, dimension: int, path: str) -> EmbeddingModel:
    """A new version in the registry; its HNSW index is built now, or by beat
    (embeddings.maintain_indexes) when called inside a transaction (DDL cannot run there after
    vector writes)."""
    model, _ = EmbeddingModel.objects.get_or_create(
        name=name, version=version, defaults={"dimension": dimension, "path": path})
    ensure_index(model)
    return model


def ensure_index(model: EmbeddingModel) -> None:
    if not connection.in_atomic_block:
        store.ensure_index(model)


def ensure_active_indexes() -> None:
    for model in EmbeddingModel.objects.filter(state__in=ACTIVE):
        store.ensure_index(model)


SHADOWING = (ModelState.SHADOW, ModelState.PREVIOUS)


def shadow_models() -> list[EmbeddingModel]:
    """Models that embed new fingerprints beside the served one."""
    return list(EmbeddingModel.objects.filter(state__in=SHADOWING).order_by("id"))


def served_and_shadows() -> tuple[EmbeddingModel, list[EmbeddingModel]]:
    """served() and shadow_models() from one read of the active rows (the embeddings worker
    asks for both every batch)."""
    active = list(EmbeddingModel.objects.filter(state__in=ACTIVE).select_related("trained"))
    model = served(active)  # its fallback may have made a shadowing row the served one
    shadows = sorted((r for r in active if r.state in SHADOWING and r.pk != model.pk),
                     key=lambda r: r.id)
    return model, shadows


def start_shadow(model: EmbeddingModel, user=None) -> None:
    if model.state == ModelState.SERVED:
        return
    ensure_index(model)
    EmbeddingModel.objects.filter(pk=model.pk).update(state=ModelState.SHADOW)
    model.state = ModelState.SHADOW
    ModelChange.objects.create(action=ModelChange.Action.SHADOW, model=model, user=user)


@transaction.atomic
def promote(model: EmbeddingModel, user=None, action: str = ModelChange.Action.PROMOTE,
            note: str = "") -> ModelChange:
    """Serve `model` now; the model it replaces keeps its vectors (state `previous`)."""
    current = served()
    if current.pk == model.pk:
        raise ValueError(f"{model} is already served")
    ensure_index(model)
    EmbeddingModel.objects.filter(state=ModelState.PREVIOUS).exclude(pk=model.pk) \
        .update(state=ModelState.AVAILABLE)
    EmbeddingModel.objects.filter(pk=current.pk).update(state=ModelState.PREVIOUS)
    EmbeddingModel.objects.filter(pk=model.pk).update(state=ModelState.SERVED)
    model.state = ModelState.SERVED
    return ModelChange.objects.create(action=action, model=model, previous=current, user=user,
                                      note=note)


def rollback(user=None, note: str = "") -> ModelChange:
    """Serve the model the last promotion replaced again; the rolled-back one loses its
    vectors. If the previous model's vectors were already dropped, backfill them."""
    last = ModelChange.objects.filter(
        action__in=[ModelChange.Action.PROMOTE, ModelChange.Action.AUTO_PROMOTE],
        model__state=ModelState.SERVED,
    ).exclude(previous=None).first()
    if last is None:
        raise ValueError("no promotion to roll back")
    current, previous = last.model, last.previous
    with transaction.atomic():
        EmbeddingModel.objects.filter(pk=previous.pk).update(state=ModelState.SERVED)
        EmbeddingModel.objects.filter(pk=current.pk).update(state=ModelState.AVAILABLE)
        previous.state = ModelState.SERVED
        change = ModelChange.objects.create(action=ModelChange.Action.ROLLBACK, model=previous,
                                            previous=current, user=user, note=note)
    drop_vectors(current)
    return change


def withdraw(model: EmbeddingModel, fallback: EmbeddingModel | None,
             note: str = "") -> ModelChange:
    """Stop using `model` for good (its data may no longer be used): `fallback` serves in its
    place when it was served (grouping.policy.fallback_for chooses it); `model` is retired and
    its vectors dropped, never kept for a rollback."""
    with transaction.atomic():
        served_now = EmbeddingModel.objects.filter(pk=model.pk, state=ModelState.SERVED).exists()
        if served_now:
            if fallback is None or fallback.pk == model.pk:
                raise ValueError(f"{model} is served: name another model to serve")
            EmbeddingModel.objects.filter(pk=fallback.pk).update(state=ModelState.SERVED)
            fallback.state = ModelState.SERVED
        EmbeddingModel.objects.filter(pk=model.pk).update(state=ModelState.RETIRED)
        model.state = ModelState.RETIRED
        change = ModelChange.objects.create(action=ModelChange.Action.WITHDRAW,
                                            model=fallback if served_now else model,
                                            previous=model, note=note)
    drop_vectors(model)
    return change


def is_stock(row: EmbeddingModel) -> bool:
    """The configured model's row, or a built-in one (none holds organisations' data)."""
    return _is_stock(row) or is_builtin(row)


def confirm(user=None, note: str = "") -> list[ModelChange]:
    """Drop the vectors of the model(s) a promotion replaced; a rollback then re-embeds."""
    changes = []
    for previous in EmbeddingModel.objects.filter(state=ModelState.PREVIOUS):
        with transaction.atomic():
            EmbeddingModel.objects.filter(pk=previous.pk).update(state=ModelState.RETIRED)
            changes.append(ModelChange.objects.create(action=ModelChange.Action.CONFIRM,
                                                      model=served(), previous=previous,
                                                      user=user, note=note))
        drop_vectors(previous)
    return changes


def confirm_due(now: dt.datetime | None = None) -> int:
    """Beat: confirm promotions older than FAULTLINE_PROMOTION_CONFIRM_DAYS."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.FAULTLINE_PROMOTION_CONFIRM_DAYS)
    last = ModelChange.objects.filter(
        action__in=[ModelChange.Action.PROMOTE, ModelChange.Action.AUTO_PROMOTE]).first()
    if last is None or last.at > cutoff or not EmbeddingModel.objects.filter(
            state=ModelState.PREVIOUS).exists():
        return 0
    return len(confirm(note=f"automatic after {settings.FAULTLINE_PROMOTION_CONFIRM_DAYS} days"))


def drop_vectors(model: EmbeddingModel, chunk: int = 5000) -> int:
    """Delete a model's vectors in chunks, then its HNSW indexes (outside a transaction: DDL
    there would wait on it; an index over no rows costs nothing meanwhile)."""
    total = 0
    while True:
        ids = list(IssueEmbedding.objects.filter(model=model).values_list("id", flat=True)[:chunk])
        if not ids:
            break
        total += IssueEmbedding.objects.filter(id__in=ids)._raw_delete(connection.alias)
    if connection.in_atomic_block:
        return total
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = "
                       "'embeddings_issueembedding' AND indexname ~ %s",
                       [f"^issueembedding_hnsw_{int(model.id)}(_p[0-9]+)?$"])
        for (name,) in cursor.fetchall():
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
    return total


def coverage(model: EmbeddingModel) -> tuple[int, int]:
    """(issues with a vector for the model, issues with a vector for the served model)."""
    return (IssueEmbedding.objects.filter(model=model).count(),
            IssueEmbedding.objects.filter(model=served()).count())
