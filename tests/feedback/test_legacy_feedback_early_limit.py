"""The legacy user-feedback endpoint checks a key's spent feedback budget before it parses the
body (as the ingest endpoints do with a key in the request): the 429 comes first, whatever the
body holds."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from ingest import ratelimit

pytestmark = pytest.mark.django_db


def test_a_spent_feedback_budget_is_refused_before_the_body_is_parsed(project_key):
    project_key.rate_limit_count, project_key.rate_limit_window = 1, 3600
    project_key.save()
    project = project_key.project
    url = f"/api/0/projects/{project.organization.slug}/{project.slug}/user-feedback/"
    malformed = b"[1]"  # a 400 when parsed: not an object

    def post():
        return APIClient().post(url, malformed, content_type="application/json",
                                HTTP_AUTHORIZATION=f"DSN {project_key.dsn}")
    assert post().status_code == 400
    ratelimit.take(project_key.public_key, ratelimit.FEEDBACK, 1, 1, 3600)
    refused = post()
    assert refused.status_code == 429
    assert refused["X-Sentry-Rate-Limits"].split(":")[1] == "feedback;user_report"
