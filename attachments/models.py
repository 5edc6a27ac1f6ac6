"""Attachments sent with events (files, logs, minidumps), stored in PostgreSQL."""

from __future__ import annotations

from django.db import models


class Attachment(models.Model):
    project = models.ForeignKey("monitor.Project", on_delete=models.CASCADE, related_name="+")
    event_id = models.UUIDField()
    name = models.CharField(max_length=256)
    content_type = models.CharField(max_length=128, blank=True)
    attachment_type = models.CharField(
        max_length=64, default="event.attachment",
        help_text="event.attachment, event.minidump (stored, not processed), event.view_hierarchy…",
    )
    size = models.BigIntegerField()
    data = models.BinaryField()
    received_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["project", "event_id"], name="attachment_event_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.size} bytes)"

    @property
    def is_minidump(self) -> bool:
        return self.attachment_type == "event.minidump"
