"""Key rotation with an optional grace period: the new key works at once, the old one until the
grace period ends (then `retire_due`, run by beat and on the settings page, disables it)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from monitor.models import ProjectKey
from web.models import KeyRetirement

GRACE_CHOICES = [(0, "Disable the old key now"), (3600, "Keep the old key for 1 hour"),
                 (86400, "Keep the old key for 24 hours"),
                 (7 * 86400, "Keep the old key for 7 days")]


def rotate(key: ProjectKey, grace_seconds: int) -> ProjectKey:
    with transaction.atomic():
        new = ProjectKey.objects.create(project=key.project, label=key.label,
                                        rate_limit_count=key.rate_limit_count,
                                        rate_limit_window=key.rate_limit_window)
        if grace_seconds > 0:
            KeyRetirement.objects.update_or_create(key=key, defaults={
                "disable_at": timezone.now() + dt.timedelta(seconds=grace_seconds)})
        else:
            key.is_active = False
            key.save(update_fields=["is_active"])
            KeyRetirement.objects.filter(key=key).delete()
    return new


def retire_due(now: dt.datetime | None = None) -> int:
    """Disable keys whose grace period has ended; returns how many."""
    due = KeyRetirement.objects.filter(disable_at__lte=now or timezone.now())
    with transaction.atomic():
        count = ProjectKey.objects.filter(retirement__in=due).update(is_active=False)
        due.delete()
    return count
