"""Activity for what monitor and grouping report through monitor.signals."""

from __future__ import annotations

from django.dispatch import receiver

from alerts import activity
from alerts.models import Activity
from monitor import signals
from monitor.models import Issue

STATUS_KINDS = {Issue.Status.RESOLVED: Activity.Kind.RESOLVED,
                Issue.Status.IGNORED: Activity.Kind.IGNORED,
                Issue.Status.UNRESOLVED: Activity.Kind.REOPENED}


@receiver(signals.status_changed)
def on_status_changed(sender, issue_ids, status, user=None, **kwargs):
    activity.log(issue_ids, STATUS_KINDS[status], user)


@receiver(signals.issues_merged)
def on_merged(sender, target_id, source_ids, user=None, **kwargs):
    activity.log(target_id, Activity.Kind.MERGED, user, issues=list(source_ids))


@receiver(signals.issue_unmerged)
def on_unmerged(sender, issue_id, new_issue_id, hash, user=None, **kwargs):
    activity.log(issue_id, Activity.Kind.UNMERGED, user, new_issue=new_issue_id, hash=hash)
    activity.log(new_issue_id, Activity.Kind.UNMERGED, user, from_issue=issue_id, hash=hash)
