"""Core models: organisations, their members and projects, DSN keys, issues and events."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models, transaction
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Now

from grouping.fingerprint import FP1


class Organization(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    retention_days = models.PositiveIntegerField(
        default=90,
        help_text="Events older than this are deleted, with everything derived from them.",
    )

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        ADMIN = "admin", "Admin"
        MEMBER = "member", "Member"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization"], name="membership_unique_user_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.organization} ({self.role})"


class Project(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="projects"
    )
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=64)
    platform = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    scrub_data = models.BooleanField(
        default=True,
        help_text="Replace passwords, tokens, cookies, Authorization headers and card numbers "
        "with [Filtered] before events are stored.",
    )
    scrub_extra_keys = models.JSONField(
        default=list, blank=True, help_text="Additional key names (substring match) to filter."
    )

    class GroupingMode(models.TextChoices):
        FINGERPRINT = "fingerprint", "Fingerprint only"
        ML = "ml", "Fingerprint, then nearest issue by embedding"
        SHADOW = "shadow", "Fingerprint; ML decision recorded, not applied"

    grouping_mode = models.CharField(
        max_length=16,
        choices=GroupingMode.choices,
        default=GroupingMode.ML,
        help_text="How a stack trace with a new fingerprint finds its issue.",
    )
    grouping_threshold = models.FloatField(
        null=True,
        blank=True,
        help_text="Cosine distance under which a new fingerprint joins the nearest issue; "
        "empty uses the measured default for the project's platform.",
    )
    allowed_origins = models.TextField(
        default="*",
        blank=True,
        help_text="Origins allowed to send events from browsers, one per line; * allows any.",
    )
    fetch_sources = models.BooleanField(
        default=False,
        help_text="When no uploaded source map resolves a minified frame, fetch the file and "
        "its map from the allowed origins listed above (explicit ones only, not *); takes "
        "effect where the installation enables fetching (SOURCEMAPS_FETCH).",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "slug"], name="project_unique_slug_per_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization.slug}/{self.slug}"

    def origin_allowed(self, origin: str | None) -> bool:
        return origin_allowed(self.allowed_origins, origin)


def origin_allowed(allowed_origins: str, origin: str | None) -> bool:
    """Browser `Origin` check against one pattern per line (`*`, an origin, a host, `*.host`);
    requests without an Origin (server SDKs) always pass."""
    if not origin:
        return True
    patterns = [line.strip() for line in allowed_origins.splitlines() if line.strip()]
    if "*" in patterns:
        return True
    try:
        host = urlsplit(origin).hostname or ""
    except ValueError:  # not a URL ("http://[::1"): only a pattern naming it exactly matches
        host = ""
    for pattern in patterns:
        if pattern in (origin, host):
            return True
        if pattern.startswith("*.") and host.endswith(pattern[1:]):
            return True
    return False


def new_key() -> str:
    return secrets.token_hex(16)


class ProjectKey(models.Model):
    """A DSN key. Several per project; a disabled key is refused at ingest."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="keys")
    label = models.CharField(max_length=100, default="Default")
    public_key = models.CharField(max_length=32, unique=True, default=new_key)
    secret_key = models.CharField(max_length=32, default=new_key)
    is_active = models.BooleanField(default=True)
    rate_limit_count = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Events accepted per window; empty uses the server default.",
    )
    rate_limit_window = models.PositiveIntegerField(
        null=True, blank=True, help_text="Window length in seconds (default 60)."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.label} ({self.public_key[:8]}…)"

    @property
    def dsn(self) -> str:
        base = urlsplit(settings.FAULTLINE_URL)
        path = base.path.rstrip("/")
        return f"{base.scheme}://{self.public_key}@{base.netloc}{path}/{self.project_id}"


class Priority(models.IntegerChoices):
    """Sentry's values: sorting by the number puts the most important first (descending)."""

    LOW = 25, "low"
    MEDIUM = 50, "medium"
    HIGH = 75, "high"


class Issue(models.Model):
    class Status(models.TextChoices):
        UNRESOLVED = "unresolved", "Unresolved"
        RESOLVED = "resolved", "Resolved"
        IGNORED = "ignored", "Ignored"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="issues")
    title = models.CharField(max_length=255)
    culprit = models.CharField(max_length=255, blank=True)
    type = models.CharField(
        max_length=32, default="error", help_text="error, default (message) or csp"
    )
    level = models.CharField(max_length=16, default="error")
    platform = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.UNRESOLVED)
    regressed = models.BooleanField(default=False)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    regressed_at = models.DateTimeField(null=True, blank=True)
    times_seen = models.BigIntegerField(default=0)
    users_seen = models.IntegerField(default=0)
    # Triage workflow (alerts app, docs/alerts.md).
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="assigned_issues",
    )
    ignore_until = models.DateTimeField(null=True, blank=True, help_text="Ignored until then.")
    ignore_until_events = models.BigIntegerField(
        null=True, blank=True, help_text="Ignored until times_seen reaches this."
    )
    ignore_until_users = models.IntegerField(
        null=True, blank=True, help_text="Ignored until users_seen reaches this."
    )
    resolved_in_release = models.CharField(
        max_length=200, blank=True, default="", db_default="",
        help_text="Resolved in the release after this one: only events of a release not seen "
        "on the issue before its resolution reopen it.",
    )
    # Priority and escalation (priority/, docs/priority.md).
    priority = models.PositiveSmallIntegerField(
        choices=Priority.choices, default=Priority.MEDIUM, db_default=Priority.MEDIUM,
        help_text="Set at creation from the issue's signals, raised while it escalates; a "
        "person's choice locks it.",
    )
    priority_locked = models.BooleanField(
        default=False, db_default=False, help_text="Set by a person: nothing changes it again."
    )
    priority_factors = models.JSONField(
        default=list, blank=True, db_default=[],
        help_text="Why it has its priority, in words (\"unhandled\", \"37 users\").",
    )
    severity = models.FloatField(
        null=True, blank=True,
        help_text="The severity model's score over the issue's embedding (0-1); empty without one.",
    )
    priority_before_escalation = models.PositiveSmallIntegerField(
        null=True, blank=True, choices=Priority.choices,
        help_text="The priority to return to when it stops escalating.",
    )
    escalating_since = models.DateTimeField(
        null=True, blank=True, help_text="The hour whose count crossed the limit; empty: not "
        "escalating.",
    )
    escalation_limit = models.FloatField(
        null=True, blank=True,
        help_text="Events per hour above which the issue escalates (forecast from its hourly "
        "counts); empty until first forecast.",
    )
    escalation_limit_at = models.DateTimeField(
        null=True, blank=True, help_text="The hour the limit was forecast for."
    )
    ignore_until_escalating = models.BooleanField(
        default=False, db_default=False,
        help_text="Ignored until it escalates (archived until escalating).",
    )
    # Kept by the database (monitor_event_issue_span, migration 0013): every event of the issue
    # was received in [received_from, received_until), whole hours, so its event queries name
    # the partitions to read (monitor.issue_events). Empty: no event was stored for it.
    received_from = models.DateTimeField(
        null=True, blank=True, editable=False,
        help_text="The hour its oldest stored event was received in (or earlier).")
    received_until = models.DateTimeField(
        null=True, blank=True, editable=False,
        help_text="After the hour its newest event was received in.")

    class Meta:
        indexes = [
            models.Index(fields=["project", "status", "-last_seen"], name="issue_stream_idx"),
            models.Index(fields=["project", "-last_seen"], name="issue_project_last_seen_idx"),
            models.Index(fields=["escalating_since"], name="issue_escalating_idx",
                         condition=models.Q(escalating_since__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.title


class GroupHash(models.Model):
    """Maps a grouping hash to its issue; fingerprinting and ML matching both write it."""

    class MLState(models.TextChoices):
        NONE = "none", "Not eligible (no stack trace, custom fingerprint, fingerprint mode)"
        PENDING = "pending", "Waiting for the embedder"
        DONE = "done", "Decided"
        SKIPPED = "skipped", "Skipped (embedder unavailable or too slow)"
        FAILED = "failed", "Embedder failed"

    class DecidedBy(models.TextChoices):
        FINGERPRINT = "fingerprint", "Fingerprint"
        ML = "ml", "Nearest issue by embedding"
        MERGE = "merge", "Merged by a user"
        UNMERGE = "unmerge", "Unmerged by a user"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="group_hashes")
    hash = models.CharField(max_length=32)
    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="hashes")
    created_at = models.DateTimeField(db_default=Now())
    decided_by = models.CharField(
        max_length=16, choices=DecidedBy.choices, default=DecidedBy.FINGERPRINT
    )
    ml_state = models.CharField(max_length=8, choices=MLState.choices, default=MLState.NONE)
    ml_matched_issue = models.ForeignKey(
        Issue,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The nearest issue within the threshold (joined in ML mode, only recorded in "
        "shadow mode).",
    )
    ml_distance = models.FloatField(null=True, blank=True, help_text="Cosine distance to it.")
    ml_model = models.CharField(max_length=200, blank=True, help_text="name@version")
    ml_rule = models.CharField(
        max_length=300, blank=True,
        help_text="Which rule decided (grouping.policy.GroupingPolicy.rule_for): the family's "
        "own choice, the fallback, the model's or the project's threshold.")
    ml_decided_at = models.DateTimeField(null=True, blank=True)
    # rows written before configurations were recorded were made by the first one; new rows
    # always name theirs (grouping.assign)
    fingerprint_config = models.CharField(
        max_length=32, default=FP1, db_default=FP1,
        help_text="The fingerprint configuration that made the hash (grouping.fingerprint).")
    site_function = models.CharField(
        max_length=255, blank=True, default="", db_default="",
        help_text="The application function its first event crashed in (grouping.rename); "
        "empty for none, and for fingerprints made before it was recorded.")
    site_file = models.CharField(
        max_length=255, blank=True, default="", db_default="",
        help_text="The base name of the file its first event crashed in (grouping.rename); "
        "empty for none, and for fingerprints made before it was recorded.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "hash"], name="grouphash_unique_per_project")
        ]
        indexes = [
            models.Index(
                fields=["id"],
                name="grouphash_ml_pending_idx",
                condition=models.Q(ml_state="pending"),
            )
        ]

    def __str__(self) -> str:
        return self.hash


class Event(models.Model):
    """One stored event. The table is partitioned by `received` (docs/storage.md): the database
    key is (id, received), `id` stays unique and is Django's key. Uniqueness of an event id per
    project lives in EventKey, kept by triggers; the normalized payload lives in the payload
    store (monitor.eventstore), read through `data`. Rows that point at events (labelled pairs,
    feedback, training pairs) carry no database constraint: partitions are dropped whole and
    retention deletes those rows first."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="events")
    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="events")
    event_id = models.UUIDField()
    timestamp = models.DateTimeField()
    received = models.DateTimeField()
    grouping_hash = models.CharField(max_length=32)
    level = models.CharField(max_length=16, default="error")
    platform = models.CharField(max_length=64, blank=True)
    title = models.CharField(max_length=255)
    release = models.CharField(max_length=200, blank=True)
    environment = models.CharField(max_length=64, blank=True)
    user = models.JSONField(default=dict, blank=True)
    tags = models.JSONField(default=list, blank=True, help_text="[[key, value], ...]")
    remote_addr = models.CharField(
        max_length=64, blank=True, default="",
        help_text="request.env.REMOTE_ADDR of the payload, kept here for erasure by IP.")

    class Meta:
        indexes = [
            models.Index(fields=["issue", "-timestamp"], name="event_issue_timestamp_idx"),
            models.Index(fields=["project", "grouping_hash"], name="event_project_hash_idx"),
            models.Index(fields=["project", "received"], name="event_project_received_idx"),
            # the stream's counts under both the environment and the release filter
            models.Index(fields=["issue", "environment", "release"],
                         name="event_issue_env_release_idx"),
            # an issue's events within its received span, counted from the index alone
            models.Index(fields=["issue", "received"], name="event_issue_received_idx"),
            # a project's environments (a loose index scan) and when each first came
            models.Index(fields=["project", "environment", "received"],
                         name="event_project_env_idx"),
            # `user:` searches by email or IP (the user tag holds only the first identity)
            models.Index(KeyTransform("email", "user"), name="event_user_email_idx"),
            models.Index(KeyTransform("ip_address", "user"), name="event_user_ip_idx"),
        ]

    _data: dict | None = None  # the payload, once loaded or given

    def __str__(self) -> str:
        return f"{self.event_id.hex} {self.title}"

    def save(self, *args, **kwargs) -> None:
        """An event created through the ORM stores its payload in the same transaction."""
        from monitor import eventstore

        if not self._state.adding or self._data is None:
            return super().save(*args, **kwargs)
        self.remote_addr = eventstore.remote_addr_of(self._data)
        with transaction.atomic():
            super().save(*args, **kwargs)
            eventstore.store_payloads([self])
        return None

    @property
    def data(self) -> dict:
        """The normalized, scrubbed event: the one accessor of the payload store."""
        if self._data is None:
            from monitor import eventstore

            self._data = eventstore.load_payload(self)
        return self._data

    @data.setter
    def data(self, value: dict) -> None:
        self._data = value

class EventKey(models.Model):
    """The unique (project, event id) of every stored event, in one unpartitioned table: a
    partitioned table cannot enforce it without the partition key. Insert and delete triggers
    on monitor_event keep it; retention deletes the keys of dropped partitions."""

    pk = models.CompositePrimaryKey("project_id", "event_id")
    project_id = models.BigIntegerField()
    event_id = models.UUIDField()
    received = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.project_id}:{self.event_id}"


class EventPayload(models.Model):
    """The zstd-compressed normalized event, partitioned by `received` like its event."""

    pk = models.CompositePrimaryKey("event_id", "received")
    event_id = models.BigIntegerField()
    received = models.DateTimeField()
    body = models.BinaryField()

    def __str__(self) -> str:
        return f"payload of {self.event_id}"


class EventPayloadOrphan(models.Model):
    """Events deleted row by row whose payload was not in the table (the object store): the
    payload sweeper deletes their objects."""

    pk = models.CompositePrimaryKey("event_id", "received")
    event_id = models.BigIntegerField()
    received = models.DateTimeField()

    def __str__(self) -> str:
        return f"orphan payload of {self.event_id}"


class IssueTag(models.Model):
    """Per-issue counts of tag values (also `user`, which backs Issue.users_seen)."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="tag_values")
    key = models.CharField(max_length=64)
    value = models.CharField(max_length=200)
    times_seen = models.BigIntegerField(default=0)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issue", "key", "value"], name="issuetag_unique")
        ]
        indexes = [
            # the issues with a tag value, all at once (a search term ORed with another)
            models.Index(fields=["key", "value"], name="issuetag_key_value_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.key}={self.value} ({self.times_seen})"


class IssueHourlyCount(models.Model):
    """Events an issue received per hour (by the time they were received, never the SDK's
    clock): ingest adds a batch's counts in one upsert, merges and unmerges move them, and the
    escalation forecast reads a week of them without scanning events."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="hourly_counts")
    hour = models.DateTimeField()
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issue", "hour"], name="issuehourlycount_unique")
        ]

    def __str__(self) -> str:
        return f"{self.issue_id}@{self.hour:%Y-%m-%d %H}: {self.count}"


class ProjectTagValue(models.Model):
    """Each value a project's issues have had of the keys a wildcard search resolves against the
    project first (monitor.search.EVENT_FILTERS: release, environment; few values, none
    personal). The database keeps it: a statement trigger on monitor_issuetag adds the values of
    the rows inserted, whatever wrote them (migration 0014); one after a delete queues the
    deleted rows' values for a check (ProjectTagValueCheck), and monitor.tag_values.prune
    (beat) deletes those no row of the project has any more. Until then a value that went is a
    candidate the search looks up in the issues' tag counts and finds on no issue."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tag_values")
    key = models.CharField(max_length=64)
    value = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "key", "value"],
                                    name="projecttagvalue_unique")
        ]

    def __str__(self) -> str:
        return f"{self.project_id}:{self.key}={self.value}"


class ProjectTagValueCheck(models.Model):
    """A project's value whose tag rows were deleted, to be checked (monitor.tag_values.prune):
    the delete trigger on monitor_issuetag appends one per distinct value of each deleting
    statement (migration 0017). No unique key: two deleters of one value never wait for each
    other; the check reads them together."""

    project_id = models.BigIntegerField()
    key = models.CharField(max_length=64)
    value = models.CharField(max_length=200)

    def __str__(self) -> str:
        return f"check {self.project_id}:{self.key}={self.value}"


class ProjectRelease(models.Model):
    """When a project first received an event of each release: "new in the latest release"."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="releases")
    version = models.CharField(max_length=200)
    first_seen = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "version"], name="projectrelease_unique")
        ]
        indexes = [
            models.Index(fields=["project", "-first_seen"], name="projectrelease_latest_idx")
        ]

    def __str__(self) -> str:
        return f"{self.project_id}:{self.version}"
