"""What severity learning stores: who first opened which issue (the "never opened" label needs
it), the labelled examples of consenting organisations, and the severity heads trained on them
(a registry of their own: shadow, served, previous, retired)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Now


class IssueView(models.Model):
    """The first time a person opened an issue's page (one row per person and issue)."""

    issue = models.ForeignKey("monitor.Issue", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    first_viewed_at = models.DateTimeField(db_default=Now())

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issue", "user"],
                                               name="issueview_unique")]

    def __str__(self) -> str:
        return f"issue {self.issue_id} opened by {self.user_id}"


class SeverityExample(models.Model):
    """One issue's cleaned, PII-scrubbed first stack trace and what its triage says: severe
    (assigned, commented, resolved in a release, escalated) or not (ignored, or never opened
    while its events kept coming). Deleting the event (erased, expired, its issue, project or
    organisation deleted) deletes the row; a merge moves the event and keeps it."""

    batch = models.CharField(max_length=64, db_index=True,
                             help_text="The build it belongs to (one per training run).")
    organization = models.ForeignKey("monitor.Organization", on_delete=models.CASCADE,
                                     related_name="+")
    event = models.ForeignKey("monitor.Event", on_delete=models.CASCADE, related_name="+",
                              db_constraint=False,  # events are partitioned (docs/storage.md)
                              help_text="The issue's first event, the text's source.")
    text = models.TextField()
    severe = models.BooleanField()
    signal = models.CharField(max_length=16, help_text="What gave the label (assigned, "
                              "commented, resolved_next, escalating, ignored, unopened).")
    with_messages = models.BooleanField(help_text="The text includes error messages.")

    def __str__(self) -> str:
        return f"event {self.event_id}: {'severe' if self.severe else 'not severe'}"


class SeverityHead(models.Model):
    """A severity head trained on organisations' triage, for one embedding model. Served only
    once promoted; stale (and out of service at once, the shipped head serving in its place)
    when a contributor withdrew consent or any of its examples was deleted."""

    class State(models.TextChoices):
        SHADOW = "shadow", "Shadow (measured, not served)"
        SERVED = "served", "Served"
        PREVIOUS = "previous", "Previous (kept for rollback)"
        RETIRED = "retired", "Retired"

    class Retrain(models.TextChoices):
        NONE = "", "Not needed"
        SCHEDULED = "scheduled", "Scheduled"
        DONE = "done", "Retrained"
        FAILED = "failed", "Failed (tried again by the next beat)"

    embedding_version = models.CharField(max_length=64, db_index=True,
                                         help_text="The embedding model its vectors come from.")
    state = models.CharField(max_length=16, choices=State.choices, default=State.SHADOW)
    weights = models.JSONField(default=list, blank=True,
                               help_text="Emptied when it goes stale (they encode the data).")
    bias = models.FloatField(default=0.0)
    threshold = models.FloatField(default=0.5)
    batch = models.CharField(max_length=64, blank=True)
    manifest = models.JSONField(default=dict, blank=True)
    rows = models.JSONField(default=dict, blank=True,
                            help_text="Example ids trained on, per organisation id.")
    created_at = models.DateTimeField(auto_now_add=True)
    promoted_at = models.DateTimeField(null=True, blank=True)
    stale = models.BooleanField(default=False)
    stale_reason = models.TextField(blank=True)
    stale_since = models.DateTimeField(null=True, blank=True)
    retrain = models.CharField(max_length=16, choices=Retrain.choices, default="", blank=True)
    replaced_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["embedding_version"], condition=models.Q(state="served"),
            name="severityhead_one_served_per_model")]

    def __str__(self) -> str:
        return f"severity head {self.pk} ({self.state}{', stale' if self.stale else ''})"
