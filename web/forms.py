"""Settings forms: labelled fields with hints, plain lists instead of JSON, validated ranges."""

from __future__ import annotations

import re

from django import forms

from monitor import limits
from monitor.models import Project, ProjectKey
from web.keys import GRACE_CHOICES

SCRUB_KEY = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")


class KeyListField(forms.CharField):
    """One key name per line (commas also separate) ↔ a list of strings."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        text = super().to_python(value) or ""
        names = [n.strip() for n in re.split(r"[\n,]", text) if n.strip()]
        bad = [n for n in names if not SCRUB_KEY.match(n)]
        if bad:
            raise forms.ValidationError(
                "Key names are letters, digits, _ . - (up to 64 characters); not: "
                + ", ".join(bad[:5]))
        if len(names) > limits.PROJECT_SCRUB_KEYS:
            raise forms.ValidationError(f"At most {limits.PROJECT_SCRUB_KEYS} key names.")
        return list(dict.fromkeys(names))


class ProjectSettingsForm(forms.ModelForm):
    scrub_extra_keys = KeyListField(
        required=False, label="Extra keys to scrub",
        help_text="One key name per line, e.g. ssn or national_id; any key containing one of "
                  "them is replaced with [Filtered].")
    grouping_threshold = forms.FloatField(
        required=False, min_value=0.0, max_value=1.0, label="ML grouping threshold",
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "1"}),
        help_text="Cosine distance from 0 to 1 under which a new fingerprint joins the nearest "
                  "issue; lower is stricter. Empty uses the measured default for the platform.")

    class Meta:
        model = Project
        fields = ["name", "platform", "allowed_origins", "fetch_sources", "scrub_data",
                  "scrub_extra_keys", "grouping_mode", "grouping_threshold"]
        widgets = {"allowed_origins": forms.Textarea(attrs={"rows": 3})}
        labels = {"allowed_origins": "Allowed browser origins", "scrub_data": "Scrub secrets",
                  "fetch_sources": "Fetch source maps from allowed origins",
                  "grouping_mode": "Grouping mode"}
        help_texts = {"platform": "e.g. python or javascript; picks the default ML threshold.",
                      "name": "Shown in the project switcher."}


class KeyForm(forms.ModelForm):
    class Meta:
        model = ProjectKey
        fields = ["label", "rate_limit_count", "rate_limit_window"]
        labels = {"label": "Label", "rate_limit_count": "Rate limit (events)",
                  "rate_limit_window": "Window (seconds)"}
        help_texts = {"label": "Where the key is used, e.g. backend or ci."}


class RotateForm(forms.Form):
    grace = forms.TypedChoiceField(choices=GRACE_CHOICES, coerce=int, initial=0,
                                   label="Old key")
