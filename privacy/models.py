"""The register of erasures: which end users were erased from an organisation, and when."""

from __future__ import annotations

from django.db import models


class ErasedIdentity(models.Model):
    """One identity (email, user id or IP) of an erased end user, stored as a digest only.
    Events received before `erased_at` that carry it are dropped wherever they still wait:
    raw events at processing, spooled events at replay (privacy.register)."""

    class Kind(models.TextChoices):
        EMAIL = "email", "Email"
        ID = "id", "User id"
        IP = "ip", "IP address"

    organization = models.ForeignKey("monitor.Organization", on_delete=models.CASCADE,
                                     related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    digest = models.CharField(max_length=64, help_text="SHA-256 of the normalised identity.")
    erased_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "kind", "digest"],
                                               name="erasedidentity_unique")]
        indexes = [models.Index(fields=["organization", "erased_at"],
                                name="erasedidentity_recent_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.digest[:12]}… erased {self.erased_at:%Y-%m-%d}"
