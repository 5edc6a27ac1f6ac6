"""What the triage UI stores of its own: saved searches, and rotated keys' grace periods."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from monitor.models import Project, ProjectKey


class SavedSearch(models.Model):
    """A named stream query (the stream's query string) of one user in one project."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="saved_searches")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=80)
    query = models.CharField(max_length=1000, help_text="The stream's query string.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "project", "name"],
                                               name="savedsearch_unique_name")]

    def __str__(self) -> str:
        return self.name


class KeyRetirement(models.Model):
    """A rotated key that keeps working until `disable_at` (the rotation's grace period)."""

    key = models.OneToOneField(ProjectKey, on_delete=models.CASCADE, related_name="retirement")
    disable_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.key} until {self.disable_at}"
