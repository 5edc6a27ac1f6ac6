"""A number in a URL, query string or form is plain ASCII digits, at most a bigint's 19
(monitor.params): `str.isdigit` also admits `²`, which `int` refuses, and `int` refuses 5,000
digits. Such a field is no number, as an empty one is, never a server error."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from monitor.models import Issue
from monitor.params import as_id, as_natural, is_id
from privacy.erasure import erase_end_user

pytestmark = pytest.mark.django_db

ODD = ["²", "٣", "1" * 5000, "-1", "1e3", "0x10"]


def test_the_rule():
    assert [as_natural(v) for v in ("0", " 42 ", "9" * 19)] == [0, 42, int("9" * 19)]
    assert [as_natural(v) for v in [*ODD, "9" * 20, "", None, 7]] == [None] * 10
    assert as_id("0") is None and as_id(str(2**63)) is None and as_id(str(2**63 - 1)) == 2**63 - 1
    assert not any(is_id(v) for v in ODD)


def issues(project, n=2) -> list[Issue]:
    now = timezone.now()
    return [Issue.objects.create(project=project, title=f"boom {i}", first_seen=now,
                                 last_seen=now) for i in range(n)]


@pytest.mark.parametrize("odd", ODD)
def test_pages_and_forms_take_an_odd_number_for_none(member, project, odd):
    base = f"/{project.organization.slug}/{project.slug}"
    one, _ = issues(project)
    answers = [
        member.get(f"{base}/issues/merge/", {"issue": [odd, str(one.pk)]}),
        member.post(f"{base}/issues/{one.pk}/", {"action": "merge", "other": odd}),
        member.post(f"{base}/issues/{one.pk}/triage/", {"action": "ignore_until",
                                                          "minutes": odd}),
        member.get(f"{base}/releases/", {"page": odd}),
    ]
    assert [a.status_code for a in answers if a.status_code >= 500] == []


@pytest.mark.parametrize("odd", ODD)
def test_the_api_refuses_an_odd_number_with_a_400(member, project, odd):
    client = APIClient()
    client.cookies = member.cookies
    answer = client.get(f"/api/0/projects/{project.pk}/releases/", {"per_page": odd})
    assert answer.status_code == 400


@pytest.mark.parametrize("odd", ODD)
def test_an_erasure_by_an_odd_user_id_runs(project, odd):
    assert erase_end_user(project.organization_id, user_id=odd).events == 0
