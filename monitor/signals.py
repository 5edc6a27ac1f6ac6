"""What happens to issues, announced once; the alerts app records it in the activity log.

Every change a person or the system makes to an issue (its state: monitor.state; a merge or an
unmerge: grouping.merge) is announced through `announce`, inside the transaction that makes it
and only for the issues it did change, so the log has one entry per change however often the
same request is submitted. `user` may be None (the system, an API script).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from django.dispatch import Signal

# issue_ids: list[int], change: Change, user, data: dict
issue_changed = Signal()


class Change(StrEnum):
    """What happened; each is a kind of activity entry (alerts.models.Activity.Kind)."""

    RESOLVED = "resolved"
    RESOLVED_NEXT = "resolved_next"
    REOPENED = "reopened"
    IGNORED = "ignored"
    UNIGNORED = "unignored"
    ASSIGNED = "assigned"
    MERGED = "merged"
    UNMERGED = "unmerged"
    ESCALATING = "escalating"
    DEESCALATED = "deescalated"
    PRIORITY = "priority"


def announce(issue_ids: Iterable[int], change: Change, user=None, **data) -> None:
    ids = list(issue_ids)
    if ids:
        issue_changed.send(sender=Change, issue_ids=ids, change=change, user=user, data=data)
