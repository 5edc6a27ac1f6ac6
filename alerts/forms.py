"""Validation shared by the settings page and the API: one place per rule."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from alerts.destinations import REGISTRY
from alerts.models import AlertDestination, AlertRule

LIMITS = {"threshold": (1, 1_000_000), "window_minutes": (1, 7 * 24 * 60),
          "digest_minutes": (0, 24 * 60)}


def check_limits(values: dict) -> None:
    for name, (low, high) in LIMITS.items():
        value = values.get(name)
        if value is not None and not low <= value <= high:
            raise ValidationError({name: f"between {low} and {high}"})


def clean_destination_config(kind: str, config, staff: bool = False) -> dict:
    """The normalised config, if valid and (some Apprise schemas) if the user may save it."""
    if kind not in REGISTRY:
        raise ValidationError({"kind": f"one of {', '.join(REGISTRY)}"})
    if not isinstance(config, dict):
        raise ValidationError({"config": "an object"})
    cleaned = REGISTRY[kind].clean_config(config)
    REGISTRY[kind].check_permitted(cleaned, staff)
    return cleaned


# Which fields each trigger needs beyond the filters: only a frequency rule counts events.
TRIGGER_FIELDS = {AlertRule.Trigger.FREQUENCY: ("threshold", "window_minutes")}
COUNTING_FIELDS = ("threshold", "window_minutes")


class RuleForm(forms.ModelForm):
    """A rule as "when (trigger and its fields) / if (filters) / then (destinations, digest)".
    The counting fields are asked for, and required, only for the trigger that counts."""

    class Meta:
        model = AlertRule
        fields = ["name", "trigger", "threshold", "window_minutes", "min_level", "environment",
                  "release", "destinations", "digest_minutes"]
        labels = {"trigger": "Trigger", "threshold": "Events", "window_minutes": "within minutes",
                  "min_level": "Level at least", "environment": "Environment",
                  "release": "Release", "destinations": "Send to",
                  "digest_minutes": "Collect for (minutes)"}
        help_texts = {"threshold": "How many events of one issue.",
                      "window_minutes": "Counted by arrival, over this many minutes.",
                      "destinations": "Destinations are added in the project's alert "
                      "settings; a rule without one only logs.",
                      "environment": "Empty: any environment.", "release": "Empty: any release."}
        widgets = {"destinations": forms.CheckboxSelectMultiple}

    def __init__(self, *args, project=None, **kwargs):
        kwargs.setdefault("auto_id", "rule-%s" if not kwargs.get("instance") else
                          f"rule-{kwargs['instance'].pk}-%s")
        super().__init__(*args, **kwargs)
        self.fields["destinations"].queryset = AlertDestination.objects.filter(
            project=project).order_by("id")
        levels = self.fields["min_level"].choices[1:]  # after Django's "---------"
        self.fields["min_level"].choices = [("", "any level"), *levels]
        self.fields["trigger"].choices = AlertRule.Trigger.choices  # no empty choice
        for name in COUNTING_FIELDS:
            self.fields[name].required = False

    def trigger_value(self) -> str:
        """The trigger the form shows (what was posted, else the rule's, else the first)."""
        value = self["trigger"].value()
        return value or AlertRule.Trigger.NEW_ISSUE

    def clean(self):
        cleaned = super().clean()
        needed = TRIGGER_FIELDS.get(cleaned.get("trigger"), ())
        for name in COUNTING_FIELDS:
            if name in needed:
                if cleaned.get(name) is None:
                    self.add_error(name, "Needed for this trigger.")
            else:  # not asked for: the stored value keeps its default
                cleaned[name] = self.instance.__class__._meta.get_field(name).default
        check_limits(cleaned)
        return cleaned


class DestinationForm(forms.Form):
    """One target field whose meaning depends on the kind: addresses, a URL, an Apprise URL."""

    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=AlertDestination.Kind.choices)
    target = forms.CharField(
        required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Email: addresses, one per line. Webhook: https URL. Chat/push: an Apprise URL "
        "such as slack://…, discord://…, ntfy://host/topic, mmost://…, tgram://….",
    )
    to_members = forms.BooleanField(required=False, label="Email project members")

    def __init__(self, *args, staff: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.staff = staff

    def clean(self):
        cleaned = super().clean()
        kind, target = cleaned.get("kind"), (cleaned.get("target") or "").strip()
        if kind == "email":
            config = {"addresses": target, "to_members": cleaned.get("to_members")}
        else:
            config = {"url": target}
        if kind:
            try:
                cleaned["config"] = clean_destination_config(kind, config, self.staff)
            except ValidationError as exc:  # keyed by config field (url, addresses): not ours
                raise ValidationError({"target": exc.messages}) from exc
        return cleaned
