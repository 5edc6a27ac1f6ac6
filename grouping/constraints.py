""""Not the same" as a hard constraint: two fingerprints a person kept apart (an unmerge, or *not
the same* on a suggestion) are never joined again by an automatic decision, whichever model
decides (the served one, a shadow one, one promoted later), until a person merges their issues
or lifts the constraint.

`admissible` is the one check: grouping.ml.nearest_match, which every automatic decision (served
and shadow) goes through, drops the candidates it refuses before choosing. Backfill only embeds
and never joins. A candidate issue is refused for a new fingerprint when
- the new fingerprint is itself kept apart from one of the issue's fingerprints; or
- one of the issue's fingerprints is kept apart from a fingerprint held by another issue (its
  *partner*) that is at least as near to the new fingerprint, or that has no vector in the
  deciding model yet: the new fingerprint looks like the fault a person said is a different one,
  so joining it would undo their correction by the next release's variant.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import numpy as np
from django.db.models import Q
from django.utils import timezone

from embeddings import store
from embeddings.models import EmbeddingModel, IssueEmbedding
from grouping.models import KeptApart
from monitor.models import GroupHash


def ordered(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def active(project_id: int):
    return KeptApart.objects.filter(project_id=project_id, lifted_at__isnull=True)


def touching(project_id: int, hashes: Iterable[str]):
    hashes = list(set(hashes))
    return active(project_id).filter(Q(hash_a__in=hashes) | Q(hash_b__in=hashes))


def keep_apart(project_id: int, hashes: Iterable[str], others: Iterable[str], source: str,
               by=None) -> list[KeptApart]:
    """Keep every fingerprint of `hashes` apart from every one of `others` (idempotent: a pair
    already kept apart keeps its first row)."""
    pairs = {ordered(a, b) for a in set(hashes) for b in set(others) if a != b}
    existing = set(touching(project_id, [h for p in pairs for h in p])
                   .values_list("hash_a", "hash_b"))
    rows = [KeptApart(project_id=project_id, hash_a=a, hash_b=b, source=source, created_by=by)
            for a, b in sorted(pairs - existing)]
    return KeptApart.objects.bulk_create(rows)


def lift(constraint: KeptApart, by=None, because: str = "undone") -> bool:
    """Lift one constraint (audited); False when it was lifted already."""
    return bool(KeptApart.objects.filter(pk=constraint.pk, lifted_at__isnull=True).update(
        lifted_at=timezone.now(), lifted_by=by, lifted_because=because))


def lift_between(project_id: int, hashes: Iterable[str], others: Iterable[str], by=None) -> int:
    """A person merged these issues: their constraints between each other end."""
    hashes, others = set(hashes), set(others)
    lifted = 0
    for row in touching(project_id, hashes | others):
        if {row.hash_a, row.hash_b} & hashes and {row.hash_a, row.hash_b} & others:
            lifted += lift(row, by, because="merged")
    return lifted


def _cosine_distance(a: np.ndarray, b: np.ndarray) -> float:
    return float(1.0 - np.dot(a, b) / ((np.linalg.norm(a) * np.linalg.norm(b)) or 1.0))


def admissible(project_id: int, hash_: str, vector: np.ndarray, candidates: list,
               model: EmbeddingModel | None) -> list:
    """`candidates` (store.Neighbour, nearest first) without those a constraint refuses (module
    docstring)."""
    if not candidates:
        return candidates
    holders = defaultdict(set)  # issue → its fingerprints
    for issue_id, h in GroupHash.objects.filter(
            project_id=project_id, issue_id__in=[c.issue_id for c in candidates]
    ).values_list("issue_id", "hash"):
        holders[issue_id].add(h)
    mine = {hash_}
    rows = list(touching(project_id, mine | set().union(*holders.values())))
    if not rows:
        return candidates
    apart_from = defaultdict(set)
    for row in rows:
        apart_from[row.hash_a].add(row.hash_b)
        apart_from[row.hash_b].add(row.hash_a)
    partner_hashes = set().union(*(apart_from[h] for hs in holders.values() for h in hs)) - mine
    partner_issue = dict(GroupHash.objects.filter(project_id=project_id, hash__in=partner_hashes)
                         .values_list("hash", "issue_id"))
    kept = []
    for candidate in candidates:
        held = holders.get(candidate.issue_id, set())
        if apart_from[hash_] & held:
            continue
        partners = {partner_issue[p] for h in held for p in apart_from[h] if p in partner_issue}
        partners.discard(candidate.issue_id)
        if any(_nearer(vector, partner, candidate.distance, model) for partner in partners):
            continue
        kept.append(candidate)
    return kept


def _nearer(vector: np.ndarray, partner_issue: int, distance: float,
            model: EmbeddingModel | None) -> bool:
    """The partner issue is at least as near as the candidate, or cannot be compared."""
    other = store.vector_of(partner_issue, model) if model is not None else None
    return other is None or _cosine_distance(vector, other) <= distance


def live_pairs(project_ids: Iterable[int]) -> dict[int, set[str]]:
    """Per project with any constraint in force, the fingerprints its constraints name (one
    read a batch: the embeddings worker's decisions in a project without any skip
    `admissible`)."""
    hashes: dict[int, set[str]] = defaultdict(set)
    rows = KeptApart.objects.filter(project_id__in=list(project_ids), lifted_at__isnull=True)
    for project_id, a, b in rows.values_list("project_id", "hash_a", "hash_b"):
        hashes[project_id] |= {a, b}
    return dict(hashes)


def partners_without_vectors(pairs: dict[int, set[str]], model: EmbeddingModel) -> list[int]:
    """Issues holding a kept-apart fingerprint (`pairs`: live_pairs) with no vector in `model`
    yet (a split issue, or any after a promotion): the embeddings worker embeds them before
    deciding, so a constraint refuses only what resembles the other side."""
    if not pairs:
        return []
    query = Q()
    for project_id, hs in pairs.items():
        query |= Q(project_id=project_id, hash__in=hs)
    issues = set(GroupHash.objects.filter(query).values_list("issue_id", flat=True))
    embedded = set(IssueEmbedding.objects.filter(model=model, issue_id__in=issues)
                   .values_list("issue_id", flat=True))
    return sorted(issues - embedded)
