"""Invite someone (an address and a role the inviter may give) and create an account from an
invitation (username and password; the address is the invited one)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import UserCreationForm

from monitor.models import Membership


class InviteForm(forms.Form):
    email = forms.EmailField(label="E-mail address", max_length=254,  # the column's length
                             widget=forms.EmailInput(attrs={"placeholder": "name@example.com"}))
    # Every role is valid here; whether the inviter may give it is members.invitations' rule.
    role = forms.ChoiceField(label="Role", choices=Membership.Role.choices)


class InvitedSignupForm(UserCreationForm):
    """Django's own account form: a free username (checked case-insensitively) and a password
    that passes AUTH_PASSWORD_VALIDATORS, which also compare it with the invited address."""

    def __init__(self, *args, email: str, **kwargs):
        kwargs["instance"] = self._meta.model(email=email)
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs["autofocus"] = True
