"""Embed one representative event (the first) of every issue that has no vector for a model
(resumable by construction: issues that have one are skipped), and move an installation to a
model through that backfill (`adopt`)."""

from __future__ import annotations

import dataclasses

from django.db.models import Exists, OuterRef
from tqdm import tqdm

from embeddings import registry, store
from embeddings.encoder import encoder_for
from embeddings.models import EmbeddingModel, IssueEmbedding, ModelChange, ModelState
from grouping.policy import policy_for
from monitor.models import Event, Issue


def backfill(model: EmbeddingModel, project_id: int | None = None, batch: int = 64,
             progress: bool = False, issue_ids: list[int] | None = None) -> tuple[int, int]:
    """Returns (issues embedded, issues without a stack trace); `issue_ids`: only those."""
    encoder = encoder_for(model)
    policy = policy_for(None, model)  # its key rules and text shape (no project adjusts them)
    issues = Issue.objects.filter(
        ~Exists(IssueEmbedding.objects.filter(issue=OuterRef("pk"), model=model))
    ).order_by("id")
    if project_id:
        issues = issues.filter(project_id=project_id)
    if issue_ids is not None:
        issues = issues.filter(id__in=issue_ids)
    ids = list(issues.values_list("id", flat=True))
    embedded = skipped = 0
    with tqdm(total=len(ids), unit="issue", disable=not progress) as bar:
        for start in range(0, len(ids), batch):
            chunk = ids[start : start + batch]
            work = []
            for issue_id in chunk:
                first = Event.objects.filter(issue_id=issue_id).order_by("timestamp", "id")
                first = first.only("id", "received", "project_id").first()
                text = policy.text(first.data) if first else ""
                if text:
                    work.append((issue_id, first, text))
                else:
                    skipped += 1
            vectors = encoder.encode([text for _, _, text in work])
            for (issue_id, first, text), vector in zip(work, vectors, strict=True):
                if Issue.objects.filter(pk=issue_id).exists():  # merged away meanwhile
                    store.save(issue_id, first.project_id, model, vector, text,
                               policy.key(first.data), first.id,
                               **dataclasses.asdict(policy.statement_of(first.data)))
                    embedded += 1
            bar.update(len(chunk))
    return embedded, skipped


def adopt(model: EmbeddingModel, user=None, progress: bool = False) -> ModelChange | None:
    """Move an installation to `model` the way any candidate moves: shadow (new fingerprints
    get its vectors from now on), backfill (every issue without one; resumable), promote (the
    model it replaces stays `previous`, so a rollback is instant). Issues, their fingerprints
    and people's merges and unmerges are rows this never touches. None: already served."""
    if registry.served().pk == model.pk:
        return None
    if model.state != ModelState.SHADOW:  # a rerun after an interruption resumes
        registry.start_shadow(model, user=user)
    backfill(model, progress=progress)
    backfill(model)  # what arrived while the first pass ran, before the switch
    return registry.promote(model, user=user, note="adopted (adopt_shipped_model)")
