"""The shared cast: alice owns the project's organisation, bob is a member of it, charlie is an
outsider (he owns another organisation). `cast` is a fixture (tests/conftest.py registers it);
the factories build anyone else a test needs. Models are imported when called: conftest loads
this module before Django is set up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest


def make_user(username: str, **fields):
    """A user whose password is `pw-<username>-123` unless `fields` says otherwise."""
    from django.contrib.auth import get_user_model

    fields.setdefault("password", f"pw-{username}-123")
    return get_user_model().objects.create_user(username, **fields)


def join(user, organization, role: str = "member"):
    """A membership: role "owner", "admin" or "member"."""
    from monitor.models import Membership

    return Membership.objects.create(user=user, organization=organization, role=role)


def make_org(name: str = "Other", slug: str | None = None):
    from monitor.models import Organization

    return Organization.objects.create(name=name, slug=slug or name.lower())


def make_project(organization, name: str = "O", slug: str | None = None, **fields):
    from monitor.models import Project

    return Project.objects.create(organization=organization, name=name,
                                  slug=slug or name.lower(), **fields)


@dataclass
class Cast:
    project: Any
    alice: Any  # owns project.organization
    bob: Any  # a member of it
    charlie: Any  # an outsider: owns `other`
    other: Any  # charlie's organisation


@pytest.fixture
def cast(project) -> Cast:
    alice = make_user("alice", email="alice@example.com")
    bob = make_user("bob", email="bob@example.com")
    charlie = make_user("charlie")
    join(alice, project.organization, "owner")
    join(bob, project.organization)
    other = make_org("Other")
    join(charlie, other, "owner")
    return Cast(project, alice, bob, charlie, other)
