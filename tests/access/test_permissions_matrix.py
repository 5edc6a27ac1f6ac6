"""Permission matrix generated from the URL conf.

Every named URL (web page or API endpoint) × anonymous / member / admin / owner / another
organisation's owner × read (GET) / write (POST, PUT, PATCH, DELETE where the view accepts them)
is requested, and the outcome is compared with ONE table of rules (RULES). A URL name without a
rule fails `test_every_url_has_a_rule`, naming it: add a line to RULES (or to NOT_MATRIXED for
endpoints that are not behind a membership, with the reason).

Every request runs in a savepoint that is rolled back, so a DELETE does not affect the next one.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from alerts.models import AlertDestination, AlertRule
from attachments.models import Attachment
from grouping.models import KeptApart, MergeSuggestion, ThresholdChange
from monitor.models import Event, GroupHash, Issue, Membership, Organization, Project, ProjectKey
from tests.helpers.events import ingest

ROLES = ("anonymous", "member", "admin", "owner", "outsider")
# One letter per role, in ROLES order:
#   L  must sign in: web pages redirect to the login page, the API answers 401/403
#   A  allowed (any answer but 401/403/404/405 and the login redirect; a 400 means the check passed)
#   F  forbidden: 403
#   H  hidden: 404, nothing says the object exists
#   R  refused by a redirect elsewhere (with a message); where A is expected, R counts as A
#   E  allowed, but scoped: 200 and nothing of the other organisation in the body
#   -  not checked (e.g. a read of a write-only view)


@dataclass(frozen=True)
class Rule:
    read: str
    write: str


MEMBERS = Rule(read="LAAAH", write="LAAAH")  # triage: members resolve, merge, comment
SETTINGS = Rule(read="LAAAH", write="LFAAH")  # configuration: owners and admins change it
SCOPED = Rule(read="LAAAE", write="LFAAH")  # lists: each user sees their own organisations
SCOPED_TRIAGE = Rule(read="LAAAE", write="LAAAH")
OWN = Rule(read="LAAAA", write="LAAAA")  # the signed-in user's own things (account, token)
MANAGERS_ONLY = Rule(read="LFAAH", write="LFAAH")  # e.g. dead letters: raw payloads
OWNERS_ONLY = Rule(read="LHHAH", write="-----")  # consent summary: owners only
STAFF = Rule(read="LLLLL", write="LLLLL")  # staff pages: no organisation role is enough

# url name → rule. Extend this table when adding an endpoint.
RULES: dict[str, Rule] = {
    # web pages
    "web:home": OWN,
    "web:account": OWN,
    "web:organization-settings": SETTINGS,
    "web:project-settings": SETTINGS,
    "web:key-action": SETTINGS,
    "web:stream": MEMBERS,
    "web:bulk": MEMBERS,
    "web:issue": MEMBERS,
    "web:issue-action": MEMBERS,
    # REST API
    "api-token": OWN,
    "organization-list": SCOPED,
    "organization-detail": SETTINGS,
    "organization-consent": OWNERS_ONLY,
    "project-list": SCOPED,
    "project-detail": SETTINGS,
    "project-keys": SETTINGS,
    "project-key": SETTINGS,
    "issue-list": SCOPED_TRIAGE,
    "issue-detail": MEMBERS,
    "issue-events": MEMBERS,
    "issue-similar": MEMBERS,
    "issue-merge": MEMBERS,
    "issue-unmerge": MEMBERS,
    "web:new-project": Rule(read="LRAAH", write="LRAAH"),
    "org-tokens": SETTINGS,
    "alerts-preferences": OWN,
    "alerts-settings": SETTINGS,
    "alerts-attempts": MEMBERS,  # a read-only page (a POST renders it too)
    "alerts-rule": MANAGERS_ONLY,  # the rule's edit form: only those who may change it see it
    "alerts-rule-new": MANAGERS_ONLY,
    "alerts-triage": MEMBERS,
    "attachment": MEMBERS,
    "notification-preferences": OWN,
    "project-dead-letters": MANAGERS_ONLY,
    "alert-rules": SETTINGS,
    "alert-rule": SETTINGS,
    "alert-destinations": SETTINGS,
    "alert-destination": SETTINGS,
    "alert-destination-test": SETTINGS,
    "alert-destination-attempts": SETTINGS,
    "issue-assign": MEMBERS,
    "issue-comments": MEMBERS,
    "issue-activity": MEMBERS,
    "issue-ignore": MEMBERS,
    "issue-resolve": MEMBERS,
    "issue-feedback": MEMBERS,
    "project-feedback": MEMBERS,
    "event-attachments": MEMBERS,
    "attachment-download": MEMBERS,
    "api-schema": OWN,
    "api-docs": OWN,
    "ingest-spool": STAFF,
    "web:merge": MEMBERS,
    "web:saved-search": MEMBERS,  # each user's own searches in a project they can see
    "assist:card": MEMBERS,
    "assist:summarize": MEMBERS,
    "assist:add-note": MEMBERS,
    # The matrix's organisations never consented to generative use: asking is refused (403)
    # for every role; tests/assist/test_assist.py covers the consented path.
    "issue-summary": Rule(read="LAAAH", write="LFFFH"),
    "issue-brief": Rule(read="LAAAH", write="-----"),  # GET only, no consent needed
    "issue-resolution-notes": MEMBERS,
    "assist:log": OWNERS_ONLY,
    "assist:api-log": OWNERS_ONLY,
    "training:models": STAFF,
    "training:model-action": STAFF,
    "members:invitations": SETTINGS,  # invite by e-mail, withdraw (POST only)
    "releases:list": Rule(read="LAAAH", write="-----"),  # GET only
    "releases:detail": Rule(read="LAAAH", write="-----"),
    "releases:api-list": Rule(read="LAAAH", write="-----"),
    "web:first-event": Rule(read="LAAAH", write="-----"),
    "web:search-suggestions": Rule(read="LAAAH", write="-----"),
    # grouping that learns from the project's triage: members answer and undo, as they merge
    "web:grouping-answer": MEMBERS,
    "web:grouping-lift": MEMBERS,
    "web:grouping-threshold": SETTINGS,
    "grouping-suggestions": MEMBERS,
    "grouping-suggestion-answer": MEMBERS,
    "grouping-kept-apart": MEMBERS,
    "grouping-kept-apart-lift": MEMBERS,
    "grouping-thresholds": MEMBERS,
    "grouping-threshold-revert": SETTINGS,
}

# Not behind an organisation membership; each has its own tests.
NOT_MATRIXED = {
    "ingest-store": "SDK endpoint, DSN key auth (test_ingest_http)",
    "ingest-envelope": "SDK endpoint, DSN key auth (test_ingest_http)",
    "ingest-security": "browser CSP reports, DSN key auth (test_ingest_http)",
    "ingest-health": "public health check",
    "health": "public health check",
    "favicon": "the icon: a public redirect to a static file",
    "api-root": "shadowed: GET /api/0/ is sentry-cli-root",
    "sentry-cli-root": "sentry-cli's server probe (public, says who the token is)",
    "chunk-upload": "sentry-cli uploads, organisation auth tokens (tests in sourcemaps)",
    "artifactbundle-assemble": "sentry-cli uploads, organisation auth tokens",
    "legacy-user-feedback": "SDK endpoint, DSN key auth (tests in feedback)",
    "web:login": "sign-in page",
    "web:logout": "sign-out",
    "members:accept": "invitation link: a signed token bound to the invited address "
                      "(tests/members/test_invitations.py)",
    "members:password-reset": "password reset by e-mail, for anyone "
                              "(tests/members/test_invitations.py)",
    "members:password-reset-done": "password reset: the page after asking",
    "members:password-reset-confirm": "password reset: Django's signed uid/token link",
    "members:password-reset-complete": "password reset: the page after setting it",
}
NOT_MATRIXED_NAMESPACES = {"admin": "Django admin: staff only, Django's own checks"}

# Bodies that pass validation, so a write reaches the permission check it is about.
BODIES: dict[str, dict] = {
    "project-list": {"name": "New", "slug": "new", "organization": "acme", "platform": "python"},
    "project-detail": {"name": "Renamed", "slug": "backend", "platform": "python"},
    "project-keys": {"label": "Extra"},
    "project-key": {"label": "Renamed"},
    "issue-detail": {"status": "resolved"},
    "alert-rules": {"name": "R", "trigger": "new_issue"},
    "alert-destinations": {"name": "H", "kind": "webhook", "config": {"url": "http://127.0.0.1:9/"}},
    "issue-merge": {"issues": ["{other_issue}"]},
    "web:bulk": {"action": "resolve", "issue": ["{issue}"]},
    "web:issue-action": {"action": "resolve"},
    "web:key-action": {"action": "disable", "key": "{key}"},
    "web:project-settings": {"name": "Renamed", "slug": "backend", "platform": "python"},
    "web:organization-settings": {"name": "Renamed"},
    "members:invitations": {"action": "invite", "email": "new@example.com", "role": "member"},
    "grouping-suggestion-answer": {"answer": "apart"},
    "web:grouping-answer": {"answer": "apart"},
    "web:grouping-threshold": {"action": "disable"},
}
# What the `pk` URL parameter names, for url names where it is not their own object.
PK_OF: dict[str, str] = {
    "project-detail": "project", "project-key": "key", "issue-detail": "issue",
    "issue-events": "issue", "organization-detail": "organization", "issue-feedback": "issue",
    "project-feedback": "project", "event-attachments": "project", "alert-rule": "rule",
    "alert-destination": "destination", "alert-destination-test": "destination",
    "alert-destination-attempts": "destination", "attachment-download": "attachment",
    "grouping-suggestion-answer": "suggestion", "web:grouping-answer": "suggestion",
    "grouping-kept-apart-lift": "kept", "web:grouping-lift": "kept",
    "grouping-threshold-revert": "change",
}
WRITE_METHODS_API = ("post", "put", "patch", "delete")
WRITE_METHODS_WEB = ("post",)  # HTML forms


def _walk(resolver: URLResolver, namespace: str = "", params: tuple[str, ...] = ()):
    """(qualified url name, its URL parameters) of every pattern in the URL conf."""
    for entry in resolver.url_patterns:
        own = tuple(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry, ns, params + own)
        elif isinstance(entry, URLPattern):
            yield namespace + (entry.name or f"<unnamed {entry.pattern}>"), params + own


def url_params() -> dict[str, tuple[str, ...]]:
    """url name → its parameters (of the variant without a `.format` suffix)."""
    out: dict[str, tuple[str, ...]] = {}
    for name, params in _walk(get_resolver()):
        if name not in out or "format" in out[name]:
            out[name] = params
    return out


def url_names() -> list[str]:
    return sorted(url_params())


def matrixed_names() -> list[str]:
    return [
        name for name in url_names()
        if name not in NOT_MATRIXED and name.split(":")[0] not in NOT_MATRIXED_NAMESPACES
    ]


def test_every_url_has_a_rule():
    missing = [name for name in matrixed_names() if name not in RULES]
    assert not missing, (
        f"URL names without a permission rule: {', '.join(missing)}. Add each to RULES in "
        "tests/access/test_permissions_matrix.py (or to NOT_MATRIXED with the reason)."
    )
    stale = sorted(set(RULES) - set(url_names()))
    assert not stale, f"rules for URL names that no longer exist: {', '.join(stale)}"


# -- the world ---------------------------------------------------------------------------------


@pytest.fixture
def world(db):
    users = get_user_model().objects
    acme = Organization.objects.create(name="Acme", slug="acme")
    globex = Organization.objects.create(name="Globex", slug="globex")
    people = {}
    for name, org, role in (
        ("alice", acme, Membership.Role.OWNER),
        ("bob", acme, Membership.Role.MEMBER),
        ("dave", acme, Membership.Role.ADMIN),
        ("charlie", globex, Membership.Role.OWNER),
    ):
        people[name] = users.create_user(name)
        Membership.objects.create(user=people[name], organization=org, role=role)
    project = Project.objects.create(organization=acme, name="Backend", slug="backend",
                                     platform="python", grouping_mode="fingerprint")
    Project.objects.create(organization=globex, name="Frontend", slug="frontend")
    key = ProjectKey.objects.create(project=project)
    for fingerprint in ("one", "two", "two-b"):
        ingest(project, {"message": f"Secretmarker {fingerprint}", "fingerprint": [fingerprint],
                         "release": "acme@1",
                         "exception": {"values": [{"type": "SecretmarkerError"}]}})
    issues = list(Issue.objects.filter(project=project).order_by("id"))
    issue, other = issues[0], issues[1]
    # A second fingerprint on `issue`, so an unmerge has something to move.
    GroupHash.objects.filter(issue=issues[2]).update(issue=issue)
    Issue.objects.filter(pk=issues[2].pk).delete()
    hash_ = GroupHash.objects.filter(issue=issue).order_by("id").last().hash
    event = Event.objects.filter(issue=issue).first()
    rule = AlertRule.objects.create(project=project, name="New", trigger="new_issue")
    destination = AlertDestination.objects.create(project=project, name="Hook", kind="webhook",
                                                  config={"url": "http://127.0.0.1:9/"})
    attachment = Attachment.objects.create(project=project, event_id=event.event_id, name="a.txt",
                                           size=1, data=b"x", received_at=event.received)
    suggestion = MergeSuggestion.objects.create(
        project=project, group_hash=GroupHash.objects.get(issue=other), candidate=issue,
        family="python", distance=0.1, threshold=0.06, model="m@1")
    kept = KeptApart.objects.create(project=project, hash_a="a" * 32, hash_b="b" * 32,
                                    source="answer")
    change = ThresholdChange.objects.create(project=project, family="python", threshold=0.07,
                                            cause="labels")
    return {
        "users": {"member": people["bob"], "admin": people["dave"], "owner": people["alice"],
                  "outsider": people["charlie"]},
        "kwargs": {"org": "acme", "project": "backend", "slug": "acme", "project_pk": project.id,
                   "issue_id": issue.id, "hash": hash_, "event_id": event.event_id,
                   "destination_id": destination.id, "attachment_id": attachment.id,
                   "rule_id": rule.id,
                   "model_id": 1, "version": "acme@1"},
        "pk": {"project": project.id, "key": key.id, "issue": issue.id, "rule": rule.id,
               "destination": destination.id, "attachment": attachment.id,
               "organization": acme.id, "suggestion": suggestion.id, "kept": kept.id,
               "change": change.id},
        "fill": {"issue": issue.id, "other_issue": other.id, "key": key.id},
    }


def _path(name: str, world) -> str:
    kwargs = dict(world["kwargs"])
    params = url_params()[name]
    if "pk" in params:
        assert name in PK_OF, f"{name}: say which object its `pk` is in PK_OF"
        kwargs["pk"] = world["pk"][PK_OF[name]]
    unknown = [p for p in params if p not in kwargs]
    assert not unknown, f"{name}: no fixture value for URL parameter(s) {unknown}; add to world()"
    return reverse(name, kwargs={p: kwargs[p] for p in params})


def _body(name: str, world) -> dict:
    def fill(value):
        if isinstance(value, list):
            return [fill(v) for v in value]
        if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
            return world["fill"][value[1:-1]]
        return value

    return {k: fill(v) for k, v in BODIES.get(name, {}).items()}


def _request(client: APIClient, method: str, path: str, name: str, world):
    api = path.startswith("/api/")
    data = _body(name, world) if method != "get" else None
    with transaction.atomic():
        if api:
            response = getattr(client, method)(path, data, format="json")
        else:
            response = getattr(client, method)(path, data)
        transaction.set_rollback(True)
    return response


def _outcome(response, role: str, world) -> str:
    status = response.status_code
    location = response.get("Location", "")
    if status in (301, 302) and ("/login/" in location):
        return "L"
    if role == "anonymous" and status in (401, 403):
        return "L"
    if status == 403:
        return "F"
    if status == 404:
        return "H"
    if status == 405:
        return "405"
    if status in (301, 302, 303):
        return "R"
    if role == "outsider" and status == 200:
        body = response.content.decode(errors="replace")
        leaked = [m for m in ("Secretmarker", '"acme"', "/acme/") if m in body]
        return "E" if not leaked else f"A (shows {leaked})"
    return "A"


def _client(role: str, world) -> APIClient:
    """One signed-in client per role and test (signing in is most of a request's cost)."""
    clients = world.setdefault("clients", {})
    if role not in clients:
        clients[role] = APIClient()
        if role != "anonymous":
            clients[role].force_login(world["users"][role])
    return clients[role]


def _accepted(name: str, path: str, methods: tuple[str, ...], world) -> list[str]:
    """The methods the view takes, asked as the owner (a 405 means it does not)."""
    owner = _client("owner", world)
    return [m for m in methods if _request(owner, m, path, name, world).status_code != 405]


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(RULES))
def test_permission_matrix(name, world):
    if name not in matrixed_names():
        pytest.skip(f"{name} is not in the URL conf")
    rule = RULES[name]
    path = _path(name, world)
    writes = WRITE_METHODS_API if path.startswith("/api/") else WRITE_METHODS_WEB
    accepted = _accepted(name, path, ("get", *writes), world)
    assert accepted, f"{name}: the owner's every request got a 405"
    wrong = []
    for method in accepted:
        expected = rule.read if method == "get" else rule.write
        for role, want in zip(ROLES, expected, strict=True):
            if want == "-":
                continue
            response = _request(_client(role, world), method, path, name, world)
            got = _outcome(response, role, world)
            # A scoped list may also be empty for an insider; E is only asserted for outsiders.
            if got != want and not (want == "A" and got in ("E", "R")):
                wrong.append(f"{method.upper()} {path} as {role}: expected {want}, "
                             f"got {got} ({response.status_code})")
    assert not wrong, f"{name}:\n" + "\n".join(wrong)


def test_rules_cover_five_roles():
    for name, rule in RULES.items():
        assert len(rule.read) == len(rule.write) == len(ROLES), name



@pytest.mark.django_db
def test_ids_in_bodies_cannot_reach_another_organisation(world):
    """The matrix checks URLs; ids can also travel in bodies and query strings. Acme's owner
    names Globex's issue and key everywhere an id is accepted: nothing of Globex changes."""
    frontend = Project.objects.get(slug="frontend")
    ingest(frontend, {"message": "theirs", "fingerprint": ["theirs"]})
    theirs = Issue.objects.get(project=frontend)
    their_key = ProjectKey.objects.create(project=frontend)
    ours = world["fill"]["issue"]
    owner = _client("owner", world)
    base = "/acme/backend"
    owner.post(f"{base}/issues/bulk/", {"action": "resolve", "issue": [theirs.id]})
    asked = owner.post(f"{base}/issues/{ours}/action/", {"action": "merge", "other": theirs.id})
    assert asked.status_code in (302, 404)  # the confirmation page keeps only this project's
    owner.post(f"{base}/issues/merge/", {"issue": [ours, theirs.id], "confirm": "yes",
                                         "target": ours})
    merge = owner.post(f"/api/0/issues/{ours}/merge/", {"issues": [theirs.id]}, format="json")
    assert merge.status_code in (400, 404)
    assert owner.post(f"{base}/settings/keys/",
                      {"action": "disable", "key": their_key.id}).status_code == 404
    project = world["pk"]["project"]
    assert owner.get(f"/api/0/projects/{project}/keys/{their_key.id}/").status_code == 404
    assert owner.patch(f"/api/0/projects/{project}/keys/{their_key.id}/",
                       {"is_active": False}, format="json").status_code == 404
    listed = owner.get("/api/0/issues/", {"project": frontend.id}).json()
    assert listed["count"] == 0
    theirs.refresh_from_db()
    their_key.refresh_from_db()
    assert theirs.status == Issue.Status.UNRESOLVED and theirs.hashes.exists()
    assert their_key.is_active
