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
