"""Training sets built from consenting organisations' data, and the models trained on them."""

from __future__ import annotations

from django.db import models


class TrainingSet(models.Model):
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    path = models.CharField(max_length=500, help_text="The JSON-lines file, rewritten on change.")

    def __str__(self) -> str:
        return self.name


class Contribution(models.Model):
    """An organisation whose data is in a training set (consent was checked when it entered)."""

    training_set = models.ForeignKey(TrainingSet, on_delete=models.CASCADE,
                                     related_name="contributions")
    organization = models.ForeignKey("monitor.Organization", on_delete=models.CASCADE,
                                     related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["training_set", "organization"],
                                               name="contribution_unique")]

    def __str__(self) -> str:
        return f"{self.organization_id} in {self.training_set_id}"


class TrainingPair(models.Model):
    """Two cleaned, PII-scrubbed stack traces and whether they are the same issue. Deleting
    either event (or its organisation) deletes the row."""

    training_set = models.ForeignKey(TrainingSet, on_delete=models.CASCADE, related_name="pairs")
    organization = models.ForeignKey("monitor.Organization", on_delete=models.CASCADE,
                                     related_name="+")
    event_a = models.ForeignKey("monitor.Event", on_delete=models.CASCADE, related_name="+",
                                db_constraint=False)
    event_b = models.ForeignKey("monitor.Event", on_delete=models.CASCADE, related_name="+",
                                db_constraint=False)
    text_a = models.TextField()
    text_b = models.TextField()
    same_issue = models.BooleanField()
    with_messages = models.BooleanField(help_text="The texts include error messages.")
    source = models.CharField(max_length=8, default="issue",
                              help_text="issue (two fingerprints of one issue, or two issues), "
                              "merge or unmerge (a person's decision).")

    def __str__(self) -> str:
        return f"pair {self.pk} ({'same' if self.same_issue else 'different'})"


class TrainedModel(models.Model):
    """A model trained on a training set; stale once any contributor withdrew consent or any of
    its rows was deleted (training.lifecycle.reconcile)."""

    class Retrain(models.TextChoices):
        NONE = "", "Not needed"
        SCHEDULED = "scheduled", "Scheduled"
        DONE = "done", "Retrained"
        FAILED = "failed", "Failed (tried again after a back-off)"
        WITHDRAWN = "withdrawn", "Withdrawn: stale past the bound, weights deleted"

    name = models.CharField(max_length=200)
    training_set = models.ForeignKey(TrainingSet, null=True, on_delete=models.SET_NULL,
                                     related_name="models")
    trained_at = models.DateTimeField(auto_now_add=True)
    stale = models.BooleanField(default=False)
    stale_reason = models.TextField(blank=True)
    stale_since = models.DateTimeField(
        null=True, blank=True, help_text="When it was found stale: it serves at most "
        "FAULTLINE_STALE_SERVING_HOURS from then (training.lifecycle.withdraw_overdue).")
    retrain_attempts = models.PositiveIntegerField(default=0, help_text="Failed retrains.")
    retrain_after = models.DateTimeField(
        null=True, blank=True, help_text="The next retrain is not tried before this (back-off).")
    withdrawn_at = models.DateTimeField(null=True, blank=True,
                                        help_text="When it stopped serving, stale past the bound.")
    embedding_model = models.OneToOneField("embeddings.EmbeddingModel", null=True, blank=True,
                                           on_delete=models.SET_NULL,
                                           related_name="trained")
    path = models.CharField(max_length=500, blank=True, help_text="The model directory.")
    manifest = models.JSONField(default=dict, blank=True,
                                help_text="Also written as manifest.json beside the weights.")
    rows = models.JSONField(default=dict, blank=True,
                            help_text="Training-row ids used, per organisation id.")
    retrain = models.CharField(max_length=16, choices=Retrain.choices, default="", blank=True)
    replaced_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    def __str__(self) -> str:
        return f"{self.name}{' (stale)' if self.stale else ''}"

    @property
    def organization_ids(self) -> list[int]:
        return sorted(int(org) for org in (self.manifest.get("rows_per_organization") or {}))
