"""Raw events: committed before the endpoint replies, deleted once processed into an Event."""

from __future__ import annotations

from django.db import models


class RawEvent(models.Model):
    class Kind(models.TextChoices):
        EVENT = "event", "Event"
        CSP = "csp", "CSP report"

    project = models.ForeignKey("monitor.Project", on_delete=models.CASCADE, related_name="+")
    event_id = models.UUIDField()
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.EVENT)
    payload = models.BinaryField(help_text="The decoded JSON body as received.")
    received_at = models.DateTimeField()
    retry_at = models.DateTimeField(
        null=True, blank=True, help_text="Not processed again before this."
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    user_agent = models.CharField(
        max_length=512, blank=True, db_default="", help_text="The HTTP request's User-Agent."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "event_id"], name="rawevent_unique_id_per_project"
            )
        ]
        indexes = [
            models.Index(fields=["received_at"], name="rawevent_received_idx"),
            models.Index(fields=["project", "id"], name="rawevent_fairshare_idx"),
        ]

    def __str__(self) -> str:
        return f"raw {self.event_id.hex} ({self.attempts} attempts)"


class RawClaim(models.Model):
    """How many times a worker took a raw event into a batch, committed on a connection of its
    own before the batch runs. A worker that dies mid-batch (OOM kill, SIGKILL) rolls the batch
    back but leaves this count behind, so such an event is retried alone and, after
    PROCESSING_ATTEMPTS (monitor.limits) deaths, becomes a dead letter instead of crash-looping
    the workers."""

    raw_event_id = models.BigIntegerField(primary_key=True)
    claims = models.PositiveSmallIntegerField(default=0)

    def __str__(self) -> str:
        return f"raw {self.raw_event_id}: {self.claims} claims"
