"""Send notifications: close due digests into deliveries (with the project's hourly cap), and
attempt one delivery, recording the attempt and backing off on failure."""

from __future__ import annotations

import datetime as dt
import logging
import time

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from alerts import activity, netguard
from alerts.destinations import REGISTRY, Delivery, Destination, Notification
from alerts.destinations.base import IssueRef
from alerts.models import (
    Activity,
    AlertDelivery,
    AlertDestination,
    AlertNotification,
    DeliveryAttempt,
)
from alerts.recipients import recipients
from monitor.models import Issue, Project

log = logging.getLogger(__name__)
LISTED = 20  # issues listed in one message; the rest are counted
ACTIVITY_LIMIT = 100  # issues that get an "alert sent" entry per delivery


def issue_url(project: Project, issue_id: int) -> str:
    return f"{settings.FAULTLINE_URL}/{project.organization.slug}/{project.slug}/issues/{issue_id}/"


def issue_ref(issue: Issue, project: Project) -> IssueRef:
    return IssueRef(
        id=issue.id, title=issue.title, culprit=issue.culprit, level=issue.level,
        status=issue.status, times_seen=issue.times_seen, users_seen=issue.users_seen,
        first_seen=issue.first_seen, last_seen=issue.last_seen,
        url=issue_url(project, issue.id), project=project.slug, platform=issue.platform,
    )


def message_of(notification: AlertNotification) -> Notification:
    project = notification.project
    stream = f"{settings.FAULTLINE_URL}/{project.organization.slug}/{project.slug}/issues/"
    if notification.test:
        now = timezone.now()
        sample = IssueRef(id=0, title="Test notification from Faultline", culprit="faultline.test",
                          level="info", status="unresolved", times_seen=1, users_seen=0,
                          first_seen=now, last_seen=now, url=stream,
                          project=project.slug)
        return Notification(project=str(project), rule="", trigger="test", issues=[sample],
                            total=1, url=stream)
    firings = notification.firings.select_related("issue").order_by("id")
    total = firings.count()
    issues = [issue_ref(f.issue, project) for f in firings[:LISTED]]
    rule = notification.rule
    return Notification(project=str(project), rule=rule.name if rule else "",
                        trigger=rule.trigger if rule else "test", issues=issues, total=total,
                        url=stream)


def destination_of(stored: AlertDestination) -> Destination:
    config = dict(stored.config)
    if stored.kind == AlertDestination.Kind.EMAIL:
        config["recipients"] = recipients(stored.project, stored.config)
    if stored.kind == AlertDestination.Kind.WEBHOOK:
        config["installation"] = f"faultline-destination-{stored.id}"
    return REGISTRY[stored.kind](config, stored.secret, stored.private_allowed)


def send_bounded(destination: Destination, notification: Notification) -> Delivery:
    """One send; a destination that connects where its config says does it under the SSRF
    guard, the attempt's deadline and byte cap (alerts.netguard), which override its result."""
    if not destination.guarded:
        return destination.send(notification)
    with netguard.guarded(destination.allow_private) as guard:
        result = destination.send(notification)
    if result.ok or not guard.reason:
        return result
    detail = "\n".join(part for part in (guard.detail, result.detail) if part)[:1000]
    return Delivery(ok=False, error=guard.reason, status_code=result.status_code,
                    permanent=guard.blocked, detail=detail)


def flush_due(now: dt.datetime | None = None) -> list[int]:
    """Turn open notifications whose digest window has closed into deliveries; returns the ids
    of the deliveries to attempt. Past the project's hourly cap a notification is `capped`."""
    now = now or timezone.now()
    created: list[int] = []
    with transaction.atomic():
        due = list(
            AlertNotification.objects.select_for_update(skip_locked=True)
            .filter(state=AlertNotification.State.OPEN, send_after__lte=now)
            .order_by("id")[:200]
        )
        for notification in due:
            if not notification.firings.exists():
                notification.delete()
                continue
            sent = AlertNotification.objects.filter(
                project_id=notification.project_id, state=AlertNotification.State.SENT,
                sent_at__gte=now - dt.timedelta(hours=1),
            ).count()
            notification.sent_at = now
            if sent >= settings.ALERTS_HOURLY_CAP:
                notification.state = AlertNotification.State.CAPPED
                notification.save(update_fields=["state", "sent_at"])
                log.warning("project %s reached its hourly alert cap", notification.project_id)
                continue
            notification.state = AlertNotification.State.SENT
            notification.save(update_fields=["state", "sent_at"])
            destinations = notification.rule.destinations.filter(enabled=True)
            deliveries = AlertDelivery.objects.bulk_create(
                [AlertDelivery(notification=notification, destination=d) for d in destinations]
            )
            created += [d.id for d in deliveries]
    return created


def send_test(destination: AlertDestination) -> int:
    """A test message to one destination; returns the delivery id to attempt."""
    now = timezone.now()
    notification = AlertNotification.objects.create(
        project_id=destination.project_id, test=True, state=AlertNotification.State.SENT,
        send_after=now, sent_at=now,
    )
    return AlertDelivery.objects.create(notification=notification, destination=destination).id


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=settings.ALERTS_RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1))


def attempt(delivery_id: int, now: dt.datetime | None = None) -> AlertDelivery | None:
    """One attempt of a pending, due delivery (skipped if another worker has it). On failure the
    delivery is due again after a back-off, or failed for good after ALERTS_MAX_ATTEMPTS or a
    permanent error. The caller schedules the retry at `next_attempt_at`."""
    with transaction.atomic():
        delivery = (
            AlertDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("destination__project__organization",
                            "notification__project__organization", "notification__rule")
            .filter(pk=delivery_id, status=AlertDelivery.Status.PENDING,
                    next_attempt_at__lte=now or timezone.now())
            .first()
        )
        if delivery is None:
            return None
        stored = delivery.destination
        started = time.monotonic()
        try:
            result = send_bounded(destination_of(stored), message_of(delivery.notification))
        except Exception as exc:  # a destination bug must not stop the others
            log.exception("destination %s failed", stored.id)
            result = Delivery(ok=False, error=type(exc).__name__, detail=str(exc)[:1000])
        finished = timezone.now()
        DeliveryAttempt.objects.create(
            delivery=delivery, destination=stored, ok=result.ok, status_code=result.status_code,
            error=result.error, detail=result.detail,
            duration_ms=int((time.monotonic() - started) * 1000),
        )
        delivery.attempts += 1
        if result.ok:
            delivery.status = AlertDelivery.Status.SENT
            AlertDestination.objects.filter(pk=stored.pk).update(
                consecutive_failures=0, last_success_at=finished
            )
            issue_ids = list(
                delivery.notification.firings.values_list("issue_id", flat=True)[:ACTIVITY_LIMIT]
            )
            activity.log(issue_ids, Activity.Kind.ALERT_SENT, destination=stored.name,
                         via=stored.kind)
        else:
            AlertDestination.objects.filter(pk=stored.pk).update(
                consecutive_failures=F("consecutive_failures") + 1, last_failure_at=finished,
                last_error=result.error,
            )
            if result.permanent or delivery.attempts >= settings.ALERTS_MAX_ATTEMPTS:
                delivery.status = AlertDelivery.Status.FAILED
            else:
                delivery.next_attempt_at = finished + backoff(delivery.attempts)
        delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
        return delivery


def due_deliveries(now: dt.datetime | None = None, limit: int = 500) -> list[int]:
    """Pending deliveries whose time has come (their task was lost, or the broker was down)."""
    return list(
        AlertDelivery.objects.filter(status=AlertDelivery.Status.PENDING,
                                     next_attempt_at__lte=now or timezone.now())
        .order_by("next_attempt_at").values_list("id", flat=True)[:limit]
    )
