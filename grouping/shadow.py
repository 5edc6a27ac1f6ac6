"""Shadow models (embeddings.registry): for each new fingerprint the served model decides, every
shadow model embeds it too, records what it would have decided (ShadowDecision) and keeps the new
issue's vector in its own space, so a promotion starts with current vectors.

A shadow failure never touches the served decision: each decision runs in its own transaction
and a model's errors are logged.
"""

from __future__ import annotations

import logging

from django.db import transaction

from embeddings import store
from embeddings.encoder import encoder_for
from embeddings.models import EmbeddingModel, ShadowDecision
from grouping.policy import policy_for
from monitor.locks import lock_issues
from monitor.models import GroupHash

log = logging.getLogger(__name__)


def decide_one(model: EmbeddingModel, row: GroupHash, event, vector, text: str,
               constrained: bool = True) -> None:
    from grouping.ml import kept_statement, nearest_match, rename_query

    project = row.project
    policy = policy_for(project, model)  # the shadow model's own key rules and thresholds
    key = policy.key(event.data)
    query = rename_query(policy, event.data)
    nearest, within = nearest_match(project, event.platform, policy, vector, text, key,
                                    (row.issue_id,), row.hash, event.data, query, constrained)
    with transaction.atomic():  # the issues written about locked first, as merges lock them
        present = lock_issues([row.issue_id, *([nearest.issue_id] if within else [])])
        if row.issue_id not in present:
            return  # merged away meanwhile: the served model decides the fingerprint again
        matched = nearest.issue_id if within and nearest.issue_id in present else None
        ShadowDecision.objects.update_or_create(group_hash=row, model=model, defaults={
            "matched_issue_id": matched, "distance": nearest.distance if nearest else None,
            "would_join": matched is not None})
        # the new issue's vector in this model's space (deleted with the issue if the served
        # model merges it; the issue it joins has its own vector already)
        store.save(row.issue_id, project.id, model, vector, text, key, event.id,
                   **kept_statement(query))


def decide_all(work: list[tuple], pairs: dict[int, set[str]],
               models: list[EmbeddingModel]) -> None:
    """`work`: (GroupHash, first event, cleaned text, crash-site key) of one batch; `pairs`: the
    constraints in force in its projects (grouping.constraints.live_pairs); `models`: the shadow
    models (embeddings.registry.shadow_models). Each decision
    is its own transaction: holding one's issue locks while taking the next's would take issues
    out of id order (monitor.locks)."""
    for model in models:
        try:
            shape = policy_for(None, model)  # the shadow model's own text shape
            texts = [shape.text(event.data) for _row, event, *_ in work]
            vectors = encoder_for(model).encode(texts)
            for (row, event, *_), text, vector in zip(work, texts, vectors, strict=True):
                decide_one(model, row, event, vector, text, row.project_id in pairs)
        except Exception:
            log.exception("shadow model %s failed; the served decisions stand", model)


def note_served(work: list[tuple]) -> None:
    """Beside each shadow decision, whether the served model matched (joined or would join)."""
    joined = [row.id for row, *_ in work if row.ml_matched_issue_id is not None]
    if joined:
        ShadowDecision.objects.filter(group_hash_id__in=joined).update(served_joined=True)


def agreement(model: EmbeddingModel) -> dict[str, int]:
    """How the shadow model's decisions compare with the served model's."""
    rows = ShadowDecision.objects.filter(model=model)
    return {
        "decided": rows.count(),
        "both_join": rows.filter(would_join=True, served_joined=True).count(),
        "only_shadow_joins": rows.filter(would_join=True, served_joined=False).count(),
        "only_served_joins": rows.filter(would_join=False, served_joined=True).count(),
    }
