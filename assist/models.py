"""Generated summaries, the audit log of every model call, resolution notes, project opt-in."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Generation(models.Model):
    """One requested summary of an issue. The text fields are written once, together, when the
    model's answer was usable; a failure leaves them empty and says why in `error`."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the assist worker"
        RUNNING = "running", "Generating"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    class Trigger(models.TextChoices):
        USER = "user", "Asked for by a user"
        NEW_ISSUE = "new_issue", "New issue in a project that summarises new issues"

    organization = models.ForeignKey(
        "monitor.Organization", on_delete=models.CASCADE, related_name="+"
    )
    issue = models.ForeignKey("monitor.Issue", on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    trigger = models.CharField(max_length=16, choices=Trigger.choices, default=Trigger.USER)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    summary = models.TextField(blank=True)
    cause = models.TextField(blank=True)
    fix = models.TextField(blank=True)
    error = models.CharField(max_length=300, blank=True)
    model = models.CharField(max_length=200, blank=True)
    examples = models.JSONField(
        default=list, blank=True, help_text="Ids of the resolved issues given as examples."
    )
    categories = models.JSONField(
        default=list, blank=True, help_text="Consent categories the prompt used."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["issue", "-created_at"], name="assist_gen_issue_idx")]

    def __str__(self) -> str:
        return f"summary of issue {self.issue_id} ({self.status})"

    # The start of `error` when the grounding check refused the model's answer (assist.grounding)
    REFUSED = "The model's answer was not shown"

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RUNNING)

    @property
    def refused(self) -> bool:
        return self.status == self.Status.FAILED and self.error.startswith(self.REFUSED)


class GenerationLog(models.Model):
    """The audit trail of model calls, for the organisation's owners: who asked, which model,
    the prompt's hash (never the prompt), the consent categories it used, tokens, latency.
    Carries no event content, so it outlives a withdrawal of consent."""

    organization = models.ForeignKey(
        "monitor.Organization", on_delete=models.CASCADE, related_name="+"
    )
    issue = models.ForeignKey(
        "monitor.Issue", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    trigger = models.CharField(max_length=16, choices=Generation.Trigger.choices)
    backend = models.CharField(max_length=32)
    model = models.CharField(max_length=200)
    prompt_sha256 = models.CharField(max_length=64)
    categories = models.JSONField(default=list)
    examples = models.PositiveIntegerField(default=0)
    prompt_tokens = models.PositiveIntegerField(default=0)
    completion_tokens = models.PositiveIntegerField(default=0)
    latency_ms = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=16)  # done, failed
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "-created_at"], name="assist_log_org_idx")]

    def __str__(self) -> str:
        return f"{self.model} for issue {self.issue_id}: {self.outcome}"


class ResolutionNote(models.Model):
    """How an issue was fixed, written by a member; notes of resolved issues similar to a new one
    are given to the model as examples (same organisation only: assist.retrieval)."""

    issue = models.ForeignKey("monitor.Issue", on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"note on issue {self.issue_id}"


class ProjectAssist(models.Model):
    """Per-project opt-in: summarise every new issue without being asked (consent permitting)."""

    project = models.OneToOneField("monitor.Project", on_delete=models.CASCADE, related_name="+")
    summarize_new_issues = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"assist settings of {self.project}"
