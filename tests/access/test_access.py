"""The access rules have one home (the `access` package): the lookups 404 or deny as the
permission matrix expects, every refusal of the owner-or-admin rule says the same thing, and no
other module writes the membership filter or the role comparison again. The whole policy per URL
is tests/access/test_permissions_matrix.py; this file is about the rules' home.

alice owns Acme, dave is an admin there, bob a member; charlie owns Globex."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.test import APIClient

from alerts.models import AlertDestination
from monitor.models import Issue, Membership, Organization

ROOT = Path(__file__).resolve().parents[2]
PRESENTATION_APPS = ("api", "web", "alerts", "sourcemaps", "attachments", "assist", "feedback",
                     "members", "consent", "grouping", "training")


@pytest.fixture
def cast(project):
    users = get_user_model().objects
    globex = Organization.objects.create(name="Globex", slug="globex")
    people = {name: users.create_user(name) for name in ("alice", "dave", "bob", "charlie")}
    for name, organization, role in (("alice", project.organization, "owner"),
                                     ("dave", project.organization, "admin"),
                                     ("bob", project.organization, "member"),
                                     ("charlie", globex, "owner")):
        Membership.objects.create(user=people[name], organization=organization, role=role)
    now = timezone.now()
    issue = Issue.objects.create(project=project, title="Boom", first_seen=now, last_seen=now)
    return {"project": project, "issue": issue, "globex": globex, **people}


# -- the lookups ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_project_and_issue_lookups_hide_from_strangers_and_deny_members_who_manage(cast):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from access import MANAGERS_ONLY, issue_for, project_by_id, project_for

    project, issue = cast["project"], cast["issue"]
    assert project_for(cast["bob"], "acme", "backend") == project
    assert project_by_id(cast["dave"], project.id, manage=True) == project
    assert issue_for(cast["alice"], issue.id, manage=True) == issue
    with pytest.raises(Http404):
        project_for(cast["charlie"], "acme", "backend")
    with pytest.raises(Http404):  # hidden comes before denied: nothing says it exists
        issue_for(cast["charlie"], issue.id, manage=True)
    with pytest.raises(Http404):
        issue_for(cast["bob"], issue.id, project__slug="elsewhere")
    with pytest.raises(PermissionDenied, match=MANAGERS_ONLY):
        project_for(cast["bob"], "acme", "backend", manage=True)
    with pytest.raises(PermissionDenied, match=MANAGERS_ONLY):
        issue_for(cast["bob"], issue.id, manage=True)


@pytest.mark.django_db
def test_organisation_lookups_and_role_predicates(cast):
    from django.http import Http404

    from access import (
        can_manage,
        is_owner,
        organization_for,
        owned_organization,
        role_of,
        visible_organizations,
        visible_projects,
    )

    acme = cast["project"].organization
    assert [o.slug for o in visible_organizations(cast["bob"])] == ["acme"]
    assert not visible_organizations(cast["bob"], manage=True).exists()
    assert [o.slug for o in visible_organizations(cast["dave"], manage=True)] == ["acme"]
    assert list(visible_projects(cast["charlie"])) == []
    assert organization_for(cast["bob"], "acme") == acme
    assert owned_organization(cast["alice"], "acme") == acme
    for user in ("dave", "bob", "charlie"):  # owner-only things are hidden, not refused
        with pytest.raises(Http404):
            owned_organization(cast[user], "acme")
    assert [role_of(cast[u], acme.id) for u in ("alice", "dave", "bob", "charlie")] == [
        "owner", "admin", "member", None]
    assert [can_manage(cast[u], acme.id) for u in ("alice", "dave", "bob")] == [True, True, False]
    assert is_owner(cast["alice"], acme.id) and not is_owner(cast["dave"], acme.id)


# -- one message per rule ---------------------------------------------------------------------


@pytest.mark.django_db
def test_every_api_refusal_of_a_member_says_the_same_thing(cast):
    """Creating a project or a key, reading dead letters, changing a project, creating an alert
    rule, sending a test: one rule (owners and admins), one message."""
    project = cast["project"]
    destination = AlertDestination.objects.create(
        project=project, name="Hook", kind="webhook", config={"url": "http://127.0.0.1:9/"}
    )
    bob = APIClient()
    bob.force_authenticate(cast["bob"])
    base = f"/api/0/projects/{project.id}/"
    answers = [
        bob.post("/api/0/projects/", {"name": "N", "slug": "n", "organization": "acme",
                                      "platform": "python"}, format="json"),
        bob.post(base + "keys/", {"label": "Extra"}, format="json"),
        bob.get(base + "dead-letters/"),
        bob.patch(base, {"name": "Renamed"}, format="json"),
        bob.post(base + "alert-rules/", {"name": "R", "trigger": "new_issue"}, format="json"),
        bob.post(base + f"alert-destinations/{destination.id}/test/"),
    ]
    assert [a.status_code for a in answers] == [403] * len(answers)
    messages = {str(a.data["detail"]) for a in answers}
    assert messages == {"only owners and admins of the organisation may do this"}


# -- one home ---------------------------------------------------------------------------------


def _modules():
    """Every module of the project's packages (the apps at the root), migrations aside."""
    for package in sorted(p.parent for p in ROOT.glob("*/__init__.py")):
        if package.name in ("tests", "bench"):
            continue
        for path in sorted(package.rglob("*.py")):
            relative = path.relative_to(ROOT)
            if "migrations" not in relative.parts:
                yield relative, ast.parse(path.read_text(), str(relative))


def test_membership_filter_and_role_comparison_live_only_in_access():
    """`memberships__user=` as a query keyword and `... in MANAGERS` are the rule itself: written
    anywhere but access/, they are a second home that can drift from the first."""
    found = []
    for relative, tree in _modules():
        if relative.parts[0] == "access":
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg and "memberships__user" in node.arg:
                found.append(f"{relative}:{node.lineno} {node.arg}=")
            if isinstance(node, ast.Compare) and any(
                isinstance(c, ast.Name) and c.id == "MANAGERS" for c in node.comparators
            ):
                found.append(f"{relative}:{node.lineno} in MANAGERS")
    assert not found, "use access (visible_*, *_for, can_manage) instead:\n" + "\n".join(found)


def test_access_imports_no_feature_or_presentation_app():
    """Feature apps import access; if access imported them, they could not."""
    wrong = []
    for relative, tree in _modules():
        if relative.parts[0] != "access":
            continue
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            wrong += [f"{relative}:{node.lineno} {n}" for n in names
                      if n.split(".")[0] in PRESENTATION_APPS]
    assert not wrong, "\n".join(wrong)
