"""A wildcard search on a tag whose values are not kept per project is answered issue by issue,
never by a join over every tenant's tag rows of the key (which the (key, value) index made the
planner's pick at millions of events). Release and environment wildcards are resolved against the
project's values first (tests/monitor/test_wildcard_release_values.py)."""

import json

import pytest
from django.db import connection

from monitor.issues import apply_search
from monitor.models import Issue, IssueTag, Organization, Project
from monitor.search import parse
from tests.helpers.events import event, ingest

pytestmark = pytest.mark.django_db


def plan_nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from plan_nodes(child)


def explain(queryset) -> list[dict]:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        raw = cursor.fetchone()[0]
    plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]
    return list(plan_nodes(plan))


def test_a_wildcard_tag_search_probes_each_issue_and_finds_the_matching_ones():
    org = Organization.objects.create(slug="wild", name="wild")
    project = Project.objects.create(organization=org, name="w", slug="w", platform="python",
                                     grouping_mode=Project.GroupingMode.FINGERPRINT)
    for server, fingerprint in [("web-2.0.1", "a"), ("web-2.1.0", "b"), ("web-1.9.0", "c")]:
        ingest(project, {**event(), "server_name": server, "fingerprint": [fingerprint]})
    issues = Issue.objects.filter(project=project).order_by("-last_seen", "-id")

    found = apply_search(issues, parse("server_name:web-2.*"))

    servers = IssueTag.objects.filter(issue__in=found, key="server_name").values_list(
        "value", flat=True)
    assert sorted(servers) == ["web-2.0.1", "web-2.1.0"]
    nodes = explain(found[:25])
    tag_scans = [n for n in nodes if n.get("Relation Name") == "monitor_issuetag"]
    assert tag_scans, "the plan reads no tag rows"
    assert any(n.get("Parent Relationship") == "SubPlan" for n in nodes), "no per-issue SubPlan"
    assert not [n for n in nodes if "Semi" in n.get("Join Type", "") or "Anti" in
                n.get("Join Type", "")], "the EXISTS became a join over the tag rows"
