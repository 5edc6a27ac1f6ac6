"""Per-organisation consent to use its service data, per purpose and data category.

Everything is off by default. Generative features cannot be enabled for an organisation under a
BAA (HIPAA) or hosted in the EU data region: `clean()` says why, `save()` refuses, and a
database constraint stops even a raw UPDATE. Every change is written to the audit trail.
Consumers never read these flags: they ask `consent.policy.allowed`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction

from consent.signals import consent_changed


class Purpose(models.TextChoices):
    TRAINING = "training", "Model training and ML features"
    GENERATIVE = "generative", "Generative AI features"


class Category(models.TextChoices):
    ERROR_MESSAGES = "error_messages", "Error messages"
    STACK_TRACES = "stack_traces", "Stack traces"
    SPANS = "spans", "Spans"
    DOM_INTERACTIONS = "dom_interactions", "DOM interactions and breadcrumbs"
    REPOSITORY_CODE = "repository_code", "Code from linked repositories"
    USAGE_DATA = "usage_data", "Usage data (how members triage issues)"


CATEGORIES = {
    Purpose.TRAINING: (Category.ERROR_MESSAGES, Category.STACK_TRACES, Category.SPANS,
                       Category.DOM_INTERACTIONS, Category.USAGE_DATA),
    Purpose.GENERATIVE: (Category.ERROR_MESSAGES, Category.STACK_TRACES, Category.SPANS,
                         Category.DOM_INTERACTIONS, Category.REPOSITORY_CODE),
}


def flag_name(purpose: str, category: str) -> str:
    return f"{purpose}_{category}"


FLAGS = [flag_name(p, c) for p, categories in CATEGORIES.items() for c in categories]
GENERATIVE_FLAGS = [flag_name(Purpose.GENERATIVE, c) for c in CATEGORIES[Purpose.GENERATIVE]]
AUDITED = ["data_region", "under_baa", "hide_ai_features", *FLAGS]


def _flag(purpose: Purpose, category: Category) -> models.BooleanField:
    help_texts = {
        Purpose.TRAINING: "May this organisation's {what} be used to train models and power "
        "ML features (for example, training the grouping model)?",
        Purpose.GENERATIVE: "May this organisation's {what} be sent to generative AI features "
        "(suggested fixes, retrieval over its own data)?",
    }
    return models.BooleanField(
        f"{purpose.label}: {category.label.lower()}",
        default=False,
        help_text=help_texts[purpose].format(what=category.label.lower()),
    )


class OrganizationConsent(models.Model):
    class Region(models.TextChoices):
        US = "us", "United States"
        EU = "eu", "European Union"

    organization = models.OneToOneField(
        "monitor.Organization", on_delete=models.CASCADE, related_name="consent"
    )
    data_region = models.CharField(
        max_length=2, choices=Region.choices, default=Region.US,
        help_text="Where the organisation's data is hosted. EU: generative features locked off.",
    )
    under_baa = models.BooleanField(
        "Under a BAA (HIPAA)", default=False,
        help_text="A Business Associate Agreement is in force: generative features locked off.",
    )
    hide_ai_features = models.BooleanField(
        default=False,
        help_text="Hide every AI feature in the product for the whole organisation; generative "
        "features are then refused whatever the flags below say.",
    )
    training_error_messages = _flag(Purpose.TRAINING, Category.ERROR_MESSAGES)
    training_stack_traces = _flag(Purpose.TRAINING, Category.STACK_TRACES)
    training_spans = _flag(Purpose.TRAINING, Category.SPANS)
    training_dom_interactions = _flag(Purpose.TRAINING, Category.DOM_INTERACTIONS)
    training_usage_data = _flag(Purpose.TRAINING, Category.USAGE_DATA)
    generative_error_messages = _flag(Purpose.GENERATIVE, Category.ERROR_MESSAGES)
    generative_stack_traces = _flag(Purpose.GENERATIVE, Category.STACK_TRACES)
    generative_spans = _flag(Purpose.GENERATIVE, Category.SPANS)
    generative_dom_interactions = _flag(Purpose.GENERATIVE, Category.DOM_INTERACTIONS)
    generative_repository_code = _flag(Purpose.GENERATIVE, Category.REPOSITORY_CODE)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "organisation data-usage consent"
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(under_baa=False) & ~models.Q(data_region="eu"))
                | models.Q(**{name: False for name in GENERATIVE_FLAGS}),
                name="consent_generative_locked_for_baa_and_eu",
            )
        ]

    def __str__(self) -> str:
        return f"consent of {self.organization}"

    def save(self, *args, changed_by=None, **kwargs) -> None:
        """Validates, saves and writes one audit row per changed field, in one transaction."""
        self.clean()
        with transaction.atomic():
            before = None
            if self.pk:
                before = OrganizationConsent.objects.select_for_update().filter(pk=self.pk).first()
            super().save(*args, **kwargs)
            changes = [
                ConsentChange(
                    organization_id=self.organization_id,
                    changed_by=changed_by,
                    field=name,
                    old_value="" if before is None else str(getattr(before, name)),
                    new_value=str(getattr(self, name)),
                )
                for name in AUDITED
                if before is None or getattr(before, name) != getattr(self, name)
            ]
            ConsentChange.objects.bulk_create(changes)
            if changes:
                transaction.on_commit(lambda: consent_changed.send(
                    sender=OrganizationConsent, organization_id=self.organization_id))

    def delete(self, *args, changed_by=None, **kwargs):
        """Deleting the row withdraws everything: audited per field that was on, signalled."""
        with transaction.atomic():
            changes = [
                ConsentChange(organization_id=self.organization_id, changed_by=changed_by,
                              field=name, old_value=str(getattr(self, name)),
                              new_value="(deleted)")
                for name in AUDITED
            ]
            result = super().delete(*args, **kwargs)
            ConsentChange.objects.bulk_create(changes)
            organization_id = self.organization_id
            transaction.on_commit(lambda: consent_changed.send(
                sender=OrganizationConsent, organization_id=organization_id))
        return result

    def clean(self) -> None:
        if self.generative_locked:
            enabled = [name for name in GENERATIVE_FLAGS if getattr(self, name)]
            if enabled:
                why = "under a BAA" if self.under_baa else "hosted in the EU data region"
                raise ValidationError(
                    {name: f"Generative AI features cannot be enabled for an organisation {why}."
                     for name in enabled}
                )

    @property
    def generative_locked(self) -> bool:
        return self.under_baa or self.data_region == self.Region.EU


class ConsentChange(models.Model):
    """The audit trail: who changed which consent setting when, from what to what."""

    organization = models.ForeignKey(
        "monitor.Organization", on_delete=models.CASCADE, related_name="consent_changes"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    field = models.CharField(max_length=64)
    old_value = models.CharField(max_length=64, blank=True)
    new_value = models.CharField(max_length=64)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.field}: {self.old_value or '—'} → {self.new_value}"
