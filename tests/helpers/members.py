"""Acme's owner, admin and member with a known password, and inviting someone through the
organisation's settings page."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from monitor.models import Membership

PASSWORD = "correct horse battery 42"


def user(name: str, email: str = "", organization=None, role: str | None = None):
    account = get_user_model().objects.create_user(name, email=email, password=PASSWORD)
    if organization is not None and role is not None:
        Membership.objects.create(user=account, organization=organization, role=role)
    return account


@pytest.fixture
def acme(org):
    return {role: user(f"{role}-of-acme", f"{role}@acme.example", org, role)
            for role in ("owner", "admin", "member")}


def invite(client: Client, org, email: str, role: str = "member"):
    return client.post(f"/{org.slug}/settings/invitations/",
                       {"action": "invite", "email": email, "role": role})
