"""Embedding models and the issue vectors they produced."""

from __future__ import annotations

from django.conf import settings
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
    state = models.CharField(max_length=16, default="available",
                             help_text="Lifecycle (embeddings.registry).")
    thresholds = models.JSONField(default=dict, blank=True,
                                  help_text="Per-family thresholds chosen on validation; empty: "
                                  "the grouping defaults.")
    key_rules = models.JSONField(
        default=dict, blank=True,
        help_text="Per-family candidate-key rules (grouping.rules) chosen with the thresholds "
        "on validation; empty: the grouping rules.")
    conflict_thresholds = models.JSONField(
        default=dict, blank=True,
        help_text="Per-family thresholds for pairs whose texts conflict (grouping.conflict), "
        "chosen with the others on validation; empty: the thresholds.")

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
        db_constraint=False,  # events are partitioned (docs/storage.md)
        help_text="The event the vector was computed from: deleting it deletes the vector.",
    )
    vector = VectorField()
    text = models.TextField(help_text="The cleaned text that was embedded.")
    match_key = models.CharField(
        max_length=255, help_text="Crash-site key a candidate must share (grouping.clean)."
    )
    statement = models.CharField(
        max_length=32, blank=True, default="", db_default="",
        help_text="Digest of the crash statement of the event it came from (grouping.rename); "
        "empty where its crash site has no code line.")
    line_statement = models.CharField(
        max_length=32, blank=True, default="", db_default="",
        help_text="Digest of that event's crash statement with its line as written, where the "
        "rename path counts a function moved to another file (grouping.rename).")
    site_function = models.CharField(
        max_length=255, blank=True, default="", db_default="",
        help_text="The application function that event crashed in (grouping.rename).")
    site_file = models.CharField(
        max_length=255, blank=True, default="", db_default="",
        help_text="The base name of the file it crashed in (grouping.rename).")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issue", "model"], name="issueembedding_unique")
        ]
        indexes = [
            models.Index(fields=["model", "project", "match_key"], name="issueembedding_scope_idx"),
            models.Index(fields=["model", "project", "statement"],
                         name="issueembedding_statement_idx", condition=~models.Q(statement="")),
        ]

    def __str__(self) -> str:
        return f"issue {self.issue_id} / {self.model_id}"


class ModelState(models.TextChoices):
    AVAILABLE = "available", "Registered"
    SHADOW = "shadow", "Shadow: embeds new fingerprints beside the served model"
    SERVED = "served", "Served"
    PREVIOUS = "previous", "Previous: kept embedded until the promotion is confirmed"
    RETIRED = "retired", "Retired: vectors dropped"


class ModelChange(models.Model):
    """Audit of the registry: who put which model in shadow, promoted, confirmed or rolled back
    (an automatic retrain's promotion has no user)."""

    class Action(models.TextChoices):
        SHADOW = "shadow", "Started shadow"
        PROMOTE = "promote", "Promoted"
        AUTO_PROMOTE = "auto-promote", "Promoted automatically (retrain no worse on validation)"
        CONFIRM = "confirm", "Confirmed (previous vectors dropped)"
        ROLLBACK = "rollback", "Rolled back"
        WITHDRAW = "withdraw", "Withdrawn (its data was withdrawn: weights deleted)"

    action = models.CharField(max_length=16, choices=Action.choices)
    model = models.ForeignKey(EmbeddingModel, on_delete=models.CASCADE, related_name="changes")
    previous = models.ForeignKey(EmbeddingModel, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.model} by {self.user or 'Faultline'}"


class ShadowDecision(models.Model):
    """What a shadow model would have decided for a new fingerprint (the served model decided)."""

    group_hash = models.ForeignKey("monitor.GroupHash", on_delete=models.CASCADE,
                                   related_name="+")
    model = models.ForeignKey(EmbeddingModel, on_delete=models.CASCADE, related_name="shadow")
    matched_issue = models.ForeignKey("monitor.Issue", null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")
    distance = models.FloatField(null=True, blank=True)
    would_join = models.BooleanField(default=False)
    served_joined = models.BooleanField(default=False, help_text="The served model joined it.")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group_hash", "model"],
                                               name="shadowdecision_unique")]

    def __str__(self) -> str:
        return f"{self.model_id} on {self.group_hash_id}: {'join' if self.would_join else 'new'}"
