"""Signals for what people do to issues; the alerts app records them in the activity log.

Sent inside the caller's transaction, after the change. `user` may be None (system, API script).
"""

from django.dispatch import Signal

# issue_ids: list[int], status: str, user
status_changed = Signal()
# target_id: int, source_ids: list[int], user
issues_merged = Signal()
# issue_id: int (kept the other fingerprints), new_issue_id: int, hash: str, user
issue_unmerged = Signal()
