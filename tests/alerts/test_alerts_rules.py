"""Alert rules through the real processing path: facts recorded in the processing transaction,
evaluated later; filters, once-per-condition, digests, frequency, ignore conditions, resolve in
the next release, hourly caps."""

import datetime as dt

import pytest
from django.utils import timezone

from alerts.comments import comment
from alerts.evaluate import end_expired_ignores
from alerts.models import (
    Activity,
    AlertDelivery,
    AlertDestination,
    AlertFact,
    AlertFiring,
    AlertNotification,
    AlertRule,
)
from alerts.notify import flush_due
from monitor import state
from monitor.models import Issue, Project
from tests.helpers.alerts import evaluate, send

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _forget_rules():
    from alerts.outbox import forget_rules

    forget_rules()


@pytest.fixture
def fp_project(project):
    project.grouping_mode = Project.GroupingMode.FINGERPRINT
    project.save()
    return project


@pytest.fixture
def hook(fp_project):
    return AlertDestination.objects.create(
        project=fp_project, name="hook", kind="webhook", config={"url": "http://127.0.0.1:9/"}
    )


def rule(project, trigger, destination=None, **fields):
    created = AlertRule.objects.create(project=project, name=trigger, trigger=trigger, **fields)
    if destination:
        created.destinations.add(destination)
    return created


def test_a_new_issue_fires_once_and_is_logged(fp_project, hook):
    new = rule(fp_project, "new_issue", hook)
    send(fp_project, "a")
    assert AlertFact.objects.filter(kind="new").count() == 1  # recorded, not yet evaluated
    deliveries = evaluate()
    assert len(deliveries) == 1 and AlertFact.objects.count() == 0
    issue = Issue.objects.get()
    assert AlertFiring.objects.filter(rule=new, issue=issue, key="new").count() == 1
    assert Activity.objects.filter(issue=issue, kind="created").exists()
    send(fp_project, "a")  # the same issue again: not new
    assert evaluate() == [] and AlertFiring.objects.count() == 1


def test_fifty_new_issues_in_a_burst_are_one_message(fp_project, hook):
    rule(fp_project, "new_issue", hook, digest_minutes=5)
    for i in range(50):
        send(fp_project, f"bug-{i}")
    assert evaluate() == []  # the digest window is open
    notification = AlertNotification.objects.get()
    assert notification.firings.count() == 50 and notification.state == "open"
    later = timezone.now() + dt.timedelta(minutes=6)
    deliveries = flush_due(later)
    assert len(deliveries) == 1
    notification.refresh_from_db()
    assert notification.state == "sent"


def test_filters_on_level_environment_and_release(fp_project, hook):
    rule(fp_project, "new_issue", hook, min_level="error", environment="production",
         release="shop@2")
    send(fp_project, "staging", environment="staging", release="shop@2")
    send(fp_project, "warning", environment="production", release="shop@2", level="warning")
    send(fp_project, "old", environment="production", release="shop@1")
    assert evaluate() == []
    send(fp_project, "match", environment="production", release="shop@2", level="fatal")
    assert len(evaluate()) == 1
    assert AlertFiring.objects.get().issue.title.startswith("ZeroDivisionError")


def test_regression_fires_once_per_regression(fp_project, hook):
    regression = rule(fp_project, "regression", hook)
    send(fp_project, "a")
    evaluate()
    issue = Issue.objects.get()
    for round_ in range(2):
        state.resolve(issue)
        send(fp_project, "a")
        send(fp_project, "a")  # the second event of the regression is not another alert
        evaluate()
        assert AlertFiring.objects.filter(rule=regression).count() == round_ + 1
    assert Activity.objects.filter(issue=issue, kind="regressed").count() == 2
    assert Activity.objects.filter(issue=issue, kind="resolved").count() == 2


def test_frequency_rule_fires_when_n_events_arrive_within_m_minutes(fp_project, hook):
    frequency = rule(fp_project, "frequency", hook, threshold=5, window_minutes=10)
    for _ in range(4):
        send(fp_project, "a")
    evaluate()
    assert not AlertFiring.objects.filter(rule=frequency).exists()
    send(fp_project, "a")
    evaluate()
    assert AlertFiring.objects.filter(rule=frequency).count() == 1
    for _ in range(5):
        send(fp_project, "a")
    evaluate()  # same window: at most once
    assert AlertFiring.objects.filter(rule=frequency).count() == 1


def test_frequency_counts_events_by_arrival_not_by_the_sdks_clock(fp_project, hook):
    """Five events sent now by a client whose clock is two days behind are five events in the
    last ten minutes; five whose clock is ahead do not crowd the window either."""
    frequency = rule(fp_project, "frequency", hook, threshold=5, window_minutes=10)
    behind = (timezone.now() - dt.timedelta(days=2)).isoformat()
    for _ in range(5):
        send(fp_project, "skewed", timestamp=behind)
    evaluate()
    assert AlertFiring.objects.filter(rule=frequency).count() == 1


def test_no_rules_means_no_event_facts(fp_project):
    send(fp_project, "a")
    send(fp_project, "a")
    assert list(AlertFact.objects.values_list("kind", flat=True)) == ["new"]  # activity only


def test_ignore_until_n_more_events_ends_by_itself_and_alerts(fp_project, hook):
    ended = rule(fp_project, "ignore_ended", hook)
    send(fp_project, "a")
    evaluate()
    issue = Issue.objects.get()
    state.ignore(issue, None, events=3)
    send(fp_project, "a")
    send(fp_project, "a")
    evaluate()
    issue.refresh_from_db()
    assert issue.status == "ignored"
    send(fp_project, "a")
    evaluate()
    issue.refresh_from_db()
    assert issue.status == "unresolved" and issue.ignore_until_events is None
    assert AlertFiring.objects.filter(rule=ended, issue=issue).count() == 1
    assert Activity.objects.filter(issue=issue, kind="unignored", data__reason="events").exists()


def test_ignore_until_n_users_and_for_a_duration(fp_project, hook):
    ended = rule(fp_project, "ignore_ended", hook)
    send(fp_project, "users")
    send(fp_project, "time")
    evaluate()
    by_users, by_time = Issue.objects.order_by("id")
    state.ignore(by_users, None, users=2)
    state.ignore(by_time, None, minutes=60)
    send(fp_project, "users", user={"id": "u2"})  # user "1" is known, u2 is one more
    evaluate()
    by_users.refresh_from_db()
    assert by_users.status == "ignored"
    send(fp_project, "users", user={"id": "u3"})
    evaluate()
    by_users.refresh_from_db()
    assert by_users.status == "unresolved"
    assert end_expired_ignores()[0] == 0
    assert end_expired_ignores(timezone.now() + dt.timedelta(minutes=61))[0] == 1
    by_time.refresh_from_db()
    assert by_time.status == "unresolved"
    assert AlertFiring.objects.filter(rule=ended).count() == 2


def test_resolve_in_next_release_regresses_only_on_a_newer_release(fp_project, hook):
    rule(fp_project, "regression", hook)
    send(fp_project, "a", release="shop@1")
    send(fp_project, "a", release="shop@2")
    issue = Issue.objects.get()
    state.resolve_in_next_release(issue, None)
    assert issue.resolved_in_release == "shop@2"
    send(fp_project, "a", release="shop@2")  # the release it was resolved in
    send(fp_project, "a", release="shop@1")  # an older one still deployed somewhere
    issue.refresh_from_db()
    assert issue.status == "resolved"
    send(fp_project, "a", release="shop@3")
    issue.refresh_from_db()
    assert issue.status == "unresolved" and issue.regressed
    evaluate()
    assert AlertFiring.objects.filter(issue=issue, key__startswith="regression:").count() == 1


def test_hourly_cap_records_capped_notifications(fp_project, hook, settings):
    settings.ALERTS_HOURLY_CAP = 2
    rule(fp_project, "new_issue", hook)
    for i in range(4):
        send(fp_project, f"bug-{i}")
        evaluate()
    states = list(AlertNotification.objects.order_by("id").values_list("state", flat=True))
    assert states == ["sent", "sent", "capped", "capped"]
    assert AlertDelivery.objects.count() == 2


def test_merge_and_assignment_and_comments_are_in_the_activity_log(fp_project, django_user_model):
    from grouping.merge import merge_by_user
    from monitor.models import Membership

    alice = django_user_model.objects.create_user("alice", email="alice@example.com")
    Membership.objects.create(user=alice, organization=fp_project.organization)
    send(fp_project, "a")
    send(fp_project, "b")
    first, second = Issue.objects.order_by("id")
    state.assign(first, alice, alice)
    comment(first, alice, "looking into it")
    merge_by_user(first.id, [second.id], by=alice)
    kinds = list(Activity.objects.filter(issue=first).values_list("kind", "user__username"))
    assert ("assigned", "alice") in kinds and ("commented", "alice") in kinds
    assert ("merged", "alice") in kinds
    outsider = django_user_model.objects.create_user("mallory")
    with pytest.raises(Exception, match="not a member"):
        state.assign(first, outsider, alice)


def test_the_sweep_ends_timed_ignores_evaluates_and_resends_lost_deliveries(fp_project, hook):
    from alerts.tasks import sweep

    rule(fp_project, "ignore_ended", hook)
    send(fp_project, "a")  # a fact nobody evaluated (its wake-up was lost)
    issue = Issue.objects.get()
    state.ignore(issue, None, minutes=1)
    Issue.objects.filter(pk=issue.pk).update(ignore_until=timezone.now() - dt.timedelta(seconds=1))
    result = sweep.run()
    issue.refresh_from_db()
    assert issue.status == "unresolved" and result["ignores_ended"] == 1
    assert result["facts"] == 1
    delivery = AlertDelivery.objects.get()  # the ignore-ended alert, handed to its destination
    AlertDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - dt.timedelta(minutes=5)
    )
    assert sweep.run()["resent"] == 1
