"""What a person's merge or unmerge teaches the project besides moving fingerprints: an unmerge
keeps the fingerprint apart from the issue's others (grouping.constraints) and is a "not the
same" pair; a merge lifts the constraints between the merged issues and is a "same" pair
(grouping.adapt). Called by grouping.merge with the issues locked, before anything moves."""

from __future__ import annotations

import numpy as np

from embeddings import store
from grouping import adapt, constraints
from grouping.models import KeptApart, ProjectLabel
from grouping.policy import reading_policy
from monitor.models import GroupHash, Issue


def _hashes(issue_id: int) -> list[str]:
    return list(GroupHash.objects.filter(issue_id=issue_id).values_list("hash", flat=True))


def _distance(policy, issue_a: int, issue_b: int) -> float | None:
    if policy.model is None:
        return None
    a, b = store.vector_of(issue_a, policy.model), store.vector_of(issue_b, policy.model)
    if a is None or b is None:
        return None
    return float(1.0 - np.dot(a, b) / ((np.linalg.norm(a) * np.linalg.norm(b)) or 1.0))


def merged(target: Issue, source_ids: list[int], by=None, labelled: bool = True) -> None:
    """Before a person's merge: lift constraints between the issues, label each source pair."""
    policy = reading_policy(target.project)
    family = policy.family(target.platform)
    kept = _hashes(target.id)
    for source in source_ids:
        moved = _hashes(source)
        constraints.lift_between(target.project_id, kept, moved, by)
        if labelled:
            adapt.record(target.project, family, True, ProjectLabel.Source.MERGE,
                         _distance(policy, target.id, source),
                         policy.model.label if policy.model else "",
                         (kept[0] if kept else "", moved[0] if moved else ""), by)


def unmerged(group_hash: GroupHash, old_issue: Issue, by=None) -> None:
    """Before a person's unmerge: the fingerprint stays apart from the issue's others; the pair
    is labelled at the distance that joined it (when the served model joined it)."""
    others = [h for h in _hashes(old_issue.id) if h != group_hash.hash]
    constraints.keep_apart(old_issue.project_id, [group_hash.hash], others,
                           KeptApart.Source.UNMERGE, by)
    policy = reading_policy(old_issue.project)
    model = policy.model.label if policy.model else ""
    joined_by_served = (group_hash.decided_by == GroupHash.DecidedBy.ML
                        and group_hash.ml_model == model)
    adapt.record(old_issue.project, policy.family(old_issue.platform), False,
                 ProjectLabel.Source.UNMERGE,
                 group_hash.ml_distance if joined_by_served else None, model,
                 (group_hash.hash, others[0] if others else ""), by)
