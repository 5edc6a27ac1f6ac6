"""The one form for a new token, used by the account page and by POST /api/0/tokens/. Left out
(an API call with no body), a token gets full scope and no expiry, as the API's tokens always
had; the account page proposes read only and 90 days."""

from __future__ import annotations

from django import forms

from access.scopes import PRESETS, TOKEN_LIMIT
from apitokens.mint import create_token
from apitokens.models import ApiToken
from monitor import limits

EXPIRY_CHOICES = [("30", "30 days"), ("90", "90 days"), ("365", "1 year"), ("never", "never")]


class NewTokenForm(forms.Form):
    name = forms.CharField(max_length=100, required=False)
    access = forms.ChoiceField(choices=[(key, label) for key, (label, _) in PRESETS.items()],
                               required=False, initial="read")
    expiry = forms.ChoiceField(choices=EXPIRY_CHOICES, required=False, initial="90")

    def __init__(self, data=None, *, user=None) -> None:
        super().__init__(data)
        self.user = user

    def clean(self) -> dict:
        """A user's tokens are bounded (limits.API_TOKENS_PER_USER): rows, and the list
        the account page draws, stay small whatever a script posts."""
        if self.user is not None and self.user.api_tokens.count() >= limits.API_TOKENS_PER_USER:
            raise forms.ValidationError(TOKEN_LIMIT)
        return super().clean()

    def create(self) -> tuple[ApiToken, str]:
        """The new row and its secret, for the form's user (call after is_valid())."""
        data = self.cleaned_data
        expiry = data["expiry"] or "never"
        return create_token(self.user, data["name"].strip() or "API token",
                            data["access"] or "write",
                            days=None if expiry == "never" else int(expiry))
