"""Generated summaries go with the data they were made from: an issue's own summaries read its
latest event, and a summary of another issue may have been given it as a resolved example
(its event's text and its notes were in the prompt). privacy.deletion and privacy.erasure call
this before they delete an issue or an end user's events."""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

from assist.models import Generation

CHUNK = 1000


def forget_issues(organization_id: int, issue_ids: Iterable[int]) -> int:
    """Delete the organisation's generations that read any of these issues: their own and those
    given one as an example. Returns how many."""
    ids = sorted({int(i) for i in issue_ids})
    deleted = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        cited = RawSQL("examples @> ANY (%s::jsonb[])", ([json.dumps([i]) for i in chunk],),
                       output_field=BooleanField())
        generations = Generation.objects.filter(organization_id=organization_id)
        deleted += generations.filter(issue_id__in=chunk).delete()[0]
        deleted += generations.filter(cited).delete()[0]
    return deleted
