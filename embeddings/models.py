"""Embedding models and the issue vectors they produced."""

from __future__ import annotations

from django.db import models
from pgvector.django import VectorField


class EmbeddingModel(models.Model):
    """A registered embedder. A new model (or new weights) is a new row: its vectors are kept
    apart, and `backfill_embeddings` re-embeds issues for it."""

    name = models.CharField(max_length=200)
    version = models.CharField(max_length=64, help_text="Digest of the model's files.")
    dimension = models.PositiveIntegerField()
    path = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="embeddingmodel_unique")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"{self.name}@{self.version[:12]}"


class IssueEmbedding(models.Model):
    """One vector per issue and model: the embedding of the cleaned stack trace of the event that
    created the issue. Searched with a per-model partial HNSW index (embeddings.store)."""

    issue = models.ForeignKey("monitor.Issue", on_delete=models.CASCADE, related_name="embeddings")
    project = models.ForeignKey("monitor.Project", on_delete=models.CASCADE, related_name="+")
    model = models.ForeignKey(EmbeddingModel, on_delete=models.CASCADE, related_name="vectors")
    event = models.ForeignKey(
        "monitor.Event",
        null=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="The event the vector was computed from: deleting it deletes the vector.",
    )
    vector = VectorField()
    text = models.TextField(help_text="The cleaned text that was embedded.")
    match_key = models.CharField(
        max_length=255, help_text="Crash-site key a candidate must share (grouping.clean)."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issue", "model"], name="issueembedding_unique")
        ]
        indexes = [
            models.Index(fields=["model", "project", "match_key"], name="issueembedding_scope_idx")
        ]

    def __str__(self) -> str:
        return f"issue {self.issue_id} / {self.model_id}"
