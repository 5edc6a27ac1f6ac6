"""Issue state: every transition of an issue's status, assignee and regression flag.

The web pages, the REST API, alerting and event processing change an issue's state only through
here (docs/issues.md lists the states and transitions). A state is `status` plus what qualifies
it: `resolved_in_release` (resolved in the next release), the ignore conditions (`ignore_until`,
`ignore_until_events`, `ignore_until_users`), `regressed`, and `assignee`.

One discipline for every transition made on request (`_transition`):

- lock: the issue rows are locked through monitor.locks.lock_issues (issue rows by id, the order
  ingest and merges take them), and what changes is decided from the rows as they are under the
  lock; an issue merged away meanwhile is skipped (a single issue asked for by name: refused with
  a ValidationError);
- idempotence: an issue already in the target state is neither written nor logged, so a second
  submit of the same request changes nothing;
- logging: the issues that did change are announced once (monitor.signals.announce), which the
  activity log records.

Ingest applies the regression rule in SQL to a whole batch, in the statement that adds its counts
(REGRESSION_SQL, used by grouping.assign.bump_issues) and reports what changed as alert facts:
alerts.evaluate logs the regressions, and ends the ignores whose event or user condition has
lapsed (`end_lapsed_ignores`).

Priority and escalation (docs/priority.md) are transitions here too: `set_priority` (a person's,
which locks it) and `ignore_until_escalating` go through `_transition`; `escalate` and
`deescalate` are made by ingest and the escalation beat task (priority.escalation) with the
issue already locked; `apply_assessment` gives a new issue its assessed priority. Resolving ends
an escalation; any change of status ends "ignore until escalating" (`_LEAVES`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, Q, QuerySet, When
from django.utils import timezone

from monitor import limits
from monitor.issue_events import events_of
from monitor.locks import lock_issues
from monitor.models import Issue, Priority
from monitor.signals import Change, announce

Status = Issue.Status
Issues = Issue | QuerySet[Issue]

# The fields only this module writes (ingest's bump too, through REGRESSION_SQL); the admin
# shows them read-only.
FIELDS = ("status", "regressed", "regressed_at", "resolved_at", "resolved_in_release",
          "ignore_until", "ignore_until_events", "ignore_until_users", "assignee",
          "ignore_until_escalating", "priority", "priority_locked", "priority_before_escalation",
          "escalating_since")
NOT_A_MEMBER = "not a member of this organisation"
GONE = "merged into another issue meanwhile"

# What a transition out of a status ends: the ignore conditions, "resolved in the next release".
_LEAVES = {"resolved_at": None, "resolved_in_release": "", "ignore_until": None,
           "ignore_until_events": None, "ignore_until_users": None,
           "ignore_until_escalating": False}
# What resolving also ends: an escalation, whose raised priority returns unless a person set it.
_ENDS_ESCALATION = {
    "escalating_since": None,
    "priority": Case(When(priority_locked=False, priority_before_escalation__isnull=False,
                          then=F("priority_before_escalation")), default=F("priority")),
    "priority_before_escalation": None,
}
_NO_CONDITIONS = Q(ignore_until=None, ignore_until_events=None, ignore_until_users=None)


def _transition(issues: Issues, fields: dict, already: Q | None, change: Change, by,
                **data) -> int:
    """Lock `issues`, write `fields` to those not `already` in the target state, announce the
    change for them. Returns how many of the issues exist (are in the target state now); an
    Issue passed alone is refreshed, or refused with a ValidationError when it is gone."""
    single = isinstance(issues, Issue)
    queryset = Issue.objects.filter(pk=issues.pk) if single else issues
    with transaction.atomic():
        present = lock_issues(queryset.values_list("id", flat=True))
        if single and issues.pk not in present:
            raise ValidationError({"issue": GONE})
        target = queryset.filter(pk__in=present)
        changing = target.exclude(already) if already is not None else target
        ids = list(changing.values_list("id", flat=True))
        if ids:
            Issue.objects.filter(pk__in=ids).update(**fields)
            announce(ids, change, by, **data)
    if single:
        issues.refresh_from_db()
    return len(present)


def resolve(issues: Issues, by=None) -> int:
    """Resolved: any event received from now on reopens it as a regression."""
    return _transition(issues, {**_LEAVES, **_ENDS_ESCALATION, "status": Status.RESOLVED,
                                "resolved_at": timezone.now(), "regressed": False},
                       Q(status=Status.RESOLVED, resolved_in_release=""), Change.RESOLVED, by)


def reopen(issues: Issues, by=None) -> int:
    return _transition(issues, {**_LEAVES, "status": Status.UNRESOLVED},
                       Q(status=Status.UNRESOLVED), Change.REOPENED, by)


def latest_release(issue: Issue) -> str:
    return (
        events_of(issue).exclude(release="").order_by("-timestamp", "-id")
        .values_list("release", flat=True).first() or ""
    )


def resolve_in_next_release(issue: Issue, by=None) -> Issue:
    """Resolved; only events of a release this issue has not been seen in reopen it. Without
    any release seen it is a plain resolve. The newest release is read under the issue's lock
    (events a batch adds meanwhile count): locked here before the transition locks it again."""
    with transaction.atomic():
        if issue.pk not in lock_issues([issue.pk]):
            raise ValidationError({"issue": GONE})
        release = latest_release(issue)
        _transition(issue, {**_LEAVES, **_ENDS_ESCALATION, "status": Status.RESOLVED,
                            "resolved_at": timezone.now(), "regressed": False,
                            "resolved_in_release": release},
                    Q(status=Status.RESOLVED, resolved_in_release=release),
                    Change.RESOLVED_NEXT if release else Change.RESOLVED, by, release=release)
    return issue


def ignore(issues: Issues, by=None, minutes: int | None = None, events: int | None = None,
           users: int | None = None) -> int:
    """Ignored, forever or until a time, N more events or N more users (whichever comes first).
    "N more" counts from each issue's counters under its lock: ingest adds to them holding the
    same lock, so none of its events counts twice. With a condition the state is new whatever
    the issue was (the condition counts from now); without, an issue ignored forever already
    is left alone."""
    bounds = {"minutes": limits.IGNORE_MINUTES, "events": limits.IGNORE_COUNT,
              "users": limits.IGNORE_COUNT}
    given = {"minutes": minutes, "events": events, "users": users}
    for name, value in given.items():
        if value is not None and not 0 < value <= bounds[name]:
            raise ValidationError({name: "a positive number within range"})
    fields = {**_LEAVES, "status": Status.IGNORED,
              "ignore_until": timezone.now() + dt.timedelta(minutes=minutes) if minutes else None,
              "ignore_until_events": F("times_seen") + events if events else None,
              "ignore_until_users": F("users_seen") + users if users else None}
    conditions = {name: value for name, value in given.items() if value}
    already = None if conditions else Q(_NO_CONDITIONS, status=Status.IGNORED)
    return _transition(issues, fields, already, Change.IGNORED, by, **conditions)


TRANSITIONS = {Status.RESOLVED: resolve, Status.UNRESOLVED: reopen, Status.IGNORED: ignore}


def set_status(issues: Issues, status: str, by=None) -> int:
    """The transition into `status` (resolve, reopen, ignore forever): for the pages' buttons
    and the API's `status` field."""
    return TRANSITIONS[Status(status)](issues, by=by)


def ignore_reason(issue: Issue, now: dt.datetime) -> str | None:
    """Why an ignored issue's condition has lapsed, or None while it holds."""
    if issue.status != Status.IGNORED:
        return None
    if issue.ignore_until and now >= issue.ignore_until:
        return "time"
    if issue.ignore_until_events is not None and issue.times_seen >= issue.ignore_until_events:
        return "events"
    if issue.ignore_until_users is not None and issue.users_seen >= issue.ignore_until_users:
        return "users"
    return None


def expired_ignores(now: dt.datetime) -> QuerySet[Issue]:
    """Ignored issues whose time is up (the other conditions lapse when events arrive)."""
    return Issue.objects.filter(status=Status.IGNORED, ignore_until__lte=now)


def end_lapsed_ignores(issue_ids: Iterable[int], now: dt.datetime) -> dict[int, str]:
    """Unresolve the ignored issues among these whose condition has lapsed, decided under their
    locks (all taken at once, in id order); returns issue id → the reason ("time", "events",
    "users"). Exactly once: a second call finds them unresolved."""
    with transaction.atomic():
        present = lock_issues(issue_ids)
        ended = {issue.pk: reason
                 for issue in Issue.objects.filter(pk__in=present, status=Status.IGNORED)
                 if (reason := ignore_reason(issue, now))}
        if ended:
            Issue.objects.filter(pk__in=ended).update(
                status=Status.UNRESOLVED, ignore_until=None, ignore_until_events=None,
                ignore_until_users=None)
            for reason in sorted(set(ended.values())):
                announce(sorted(i for i, r in ended.items() if r == reason), Change.UNIGNORED,
                         reason=reason)
    return ended


def organization_members(organization_id: int):
    """Who may be assigned the organisation's issues: its active members."""
    return (
        get_user_model()
        .objects.filter(memberships__organization_id=organization_id, is_active=True)
        .order_by("username")
    )


def members_of(issue: Issue):
    """Who may be assigned the issue: the active members of its organisation."""
    return organization_members(issue.project.organization_id)


def member_named(issue: Issue, username: str):
    """The member of the issue's organisation with this username. A user of the instance who
    is not a member gets the same answer as a name nobody has: members cannot probe which
    usernames exist."""
    member = members_of(issue).filter(username=username).first()
    if member is None:
        raise ValidationError({"assignee": NOT_A_MEMBER})
    return member


def assign(issues: Issues, assignee, by=None) -> Issue | int:
    """Assign to a member of the issues' organisation (None unassigns): one issue (returned,
    refreshed) or a queryset (the stream's bulk assign; returns how many exist). Refused whole
    when the assignee is not a member of every organisation the issues belong to."""
    if assignee is not None:
        queryset = Issue.objects.filter(pk=issues.pk) if isinstance(issues, Issue) else issues
        organizations = queryset.values_list("project__organization_id", flat=True).distinct()
        if any(not organization_members(org).filter(pk=assignee.pk).exists()
               for org in organizations):
            raise ValidationError({"assignee": NOT_A_MEMBER})
    count = _transition(issues, {"assignee": assignee}, Q(assignee=assignee), Change.ASSIGNED,
                        by, to=assignee.username if assignee else None)
    return issues if isinstance(issues, Issue) else count


# Regression: an event received after its issue was resolved reopens it (unresolved, flagged
# `regressed`); an issue resolved in the next release only for an event of a release never
# seen on it. In SQL for ingest's bump (grouping.assign), which applies it to each issue of a
# batch in the statement that adds the counts: `old` is the issue's row as locked, with status,
# resolved_at and resolved_in_release; %(last_received)s the batch's newest receive time and
# %(new_release)s whether the batch brought a release new to the issue.
REGRESSES_SQL = (
    "(old.status = 'resolved' AND COALESCE(old.resolved_at, '-infinity') < %(last_received)s"
    " AND (old.resolved_in_release = '' OR %(new_release)s))"
)
REGRESSION_SQL = f"""regressed = regressed OR {REGRESSES_SQL},
    regressed_at = CASE WHEN {REGRESSES_SQL} THEN %(last_received)s ELSE regressed_at END,
    status = CASE WHEN {REGRESSES_SQL} THEN 'unresolved' ELSE old.status END"""


def regressed(before: str, after: str) -> bool:
    """Whether a bump that found the issue `before` and left it `after` was a regression."""
    return before == Status.RESOLVED and after == Status.UNRESOLVED


# --- priority and escalation (docs/priority.md) -----------------------------------------------

NEW_DAYS = 7
SUBSTATUSES = ("new", "ongoing", "escalating", "regressed", "archived_until_escalating",
               "archived_until_condition_met", "archived_forever")


def substatus(issue: Issue, now: dt.datetime | None = None) -> str | None:
    """Sentry's substatus names: new, ongoing, escalating, regressed (unresolved issues),
    archived_until_escalating, archived_until_condition_met, archived_forever (ignored ones);
    None for resolved issues."""
    now = now or timezone.now()
    if issue.status == Status.RESOLVED:
        return None
    if issue.status == Status.IGNORED:
        if issue.ignore_until_escalating:
            return "archived_until_escalating"
        if issue.ignore_until or issue.ignore_until_events or issue.ignore_until_users:
            return "archived_until_condition_met"
        return "archived_forever"
    if issue.escalating_since:
        return "escalating"
    if issue.regressed:
        return "regressed"
    if issue.first_seen >= now - dt.timedelta(days=NEW_DAYS):
        return "new"
    return "ongoing"


def escalated(priority: int) -> int:
    """One step up while escalating."""
    order = [Priority.LOW, Priority.MEDIUM, Priority.HIGH]
    return int(order[min(len(order) - 1, order.index(priority) + 1)])


def escalate(issue_id: int, hour: dt.datetime, count: int, limit: float) -> bool:
    """Mark the issue escalating (the caller holds its lock): the hour it crossed, its priority
    one step up unless a person set it (the old one kept), an issue ignored until escalating
    woken up; an `escalating` fact for the alert rules. False when it is escalating already or
    neither unresolved nor ignored until escalating."""
    from alerts import outbox as alert_outbox
    from alerts.models import AlertFact

    issue = (Issue.objects.filter(pk=issue_id, escalating_since__isnull=True)
             .filter(Q(status=Status.UNRESOLVED)
                     | Q(status=Status.IGNORED, ignore_until_escalating=True)).first())
    if issue is None:
        return False
    fields = ["escalating_since"]
    issue.escalating_since = hour
    woke = issue.status == Status.IGNORED
    if woke:
        issue.status, issue.ignore_until_escalating = Status.UNRESOLVED, False
        fields += ["status", "ignore_until_escalating"]
    if not issue.priority_locked:
        issue.priority_before_escalation = issue.priority
        issue.priority = escalated(issue.priority)
        fields += ["priority", "priority_before_escalation"]
    issue.save(update_fields=fields)
    announce([issue.id], Change.ESCALATING, hour=hour.isoformat(), count=count,
             limit=round(limit, 1), priority=issue.get_priority_display(), woke=woke)
    AlertFact.objects.create(project_id=issue.project_id, issue_id=issue.id,
                             kind=AlertFact.Kind.ESCALATING,
                             count=min(count, limits.ALERT_FACT_COUNT),
                             level=issue.level, at=timezone.now())
    transaction.on_commit(alert_outbox.wake)
    return True


def deescalate(issue_id: int) -> bool:
    """Back under its limit (the caller holds the lock): not escalating, and the priority from
    before unless a person set one meanwhile."""
    issue = Issue.objects.filter(pk=issue_id, escalating_since__isnull=False).first()
    if issue is None:
        return False
    issue.escalating_since = None
    if not issue.priority_locked and issue.priority_before_escalation is not None:
        issue.priority = issue.priority_before_escalation
    issue.priority_before_escalation = None
    issue.save(update_fields=["escalating_since", "priority", "priority_before_escalation"])
    announce([issue.id], Change.DEESCALATED, priority=issue.get_priority_display())
    return True


def priority_value(label) -> int:
    """"high"/"medium"/"low" (or 75/50/25) → the stored value; ValidationError otherwise."""
    for choice in Priority:
        if label in (choice.label, choice.value, str(choice.value)):
            return int(choice.value)
    raise ValidationError({"priority": "one of high, medium, low"})


def set_priority(issue: Issue, label, by=None) -> Issue:
    """A person's priority: set and locked (nothing automatic changes it again); the same value
    again, locked already, changes and logs nothing."""
    value = priority_value(label)
    before = Priority(issue.priority).label
    _transition(issue, {"priority": value, "priority_locked": True,
                        "priority_before_escalation": None},
                Q(priority=value, priority_locked=True), Change.PRIORITY, by,
                before=before, to=Priority(value).label)
    return issue


def ignore_until_escalating(issue: Issue, by=None) -> Issue:
    """Ignored (archived) until it escalates: `escalate` wakes it up."""
    _transition(issue, {**_LEAVES, "status": Status.IGNORED, "ignore_until_escalating": True},
                Q(status=Status.IGNORED, ignore_until_escalating=True), Change.IGNORED, by,
                until="escalating")
    return issue


def apply_assessment(issue: Issue, priority: int, factors: list[str],
                     severity: float | None) -> bool:
    """Give the issue (locked and read under the lock) its assessed priority unless a person
    set one; while it escalates the assessment is what it returns to, and it stays one step
    higher."""
    if issue.priority_locked:
        return False
    issue.severity, issue.priority_factors = severity, factors
    if issue.escalating_since:
        issue.priority_before_escalation = priority
        issue.priority = escalated(priority)
    else:
        issue.priority = priority
    issue.save(update_fields=["severity", "priority_factors", "priority",
                              "priority_before_escalation"])
    return True
