"""Issue priority and escalation through the real processing path: priority at creation from
the event's signals (hostile types included), the severity score over the grouping worker's
vector, hourly counts, the escalation forecast, escalate / de-escalate / ignore until
escalating, the API, the search and the default alert rule."""

import datetime as dt
import json
import uuid

import pytest
from django.utils import timezone

from alerts.evaluate import evaluate_pending
from alerts.models import Activity, AlertFact, AlertRule
from ingest.accept import store_raw_event
from ingest.processing import process_pending
from monitor.models import Issue, IssueHourlyCount, Priority, Project
from priority import escalation, forecast, rules
from priority.escalation import current_hour
from tests.helpers.cast import join, make_user
from tests.helpers.events import event, ingest
from tests.helpers.priority import crash

pytestmark = pytest.mark.django_db


@pytest.fixture
def fp_project(project):
    project.grouping_mode = Project.GroupingMode.FINGERPRINT
    project.save()
    return project


def only_issue() -> Issue:
    return Issue.objects.get()


# --- the rules (pure) ---------------------------------------------------------------------

@pytest.mark.parametrize("handled, expected", [
    (False, False), ("false", False), ("FALSE", False), (0, False), (True, True), ("yes", True),
    ([False], None), ({"no": 1}, None), (7, None), (None, None), ("maybe", None),
])
def test_handled_of_any_type_is_read_or_ignored(handled, expected):
    data = {"exception": {"values": [{"type": "E", "mechanism": {"handled": handled}}]}}
    assert rules.signals_of(data).handled is expected


@pytest.mark.parametrize("level", [7, ["error"], {"x": 1}, None, "LOUD"])
def test_a_wrongly_typed_level_reads_as_error(level):
    assert rules.signals_of({"level": level}).level == "error"


@pytest.mark.parametrize("signals, priority", [
    (rules.Signals(level="fatal", handled=True), Priority.HIGH),
    (rules.Signals(level="info"), Priority.LOW),
    (rules.Signals(level="debug", handled=False), Priority.LOW),
    (rules.Signals(level="info", users=50), Priority.MEDIUM),
    (rules.Signals(level="error", handled=False), Priority.HIGH),
    (rules.Signals(level="error", handled=True), Priority.MEDIUM),
    (rules.Signals(level="error"), Priority.MEDIUM),
    (rules.Signals(level="warning", handled=True), Priority.LOW),
    (rules.Signals(level="warning", crash=False), Priority.LOW),
    (rules.Signals(level="error", severity=0.9), Priority.MEDIUM),
    (rules.Signals(level="error", severity=0.9, regressed=True), Priority.HIGH),
    (rules.Signals(level="error", severity=0.1), Priority.MEDIUM),
    (rules.Signals(level="error", new_in_release="2.4.0"), Priority.MEDIUM),
    (rules.Signals(level="error", new_in_release="2.4.0", users=37), Priority.HIGH),
    (rules.Signals(level="warning", handled=True, regressed=True, users=200), Priority.HIGH),
])
def test_priority_from_signals(signals, priority):
    assert rules.assess(signals).priority == priority


def test_the_factors_say_why_in_words():
    factors = rules.assess(rules.Signals(level="error", handled=False, new_in_release="2.4.0",
                                         users=37)).factors
    assert factors == ["error", "unhandled", "new in 2.4.0", "37 users"]


# --- priority at creation, through processing -------------------------------------------

def test_an_unhandled_crash_is_high_and_a_handled_warning_low(fp_project):
    ingest(fp_project, crash(handled=False, fingerprint="unhandled"))
    ingest(fp_project, crash(handled=True, level="warning", fingerprint="handled"))
    ingest(fp_project, {"message": "cache miss", "level": "info", "fingerprint": ["msg"]})
    by = {i.title.split(":")[0]: i for i in Issue.objects.all()}
    high = Issue.objects.get(hashes__isnull=False, priority_factors__contains=["unhandled"])
    assert high.priority == Priority.HIGH
    low = Issue.objects.get(priority_factors__contains=["handled"])
    assert low.priority == Priority.LOW and low.level == "warning"
    assert by["cache miss"].priority == Priority.LOW


@pytest.mark.parametrize("handled", [["nope"], {"a": 1}, "garbage", 12.5])
def test_a_wrongly_typed_mechanism_neither_crashes_nor_counts(fp_project, handled):
    ingest(fp_project, crash(handled=handled))
    issue = only_issue()
    assert issue.priority == Priority.MEDIUM and "unhandled" not in issue.priority_factors


def test_new_in_the_latest_release(fp_project):
    ingest(fp_project, crash(fingerprint="old", release="2.3.0"))
    assert "new in 2.3.0" in Issue.objects.get().priority_factors
    ingest(fp_project, crash(fingerprint="later", release="2.4.0"))
    ingest(fp_project, crash(fingerprint="stale", release="2.3.0"))  # an old release's newcomer
    factors = {tuple(i.priority_factors) for i in Issue.objects.all()}
    assert ("error", "new in 2.4.0", "1 user") in factors
    assert ("error", "1 user") in factors


# --- the severity score over the grouping worker's vector -------------------------------

@pytest.mark.django_db(transaction=True)
def test_the_grouping_worker_scores_severity_from_its_own_vector(project):
    from grouping import ml
    from priority.severity import load_head

    head = load_head()
    assert head is not None, "priority/severity_head.json must ship"
    ingest(project, event())
    issue = only_issue()
    assert issue.severity is None  # before the worker: rule-based
    ml.drain(wait_ms=0)
    issue.refresh_from_db()
    assert issue.severity is not None and 0 <= issue.severity <= 1
    assert any(f.startswith("severity ") for f in issue.priority_factors)


def test_a_vector_of_another_model_has_no_score():
    import numpy as np

    from priority.severity import load_head, score

    head = load_head()
    vector = np.ones(head.weights.shape, dtype=np.float32) / np.sqrt(head.weights.size)
    assert score(vector, head.model_version) is not None
    assert score(vector, "another-model") is None
    assert score(np.ones(3), head.model_version) is None
    assert score(vector * np.nan, head.model_version) is None


def test_a_person_s_priority_is_locked_and_logged(fp_project, django_user_model):
    from monitor import state

    ingest(fp_project, crash(handled=False))
    issue = only_issue()
    user = django_user_model.objects.create_user("alice")
    state.set_priority(issue, "low", user)
    state.set_priority(issue, "low", user)  # again: nothing to log
    issue.refresh_from_db()
    assert issue.priority == Priority.LOW and issue.priority_locked
    (entry,) = Activity.objects.filter(issue=issue, kind="priority")
    assert entry.user == user and entry.data == {"before": "high", "to": "low"}
    import numpy as np

    from priority.assess import with_vector
    from priority.severity import load_head

    head = load_head()
    assert not with_vector(issue.id, issue.events.first(), np.ones_like(head.weights),
                           head.model_version)
    issue.refresh_from_db()
    assert issue.priority == Priority.LOW


# --- hourly counts ----------------------------------------------------------------------

def test_hourly_counts_follow_received_time_not_the_sdk_clock(fp_project):
    future = (timezone.now() + dt.timedelta(days=400)).timestamp()
    past = (timezone.now() - dt.timedelta(days=30)).timestamp()
    for ts in (future, past, None):
        ingest(fp_project, crash() | ({"timestamp": ts} if ts else {}))
    issue = only_issue()
    (row,) = IssueHourlyCount.objects.filter(issue=issue)
    assert row.count == 3 and row.hour == current_hour()


def test_merge_moves_and_unmerge_recounts_hourly_counts(fp_project):
    from grouping.merge import merge_issues, unmerge_hash

    for fp, n in (("a", 3), ("b", 2)):
        for _ in range(n):
            ingest(fp_project, crash(fingerprint=fp))
    a, b = Issue.objects.order_by("id")
    b_hash = b.hashes.get()
    merge_issues(a.id, [b.id])
    assert list(IssueHourlyCount.objects.values_list("issue_id", "count")) == [(a.id, 5)]
    b_hash.refresh_from_db()
    new = unmerge_hash(b_hash)
    counts = dict(IssueHourlyCount.objects.values_list("issue_id", "count"))
    assert counts == {a.id: 3, new.id: 2}
    assert new.priority_factors == ["error", "1 user"]  # assessed like any new issue


# --- the forecast (pure) ----------------------------------------------------------------

def test_sentry_forecast_for_young_and_steady_issues():
    assert forecast.sentry_limit([0, 3, 7, 2], young=True) == 70
    steady = [10.0] * forecast.WEEK_HOURS
    assert forecast.sentry_limit(steady, young=False) == pytest.approx(10 + 5 * 10)
    bursty = [0.0] * (forecast.WEEK_HOURS - 1) + [100.0]
    assert forecast.sentry_limit(bursty, young=False) >= 200


def test_huge_counts_give_a_finite_limit_and_no_history_none():
    huge = [2**62] * forecast.WEEK_HOURS
    value = forecast.limit(huge, history_hours=forecast.WEEK_HOURS + 5)
    assert value is not None and value >= 2**62 and value != float("inf")
    assert not forecast.crossed(2**62, value)
    assert forecast.limit([0, 0], history_hours=2) is None
    assert forecast.limit([0] * 10, history_hours=10) == forecast.MIN_LIMIT


# --- escalation -------------------------------------------------------------------------

def history(issue, per_hour: int, hours: int, now):
    hour = current_hour(now)
    IssueHourlyCount.objects.bulk_create([
        IssueHourlyCount(issue=issue, hour=hour - dt.timedelta(hours=h), count=per_hour)
        for h in range(1, hours + 1)
    ])


def burst(project, n, **extra):
    for _ in range(n):
        store_raw_event(project.id, uuid.uuid4(), "event", json.dumps(crash(**extra)).encode())
    while process_pending(100):
        pass


def test_an_issue_escalates_on_ingest_past_its_forecast_and_comes_back(fp_project):
    ingest(fp_project, crash())
    issue = only_issue()
    now = timezone.now()
    history(issue, 5, 8 * 24, now)
    assert escalation.evaluate(now)["escalated"] == 0
    issue.refresh_from_db()
    limit = issue.escalation_limit
    assert limit == pytest.approx(5 + 5 * 5)  # steady 5 an hour: spike = avg + 5·avg
    burst(fp_project, int(limit))  # 1 + limit events this hour: past the limit
    issue.refresh_from_db()
    assert issue.escalating_since == current_hour(now)
    assert issue.priority == Priority.HIGH and issue.priority_before_escalation == Priority.MEDIUM
    (entry,) = Activity.objects.filter(issue=issue, kind="escalating")
    assert entry.data["limit"] == round(limit, 1) and entry.data["count"] > limit
    assert AlertFact.objects.filter(kind="escalating", issue_id=issue.id).count() == 1
    burst(fp_project, 5)  # already escalating: no second escalation
    assert Activity.objects.filter(issue=issue, kind="escalating").count() == 1
    # two hours later, quiet: it de-escalates and its priority returns
    later = now + dt.timedelta(hours=2)
    assert escalation.evaluate(later)["deescalated"] == 1
    issue.refresh_from_db()
    assert issue.escalating_since is None and issue.priority == Priority.MEDIUM
    assert Activity.objects.filter(issue=issue, kind="deescalated").count() == 1


def test_the_beat_pass_escalates_an_hour_already_past_the_limit(fp_project):
    ingest(fp_project, crash())
    issue = only_issue()
    now = timezone.now()
    history(issue, 1, 10, now)
    IssueHourlyCount.objects.filter(issue=issue, hour=current_hour(now)).update(count=500)
    assert escalation.evaluate(now)["escalated"] == 1
    issue.refresh_from_db()
    assert issue.escalating_since == current_hour(now)


def test_young_issues_and_small_numbers_do_not_escalate(fp_project):
    burst(fp_project, 15)  # a brand-new issue's first burst: no history, no forecast
    issue = only_issue()
    now = timezone.now()
    assert escalation.evaluate(now)["escalated"] == 0
    issue.refresh_from_db()
    assert issue.escalation_limit is None and issue.escalating_since is None


def test_events_from_the_future_or_the_past_never_escalate(fp_project):
    ingest(fp_project, crash())
    issue = only_issue()
    now = timezone.now()
    history(issue, 10, 8 * 24, now)
    escalation.evaluate(now)
    issue.refresh_from_db()
    assert issue.escalation_limit == pytest.approx(60)
    skewed = [now + dt.timedelta(hours=h) for h in (1, 24 * 365 * 50)]
    skewed += [now - dt.timedelta(hours=h) for h in (2, 24 * 30)]
    for when in skewed:  # 14 each: bucketed by their own clocks, each past hour would jump
        burst(fp_project, 14, timestamp=when.timestamp())
    escalation.evaluate(now + dt.timedelta(minutes=1))
    issue.refresh_from_db()
    assert issue.escalating_since is None
    assert IssueHourlyCount.objects.get(issue=issue, hour=current_hour(now)).count == 57
    assert not IssueHourlyCount.objects.filter(issue=issue, hour__gt=current_hour(now)).exists()
    assert set(IssueHourlyCount.objects.filter(issue=issue, hour__lt=current_hour(now))
               .values_list("count", flat=True)) == {10}
    # the evaluator's own clock a year ahead: a week of nothing, no escalation either
    assert escalation.evaluate(now + dt.timedelta(days=365))["escalated"] == 0


def test_ignore_until_escalating_wakes_up(fp_project, django_user_model):
    from monitor import state

    ingest(fp_project, crash())
    issue = only_issue()
    now = timezone.now()
    history(issue, 1, 30, now)
    escalation.evaluate(now)
    state.ignore_until_escalating(issue, django_user_model.objects.create_user("bob"))
    issue.refresh_from_db()
    assert state.substatus(issue) == "archived_until_escalating"
    burst(fp_project, int(Issue.objects.get().escalation_limit) + 1)
    issue.refresh_from_db()
    assert issue.status == "unresolved" and state.substatus(issue) == "escalating"
    assert Activity.objects.get(issue=issue, kind="escalating").data["woke"] is True


def test_a_locked_priority_does_not_move_when_escalating(fp_project):
    from monitor import state

    ingest(fp_project, crash())
    issue = only_issue()
    state.set_priority(issue, "low", None)
    now = timezone.now()
    history(issue, 1, 30, now)
    escalation.evaluate(now)
    burst(fp_project, 40)
    issue.refresh_from_db()
    assert issue.escalating_since is not None and issue.priority == Priority.LOW


def test_resolving_ends_the_escalation_and_returns_the_priority(fp_project):
    from monitor.state import set_status

    ingest(fp_project, crash())
    issue = only_issue()
    now = timezone.now()
    history(issue, 1, 30, now)
    escalation.evaluate(now)
    burst(fp_project, 40)
    issue.refresh_from_db()
    assert issue.priority == Priority.HIGH
    set_status(Issue.objects.filter(pk=issue.pk), "resolved")
    issue.refresh_from_db()
    assert issue.escalating_since is None and issue.priority == Priority.MEDIUM


# --- search, stream order ---------------------------------------------------------------

def test_search_terms_and_the_attention_order(fp_project):
    from monitor.issues import apply_search, sort_issues
    from monitor.search import SearchError, parse

    ingest(fp_project, crash(fingerprint="medium"))
    ingest(fp_project, crash(fingerprint="high", handled=False))
    ingest(fp_project, crash(fingerprint="escalating"))
    medium, high, hot = Issue.objects.order_by("id")
    Issue.objects.filter(pk=hot.pk).update(escalating_since=current_hour())
    issues = Issue.objects.all()
    assert list(apply_search(issues, parse("priority:high"))) == [high]
    assert list(apply_search(issues, parse("is:escalating"))) == [hot]
    assert apply_search(issues, parse("is:new")).count() == 3
    Issue.objects.filter(pk=medium.pk).update(first_seen=timezone.now() - dt.timedelta(days=8))
    assert medium not in apply_search(issues, parse("is:new"))
    assert list(sort_issues(issues, None, default="attention")) == [hot, high, medium]
    with pytest.raises(SearchError):
        parse("priority:urgent")


# --- alerts: the default rule -----------------------------------------------------------

def test_a_new_project_e_mails_its_members_on_high_priority_and_escalation(
        org, smtp, django_user_model):
    from rest_framework.test import APIClient

    from alerts.notify import attempt, flush_due

    owner = django_user_model.objects.create_user("owner")
    join(owner, org, "owner")
    client = APIClient()
    client.force_login(owner)
    made = client.post("/api/0/projects/", {"organization": org.slug, "name": "Web",
                                            "slug": "web", "grouping_mode": "fingerprint"})
    assert made.status_code == 201, made.content
    fp_project = Project.objects.get(pk=made.json()["id"])
    (rule,) = AlertRule.objects.filter(project=fp_project)
    assert rule.trigger == "priority" and rule.enabled
    (dest,) = rule.destinations.all()
    assert dest.kind == "email" and dest.config["to_members"]
    user = django_user_model.objects.create_user("carol", email="carol@example.com")
    join(user, fp_project.organization)

    def deliver():
        while evaluate_pending()[0]:
            pass
        return [attempt(d).status for d in flush_due()]

    ingest(fp_project, crash(fingerprint="medium"))
    assert deliver() == []  # medium: no mail
    ingest(fp_project, crash(fingerprint="high", handled=False))
    assert deliver() == ["sent"]
    (mail,) = smtp.inbox.messages
    assert mail["to"] == ["carol@example.com"]  # the owner has no address
    medium = Issue.objects.get(priority=Priority.MEDIUM)
    now = timezone.now()
    history(medium, 1, 30, now)
    escalation.evaluate(now)
    burst(fp_project, 40, fingerprint="medium")
    assert deliver() == ["sent"] and len(smtp.inbox.messages) == 2
    rule.delete()  # removable
    assert AlertRule.objects.filter(project=fp_project).count() == 0


# --- API and pages ------------------------------------------------------------------------

@pytest.fixture
def member(fp_project, django_user_model):

    user = make_user("dave")
    join(user, fp_project.organization)
    return user


def test_the_api_carries_priority_and_substatus_and_a_patch_locks_it(fp_project, member):
    from rest_framework.test import APIClient

    ingest(fp_project, crash(handled=False))
    issue = only_issue()
    client = APIClient()
    client.force_login(member)
    body = client.get(f"/api/0/issues/{issue.id}/").json()
    assert body["priority"] == "high" and body["substatus"] == "new"
    assert body["priority_locked"] is False and "unhandled" in body["priority_factors"]
    assert client.patch(f"/api/0/issues/{issue.id}/", {"priority": "urgent"},
                        format="json").status_code == 400
    changed = client.patch(f"/api/0/issues/{issue.id}/", {"priority": "low"}, format="json")
    assert changed.status_code == 200 and changed.json()["priority"] == "low"
    assert changed.json()["priority_locked"] is True
    assert Activity.objects.get(issue=issue, kind="priority").user == member
    listed = client.get("/api/0/issues/", {"query": "priority:low is:new"}).json()["results"]
    assert [i["id"] for i in listed] == [issue.id]
    assert client.get("/api/0/issues/", {"query": "is:escalating"}).json()["results"] == []
    assert client.get("/api/0/issues/", {"query": "priority:urgent"}).status_code == 400
    schema = client.get("/api/0/schema/", {"format": "json"}).json()
    props = schema["components"]["schemas"]["Issue"]["properties"]
    assert "substatus" in props and "priority" in props
    enums = json.dumps(schema["components"]["schemas"])
    assert '"high"' in enums and '"archived_until_escalating"' in enums


def test_the_issue_page_shows_the_priority_and_why_and_a_person_can_change_it(fp_project,
                                                                             member):
    from django.test import Client

    ingest(fp_project, crash(handled=False, release="2.4.0"))
    issue = only_issue()
    client = Client()
    client.force_login(member)
    url = f"/{fp_project.organization.slug}/{fp_project.slug}/issues/{issue.id}/"
    page = client.get(url).content.decode()
    assert "priority-high" in page and "error, unhandled, new in 2.4.0, 1 user" in page
    triage = f"/{fp_project.organization.slug}/{fp_project.slug}/issues/{issue.id}/triage/"
    client.post(triage, {"action": "priority", "priority": "medium"})
    page = client.get(url).content.decode()
    assert "set by a person" in page and "from high to medium" in page
    client.post(triage, {"action": "ignore_until_escalating"})
    issue.refresh_from_db()
    assert issue.status == "ignored" and issue.ignore_until_escalating
    assert "Ignored until it escalates." in client.get(url).content.decode()
    stream = client.get(f"/{fp_project.organization.slug}/{fp_project.slug}/issues/",
                        {"query": "priority:medium is:ignored"}).content.decode()
    assert f"/issues/{issue.id}/" in stream and "priority-medium" in stream
