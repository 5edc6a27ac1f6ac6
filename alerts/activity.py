"""The activity log of an issue: one function to write it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from alerts.models import Activity


def log(
    issue_ids: int | Iterable[int],
    kind: str,
    user=None,
    at: dt.datetime | None = None,
    **data,
) -> None:
    ids = [issue_ids] if isinstance(issue_ids, int) else list(issue_ids)
    user = user if getattr(user, "is_authenticated", False) else None
    extra = {"created_at": at} if at else {}
    Activity.objects.bulk_create(
        [Activity(issue_id=i, kind=kind, user=user, data=data, **extra) for i in ids]
    )
