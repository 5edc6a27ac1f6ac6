"""Human labels of stack-trace pairs, the golden set for grouping evaluation."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class LabelledPair(models.Model):
    event_a = models.ForeignKey("monitor.Event", on_delete=models.CASCADE, related_name="+")
    event_b = models.ForeignKey("monitor.Event", on_delete=models.CASCADE, related_name="+")
    same_issue = models.BooleanField(help_text="True: the same bug; False: different bugs.")
    labelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event_a", "event_b"], name="labelledpair_unique")
        ]

    def __str__(self) -> str:
        return f"{self.event_a_id} {'=' if self.same_issue else '≠'} {self.event_b_id}"


class GroupingFeedback(models.Model):
    """A person's grouping decision as a labelled pair: a merge says two events are one bug, an
    unmerge that they are not. Training sets read it (with consent); deleting an event deletes
    the row."""

    class Kind(models.TextChoices):
        MERGE = "merge", "Merged by a user"
        UNMERGE = "unmerge", "Unmerged by a user"

    project = models.ForeignKey("monitor.Project", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    event_a = models.ForeignKey("monitor.Event", on_delete=models.CASCADE, related_name="+")
    event_b = models.ForeignKey("monitor.Event", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.kind}: {self.event_a_id} / {self.event_b_id}"


class MergedIssue(models.Model):
    """Where an issue merged away now lives, so its links (alert e-mails, bookmarks, the API)
    keep working, as Sentry's group redirects do. Chains are kept flat: merging the target away
    later repoints every row to the new survivor. Deleted with the surviving issue."""

    project = models.ForeignKey("monitor.Project", on_delete=models.CASCADE, related_name="+")
    previous_id = models.BigIntegerField(unique=True, help_text="The merged issue's id.")
    issue = models.ForeignKey("monitor.Issue", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.previous_id} → {self.issue_id}"
