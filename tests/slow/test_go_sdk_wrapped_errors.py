"""The official Go SDK's wrapped errors (Debian's sentry-go 0.11 and pkg/errors) through the
test web server and ingest worker, fingerprinting only: one bug reached with different inputs
is one issue, though every wrapper repeats the input in its text (faultline-fp-3), while two
errors wrapped at one site stay two issues by their types (tests/go/shop: `cidr`,
`payload`)."""

from __future__ import annotations

import pytest

from monitor.models import Issue
from tests.slow.test_go_ruby_sdk import GO_SHOP, go_shop, run, sdk_project, stored

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_sentry_go_wrapped_errors_group_by_bug_not_by_input(web, worker):
    binary = go_shop()
    project, dsn = sdk_project(web, "gowrapped", "go")
    scenarios = [("cidr", "192.168.yarrow.0/24"), ("cidr", "3406.1374.0.0/16"),
                 ("cidr", "10.0.0.1/99"),
                 ("payload", "mango"), ("payload", "cherry"),  # json.SyntaxError twice
                 ("payload", '{"To": 5}')]  # json.UnmarshalTypeError, the same site
    for scenario, given in scenarios:
        assert run([str(binary), scenario, given], dsn, GO_SHOP).strip() == f"sent {scenario}"
    events = stored(project, len(scenarios))  # in the order the worker stored them

    chains = {tuple(v["type"] for v in e.data["exception"]) for e in events}
    assert chains == {("*net.ParseError", "*errors.withMessage", "*errors.withStack"),
                      ("*json.SyntaxError", "*fmt.wrapError"),
                      ("*json.UnmarshalTypeError", "*fmt.wrapError")}
    issues: dict[str, set[int]] = {}
    for event in events:
        issues.setdefault(event.data["exception"][0]["type"], set()).add(event.issue_id)
    assert all(len(ids) == 1 for ids in issues.values()), issues  # one bug, one issue
    assert len({event.issue_id for event in events}) == 3  # the two json errors stay apart
    assert sorted(Issue.objects.filter(project=project).values_list("times_seen", flat=True)) \
        == [1, 2, 3]
