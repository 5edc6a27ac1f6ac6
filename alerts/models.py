"""Alert rules, destinations, the outbox of alert-worthy facts, notifications and their
deliveries; the triage workflow's comments, activity log and notification preferences."""

from __future__ import annotations

import hashlib
import json
import secrets

from django.conf import settings
from django.db import models
from django.db.models.functions import Now

LEVELS = ["debug", "info", "warning", "error", "fatal"]


def new_secret() -> str:
    return secrets.token_hex(32)


def target_digest(kind: str, config: dict) -> str:
    """What a staff approval of private addresses is bound to: the kind and its whole config."""
    canonical = json.dumps([kind, config], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


class AlertRule(models.Model):
    class Trigger(models.TextChoices):
        NEW_ISSUE = "new_issue", "A new issue is created"
        REGRESSION = "regression", "A resolved issue regresses"
        FREQUENCY = "frequency", "An issue reaches N events in M minutes"
        IGNORE_ENDED = "ignore_ended", "An ignored issue's ignore condition ends"
        HIGH_PRIORITY = "high_priority", "A new issue is high priority"
        ESCALATING = "escalating", "An issue escalates"
        PRIORITY = "priority", "A new issue is high priority, or an issue escalates"

    project = models.ForeignKey(
        "monitor.Project", on_delete=models.CASCADE, related_name="alert_rules"
    )
    name = models.CharField(max_length=200)
    trigger = models.CharField(max_length=16, choices=Trigger.choices)
    enabled = models.BooleanField(default=True)
    threshold = models.PositiveIntegerField(
        default=100, help_text="N events (frequency rules only)."
    )
    window_minutes = models.PositiveIntegerField(
        default=60, help_text="in M minutes (frequency rules only)."
    )
    min_level = models.CharField(
        max_length=16, blank=True, choices=[(level, level) for level in LEVELS],
        help_text="Only events of this level or above; empty: any level.",
    )
    environment = models.CharField(max_length=64, blank=True, help_text="Empty: any.")
    release = models.CharField(max_length=200, blank=True, help_text="Empty: any.")
    digest_minutes = models.PositiveIntegerField(
        default=0,
        help_text="Collect firings for this long and send them as one message (0: at once; a "
        "burst processed together is still one message).",
    )
    destinations = models.ManyToManyField("AlertDestination", blank=True, related_name="rules")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class AlertDestination(models.Model):
    class Kind(models.TextChoices):
        EMAIL = "email", "Email"
        WEBHOOK = "webhook", "Webhook (Sentry-style, signed)"
        APPRISE = "apprise", "Chat / push (Apprise URL)"

    project = models.ForeignKey(
        "monitor.Project", on_delete=models.CASCADE, related_name="alert_destinations"
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    config = models.JSONField(
        default=dict, blank=True,
        help_text='email: {"addresses": [...], "to_members": true}; webhook: {"url": ...}; '
        'apprise: {"url": "slack://…"}',
    )
    secret = models.CharField(
        max_length=64, default=new_secret, help_text="Webhook signing secret (HMAC-SHA256)."
    )
    allow_private = models.BooleanField(
        default=False,
        help_text="Allow private, loopback and link-local addresses (staff only; SSRF guard).",
    )
    approved_target = models.CharField(
        max_length=64, blank=True, editable=False,
        help_text="target_digest of the config staff allowed private addresses for; a changed "
        "config no longer matches.",
    )
    enabled = models.BooleanField(default=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"

    def save(self, *args, **kwargs):
        if self._state.adding and self.allow_private and not self.approved_target:
            self.approve_private()  # created with it: only staff paths may set it
        super().save(*args, **kwargs)

    def approve_private(self) -> None:
        """Staff allow private addresses for the current config (and only for it)."""
        self.allow_private = True
        self.approved_target = target_digest(self.kind, self.config)

    def revoke_private(self) -> None:
        self.allow_private, self.approved_target = False, ""

    @property
    def private_allowed(self) -> bool:
        """allow_private, for the config it was approved for."""
        return self.allow_private and self.approved_target == target_digest(self.kind,
                                                                             self.config)

    @property
    def is_failing(self) -> bool:
        """Flagged after ALERTS_FAILING_AFTER failed attempts in a row."""
        return self.consecutive_failures >= settings.ALERTS_FAILING_AFTER


class AlertFact(models.Model):
    """The outbox: what event processing saw, written in its transaction, evaluated later."""

    class Kind(models.TextChoices):
        NEW = "new", "Issue created"
        REGRESSION = "regression", "Issue regressed"
        IGNORED_HIT = "ignored_hit", "Ignored issue got events"
        EVENTS = "events", "Issue got events"
        ESCALATING = "escalating", "Issue escalated"

    project_id = models.BigIntegerField()
    issue_id = models.BigIntegerField()
    kind = models.CharField(max_length=16, choices=Kind.choices)
    count = models.PositiveIntegerField(default=1)
    level = models.CharField(max_length=16, blank=True)
    environment = models.CharField(max_length=64, blank=True)
    release = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(help_text="When the events were received.")

    def __str__(self) -> str:
        return f"{self.kind} issue {self.issue_id}"


class AlertFiring(models.Model):
    """A rule fired for an issue; unique per condition key, so it fires at most once for it."""

    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="firings")
    issue = models.ForeignKey("monitor.Issue", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    notification = models.ForeignKey(
        "AlertNotification", on_delete=models.CASCADE, related_name="firings"
    )
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rule", "issue", "key"], name="alertfiring_once")
        ]

    def __str__(self) -> str:
        return f"{self.rule_id}/{self.issue_id}/{self.key}"


class AlertNotification(models.Model):
    """One message: a rule's firings collected over its digest window (or a test message)."""

    class State(models.TextChoices):
        OPEN = "open", "Collecting"
        SENT = "sent", "Handed to destinations"
        CAPPED = "capped", "Dropped: project hourly cap reached"

    project = models.ForeignKey("monitor.Project", on_delete=models.CASCADE, related_name="+")
    rule = models.ForeignKey(
        AlertRule, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    test = models.BooleanField(default=False)
    state = models.CharField(max_length=8, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField(db_default=Now())
    send_after = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["send_after"], name="alertnotif_open_idx", condition=models.Q(state="open")
            ),
            models.Index(fields=["project", "sent_at"], name="alertnotif_cap_idx"),
        ]

    def __str__(self) -> str:
        return f"notification {self.id} ({self.state})"


class AlertDelivery(models.Model):
    """A notification to one destination; retried with back-off until sent or given up."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    notification = models.ForeignKey(
        AlertNotification, on_delete=models.CASCADE, related_name="deliveries"
    )
    destination = models.ForeignKey(
        AlertDestination, on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_default=Now())
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        indexes = [
            models.Index(
                fields=["next_attempt_at"], name="alertdelivery_pending_idx",
                condition=models.Q(status="pending"),
            )
        ]

    def __str__(self) -> str:
        return f"delivery {self.id} ({self.status})"


class DeliveryAttempt(models.Model):
    """Every attempt: when, where, how it ended."""

    delivery = models.ForeignKey(AlertDelivery, on_delete=models.CASCADE, related_name="tries")
    destination = models.ForeignKey(
        AlertDestination, on_delete=models.CASCADE, related_name="attempts"
    )
    at = models.DateTimeField(db_default=Now())
    ok = models.BooleanField()
    status_code = models.IntegerField(null=True, blank=True)
    error = models.TextField(blank=True, help_text="Shown to members: no URL, no response body.")
    detail = models.TextField(
        blank=True, help_text="Library message or response excerpt; owners and admins only."
    )
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["destination", "-at"], name="deliveryattempt_dest_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {'ok' if self.ok else 'failed'}"


class Activity(models.Model):
    class Kind(models.TextChoices):
        CREATED = "created", "created"
        REGRESSED = "regressed", "regressed"
        RESOLVED = "resolved", "resolved"
        RESOLVED_NEXT = "resolved_next", "resolved in the next release"
        IGNORED = "ignored", "ignored"
        UNIGNORED = "unignored", "ignore ended"
        REOPENED = "reopened", "reopened"
        MERGED = "merged", "merged"
        UNMERGED = "unmerged", "unmerged"
        ASSIGNED = "assigned", "assigned"
        COMMENTED = "commented", "commented"
        ALERT_SENT = "alert_sent", "alert sent"
        ESCALATING = "escalating", "escalating"
        DEESCALATED = "deescalated", "stopped escalating"
        PRIORITY = "priority", "priority changed"

    issue = models.ForeignKey("monitor.Issue", on_delete=models.CASCADE, related_name="activity")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        indexes = [models.Index(fields=["issue", "-created_at"], name="activity_issue_idx")]

    def __str__(self) -> str:
        return f"issue {self.issue_id} {self.kind}"


class Comment(models.Model):
    issue = models.ForeignKey("monitor.Issue", on_delete=models.CASCADE, related_name="comments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(max_length=10000)
    created_at = models.DateTimeField(db_default=Now())

    def __str__(self) -> str:
        return self.text[:50]


class NotificationPreference(models.Model):
    """A user's email choice, for one project or (project empty) as their default."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    project = models.ForeignKey(
        "monitor.Project", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    email = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "project"], name="notifpref_unique", nulls_distinct=False
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}/{self.project_id}: email {self.email}"
