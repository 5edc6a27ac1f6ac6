"""User feedback: what a user wrote about an error (or about the app, with no event)."""

from __future__ import annotations

from django.db import models


class UserFeedback(models.Model):
    class Source(models.TextChoices):
        FEEDBACK = "feedback", "Feedback widget / captureFeedback"
        USER_REPORT = "user_report", "User report (legacy)"
        API = "api", "User-feedback endpoint"

    project = models.ForeignKey("monitor.Project", on_delete=models.CASCADE, related_name="+")
    feedback_id = models.UUIDField(help_text="The feedback's own id (its envelope item).")
    event_id = models.UUIDField(null=True, blank=True, help_text="The event it is about.")
    name = models.CharField(max_length=128, blank=True)
    email = models.CharField(max_length=128, blank=True)
    comments = models.TextField()
    url = models.CharField(max_length=1024, blank=True)
    source = models.CharField(max_length=16, choices=Source.choices)
    received_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "feedback_id"],
                                               name="userfeedback_unique_id")]
        indexes = [models.Index(fields=["project", "event_id"], name="userfeedback_event_idx")]

    def __str__(self) -> str:
        return f"{self.name or self.email or 'anonymous'}: {self.comments[:40]}"
