"""The activity log hears of every change to an issue through monitor.signals.issue_changed."""

from __future__ import annotations

from django.dispatch import receiver

from alerts import activity
from alerts.models import Activity
from monitor import signals


@receiver(signals.issue_changed)
def on_issue_changed(sender, issue_ids, change, user=None, data=None, **kwargs):
    activity.log(issue_ids, Activity.Kind(change), user, **(data or {}))
