"""Evaluate recorded facts against alert rules, off the ingest path (task `alerts.evaluate`).

A fact becomes activity (created, regressed, ignore ended) and, for every enabled rule of its
project whose trigger and filters match, a firing. A firing is unique per (rule, issue, condition
key), so a rule fires at most once per issue per condition:

- new issue: key `new` (once ever);
- regression: key `regression:<time>` (once per regression);
- N events in M minutes (by arrival): key `frequency:<window number>` (at most once per
  M-minute window);
- ignore ended: key `unignored:<time>` (once per ending);
- new high-priority issue: key `new` (once ever; the priority after the severity score);
- escalating: key `escalating:<time>` (once per escalation).

Firings join the rule's open notification, which is sent when its digest window closes
(alerts.notify), so a burst becomes one message.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from alerts.models import LEVELS, Activity, AlertFact, AlertFiring, AlertNotification, AlertRule
from monitor import state
from monitor.models import Event, GroupHash, Issue, IssueHourlyCount, Priority

BATCH = 500


def level_at_least(level: str, minimum: str) -> bool:
    if not minimum:
        return True
    rank = LEVELS.index(level) if level in LEVELS else LEVELS.index("error")
    return rank >= LEVELS.index(minimum)


def matches(rule: AlertRule, level: str, environment: str, release: str) -> bool:
    """The rule's filters (level at least, environment, release; empty means any)."""
    return (
        level_at_least(level, rule.min_level)
        and (not rule.environment or rule.environment == environment)
        and (not rule.release or rule.release == release)
    )


def frequency_reached(rule: AlertRule, issue_id: int, now: dt.datetime) -> bool:
    """At least `threshold` matching events of the issue received in the last `window_minutes`
    (by arrival, as the hourly counts and sparklines count: an SDK's skewed clock neither hides
    a burst nor invents one). The stored hourly counts of the hours the window touches bound
    the answer from above, so a quiet issue costs no scan of its events."""
    since = now - dt.timedelta(minutes=rule.window_minutes)
    touched = IssueHourlyCount.objects.filter(
        issue_id=issue_id, hour__gte=since.replace(minute=0, second=0, microsecond=0))
    if (touched.aggregate(n=Sum("count"))["n"] or 0) < rule.threshold:
        return False
    events = Event.objects.filter(issue_id=issue_id, received__gte=since)
    if rule.environment:
        events = events.filter(environment=rule.environment)
    if rule.release:
        events = events.filter(release=rule.release)
    if rule.min_level:
        events = events.filter(level__in=LEVELS[LEVELS.index(rule.min_level) :])
    # newest first along the (issue, timestamp) index: arrivals are mostly the newest events
    found = events.order_by("-timestamp").values_list("id", flat=True)[: rule.threshold]
    return len(found) >= rule.threshold


FIRE_SQL = """
INSERT INTO alerts_alertfiring (rule_id, issue_id, key, notification_id, created_at)
VALUES (%s, %s, %s, %s, now()) ON CONFLICT (rule_id, issue_id, key) DO NOTHING RETURNING id
"""


class Pass:
    """One evaluation pass: caches the open notification of each rule and collects activity
    entries, written together at the end."""

    def __init__(self, now: dt.datetime):
        self.now = now
        self.open: dict[int, AlertNotification] = {}
        self.fired = 0
        self.opened: list[AlertNotification] = []
        self.activity: list[Activity] = []

    def log(self, issue_id: int, kind: str, at: dt.datetime, **data) -> None:
        self.activity.append(Activity(issue_id=issue_id, kind=kind, created_at=at, data=data))

    def notification_for(self, rule: AlertRule) -> AlertNotification:
        notification = self.open.get(rule.id)
        if notification is None:
            notification = (
                AlertNotification.objects.filter(rule=rule, state=AlertNotification.State.OPEN)
                .order_by("id").first()
            )
            if notification is None:
                notification = AlertNotification.objects.create(
                    project_id=rule.project_id, rule=rule,
                    send_after=self.now + dt.timedelta(minutes=rule.digest_minutes),
                )
                self.opened.append(notification)
            self.open[rule.id] = notification
        return notification

    def fire(self, rule: AlertRule, issue_id: int, key: str) -> bool:
        """Record the firing unless this (rule, issue, key) has fired before (the unique
        constraint decides, also against a concurrent pass). A notification left without
        firings is dropped when flushed."""
        notification = self.notification_for(rule)
        with connection.cursor() as cursor:
            cursor.execute(FIRE_SQL, [rule.id, issue_id, key, notification.id])
            fired = cursor.fetchone() is not None
        self.fired += fired
        return fired

    def finish(self) -> None:
        Activity.objects.bulk_create(self.activity)
        self.activity = []

    def fire_matching(self, rules, trigger: str, fact: AlertFact, key: str) -> None:
        for rule in rules:
            if rule.trigger == trigger and matches(rule, fact.level, fact.environment,
                                                   fact.release):
                self.fire(rule, fact.issue_id, key)


def _waiting_for_ml(facts: list[AlertFact], now: dt.datetime) -> set[int]:
    """New issues whose fingerprint the embedder has not decided yet: it may fold them into an
    existing issue, so their "new issue" alert waits (up to ML_PENDING_TIMEOUT_SECONDS)."""
    new = [f.issue_id for f in facts if f.kind == AlertFact.Kind.NEW]
    if not new:
        return set()
    return set(
        GroupHash.objects.filter(issue_id__in=new, ml_state=GroupHash.MLState.PENDING).values_list(
            "issue_id", flat=True
        )
    )


def evaluate_pending(limit: int = BATCH, now: dt.datetime | None = None) -> tuple[int, Pass]:
    """Claim up to `limit` facts, evaluate and delete them in one transaction; returns how many
    were claimed and the pass (what fired, which notifications it opened)."""
    now = now or timezone.now()
    run = Pass(now)
    with transaction.atomic():
        facts = list(AlertFact.objects.select_for_update(skip_locked=True).order_by("id")[:limit])
        if not facts:
            return 0, run
        issues = Issue.objects.in_bulk({f.issue_id for f in facts})
        rules: dict[int, list[AlertRule]] = defaultdict(list)
        for rule in AlertRule.objects.filter(
            project_id__in={f.project_id for f in facts}, enabled=True
        ):
            rules[rule.project_id].append(rule)
        waiting = _waiting_for_ml(facts, now)
        ml_deadline = now - dt.timedelta(seconds=settings.ML_PENDING_TIMEOUT_SECONDS)
        done: list[int] = []
        evaluated: list[tuple[AlertFact, Issue]] = []
        for fact in facts:
            issue = issues.get(fact.issue_id)
            if issue is None:  # merged into another issue, or deleted
                done.append(fact.id)
            elif fact.issue_id not in waiting or fact.at <= ml_deadline:
                done.append(fact.id)
                evaluated.append((fact, issue))
            # else: stays in the outbox; the sweep looks again
        unignored = state.end_lapsed_ignores(
            {f.issue_id for f, _ in evaluated if f.kind == AlertFact.Kind.IGNORED_HIT}, now)
        checked: set[tuple[int, int]] = set()
        for fact, issue in evaluated:
            project_rules = rules.get(fact.project_id, [])
            if fact.kind == AlertFact.Kind.NEW:
                run.log(issue.id, Activity.Kind.CREATED, fact.at)
                run.fire_matching(project_rules, AlertRule.Trigger.NEW_ISSUE, fact, "new")
                if issue.priority == Priority.HIGH:  # after the severity score (waited above)
                    for trigger in (AlertRule.Trigger.HIGH_PRIORITY, AlertRule.Trigger.PRIORITY):
                        run.fire_matching(project_rules, trigger, fact, "new")
            elif fact.kind == AlertFact.Kind.ESCALATING:  # activity: priority.state.escalate
                key = f"escalating:{fact.at.timestamp():.6f}"
                for trigger in (AlertRule.Trigger.ESCALATING, AlertRule.Trigger.PRIORITY):
                    run.fire_matching(project_rules, trigger, fact, key)
            elif fact.kind == AlertFact.Kind.REGRESSION:
                run.log(issue.id, Activity.Kind.REGRESSED, fact.at, release=fact.release)
                run.fire_matching(project_rules, AlertRule.Trigger.REGRESSION, fact,
                                  f"regression:{fact.at.timestamp():.6f}")
            elif fact.kind == AlertFact.Kind.IGNORED_HIT:
                if unignored.pop(issue.id, None):  # its first fact of the pass fires
                    run.fire_matching(project_rules, AlertRule.Trigger.IGNORE_ENDED, fact,
                                      f"unignored:{now.timestamp():.6f}")
            elif fact.kind == AlertFact.Kind.EVENTS:
                for rule in project_rules:
                    if (
                        rule.trigger != AlertRule.Trigger.FREQUENCY
                        or (rule.id, issue.id) in checked
                        or not matches(rule, fact.level, fact.environment, fact.release)
                    ):
                        continue
                    checked.add((rule.id, issue.id))
                    if issue.times_seen < rule.threshold:
                        continue  # cannot have N in any window yet
                    window = int(now.timestamp() // (rule.window_minutes * 60))
                    key = f"frequency:{window}"
                    if not AlertFiring.objects.filter(
                        rule=rule, issue=issue, key=key
                    ).exists() and frequency_reached(rule, issue.id, now):
                        run.fire(rule, issue.id, key)
        AlertFact.objects.filter(id__in=done).delete()
        run.finish()
    return len(facts), run


def end_expired_ignores(now: dt.datetime | None = None) -> tuple[int, Pass]:
    """Issues ignored for a duration that is over: unignore, and fire ignore-ended rules."""
    now = now or timezone.now()
    run = Pass(now)
    ended = 0
    with transaction.atomic():
        expired = list(state.expired_ignores(now).select_related("project")[:BATCH])
        unignored = state.end_lapsed_ignores([issue.id for issue in expired], now)
        for issue in expired:
            if issue.id in unignored:
                ended += 1
                for rule in AlertRule.objects.filter(
                    project_id=issue.project_id, enabled=True,
                    trigger=AlertRule.Trigger.IGNORE_ENDED,
                ):
                    # no event here: the level filter applies, environment/release do not
                    if level_at_least(issue.level, rule.min_level):
                        run.fire(rule, issue.id, f"unignored:{now.timestamp():.6f}")
    return ended, run
