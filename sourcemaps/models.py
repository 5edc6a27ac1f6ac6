"""Organisation auth tokens, uploaded chunks, and artifact bundles indexed for symbolication."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class OrgAuthToken(models.Model):
    """An organisation-scoped token for CI (`sntrys_...`, Sentry's format: sentry-cli reads
    the server URL and organisation from it). Only a SHA-256 of the token is stored."""

    organization = models.ForeignKey(
        "monitor.Organization", on_delete=models.CASCADE, related_name="auth_tokens"
    )
    name = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    token_last_characters = models.CharField(max_length=4)
    scopes = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} (…{self.token_last_characters})"


class UploadChunk(models.Model):
    """A chunk of a file being uploaded, keyed by its SHA-1; deleted once its bundle is
    assembled or has failed, or a day later (privacy.deletion.purge_expired)."""

    organization = models.ForeignKey("monitor.Organization", on_delete=models.CASCADE,
                                     related_name="+")
    checksum = models.CharField(max_length=40)
    data = models.BinaryField()
    charge = models.PositiveIntegerField(
        default=0, help_text="Bytes counted against the organisation's pending chunk quota."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "checksum"],
                                               name="uploadchunk_unique_per_org")]

    def __str__(self) -> str:
        return f"chunk {self.checksum}"


class PendingChunkUsage(models.Model):
    """The bytes of pending chunks one organisation holds: charged by a conditional UPDATE
    (atomic against the quota), released when chunks are deleted (sourcemaps.quota)."""

    organization = models.OneToOneField("monitor.Organization", on_delete=models.CASCADE,
                                        primary_key=True, related_name="+")
    pending_bytes = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.pending_bytes} pending chunk bytes"


class BundleAssembly(models.Model):
    """An assemble request the worker has yet to finish, or one that failed: the state
    sentry-cli polls. Deleted when its bundle is stored; a failure is answered for
    SOURCEMAPS_ASSEMBLE_STATE_SECONDS."""

    class State(models.TextChoices):
        CREATED = "created"
        ASSEMBLING = "assembling"
        ERROR = "error"

    organization = models.ForeignKey("monitor.Organization", on_delete=models.CASCADE,
                                     related_name="+")
    checksum = models.CharField(max_length=40)
    chunks = models.JSONField(default=list)
    project_ids = models.JSONField(default=list)
    release = models.CharField(max_length=200, blank=True)
    dist = models.CharField(max_length=64, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.CREATED)
    detail = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "checksum"],
                                               name="bundleassembly_unique_per_org")]

    def __str__(self) -> str:
        return f"assembly {self.checksum[:12]} ({self.state})"


class ArtifactBundle(models.Model):
    """One assembled artifact bundle (a zip with a manifest) for one or more projects."""

    organization = models.ForeignKey("monitor.Organization", on_delete=models.CASCADE,
                                     related_name="+")
    checksum = models.CharField(max_length=40, help_text="SHA-1 of the whole bundle.")
    bundle_id = models.CharField(max_length=64, blank=True)
    release = models.CharField(max_length=200, blank=True)
    dist = models.CharField(max_length=64, blank=True)
    size = models.BigIntegerField()
    file_count = models.PositiveIntegerField()
    projects = models.ManyToManyField("monitor.Project", related_name="artifact_bundles")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(
        auto_now_add=True, help_text="Bumped (daily) when a frame is resolved with it; "
        "retention counts from here."
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "checksum"],
                                               name="artifactbundle_unique_per_org")]

    def __str__(self) -> str:
        return f"bundle {self.bundle_id or self.checksum[:12]} ({self.file_count} files)"


class ArtifactFile(models.Model):
    """A file of a bundle, indexed per project by (debug id, kind) and by release + URL."""

    class Kind(models.TextChoices):
        MINIFIED_SOURCE = "minified_source"
        SOURCE_MAP = "source_map"
        SOURCE = "source"
        OTHER = "other"

    bundle = models.ForeignKey(ArtifactBundle, on_delete=models.CASCADE, related_name="files")
    project = models.ForeignKey("monitor.Project", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    debug_id = models.UUIDField(null=True, blank=True)
    url = models.CharField(max_length=1024)
    release = models.CharField(max_length=200, blank=True)
    dist = models.CharField(max_length=64, blank=True)
    headers = models.JSONField(default=dict, blank=True)
    content = models.BinaryField()

    class Meta:
        indexes = [
            models.Index(fields=["project", "debug_id", "kind"], name="artifactfile_debug_id_idx"),
            models.Index(fields=["project", "release", "dist", "url"],
                         name="artifactfile_release_url_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.url}"
