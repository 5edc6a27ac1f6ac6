"""Severity learning from triage, with consent, through the real parts: issues made by real
processing, labels from the real state changes (monitor.state, comments, the issue page),
the real consent policy, the real embedding model and the severity head in priority.severity."""

from __future__ import annotations

import numpy as np
import pytest

from consent.models import OrganizationConsent
from embeddings import registry
from embeddings.encoder import encoder_for
from monitor import state
from monitor.models import Event, Issue, Project
from priority import examples, learn, severity, triage
from priority.assess import with_vector
from priority.models import IssueView, SeverityExample, SeverityHead
from tests.helpers.priority import FULL, TRIAGE, issue_of, triaged_org

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(django_user_model):
    return django_user_model.objects.create_user("triager")


def test_labels_come_from_the_real_state_changes(person, client):
    org = triaged_org("acme", person)
    project = Project.objects.get(organization=org)
    viewed = issue_of(project, "ValidationError")
    assert not IssueView.objects.filter(issue=viewed).exists()

    labels = triage.labels(project.id)

    expected = {"assigned": (True, "assigned"), "commented": (True, "commented"),
                "resolved_next": (True, "resolved_next"), "escalating": (True, "escalating"),
                "ignored": (False, "ignored"), "unopened": (False, "unopened")}
    assert {issue_of(project, t).id: expected[a] for t, _, a in TRIAGE if a in expected} == labels
    # opening the issue page is what takes it out of "never opened"
    client.force_login(person)
    assert client.get(f"/{org.slug}/{project.slug}/issues/{viewed.id}/").status_code == 200
    assert client.get(f"/{org.slug}/{project.slug}/issues/{viewed.id}/").status_code == 200
    assert IssueView.objects.filter(issue=viewed, user=person).count() == 1
    assert viewed.id not in triage.labels(project.id)
    # an unassignment is not a sign of severity; the assignment before it still is
    assigned = issue_of(project, "TypeError")
    state.assign(assigned, None, by=person)
    assert triage.labels(project.id)[assigned.id] == (True, "assigned")


def test_an_organisation_without_consent_contributes_nothing(person, django_user_model):
    full = triaged_org("full", person, **FULL)
    no_messages = triaged_org("quiet", django_user_model.objects.create_user("b"),
                              training_usage_data=True, training_stack_traces=True)
    triaged_org("none", django_user_model.objects.create_user("c"))
    triaged_org("traces", django_user_model.objects.create_user("d"),
                training_stack_traces=True, training_error_messages=True)
    triaged_org("usage", django_user_model.objects.create_user("e"), training_usage_data=True)
    triaged_org("genai", django_user_model.objects.create_user("f"),
                generative_stack_traces=True, generative_error_messages=True)

    assert examples.build("b1") == 16  # 8 labelled issues each
    rows = SeverityExample.objects.filter(batch="b1")
    assert set(rows.values_list("organization_id", flat=True)) == {full.id, no_messages.id}
    assert all(row.event.project.organization_id == row.organization_id for row in rows)
    full_texts = [r.text for r in rows.filter(organization=full)]
    assert any("TypeError for" in t for t in full_texts)  # messages, with consent
    assert not any("example.com" in t for r in rows for t in [r.text])  # PII scrubbed
    assert not any("for alice" in r.text or "TypeError for" in r.text
                   for r in rows.filter(organization=no_messages))

    head = learn.train_head()
    assert head.state == SeverityHead.State.SHADOW
    assert set(head.rows) == {str(full.id), str(no_messages.id)}
    assert head.manifest["organisations"] == 2
    assert head.manifest["labels"]["severe"] == 8 and head.manifest["labels"]["not_severe"] == 8
    assert len(head.weights) == severity.default_head_for(head.embedding_version).weights.size


def test_nothing_to_learn_without_consenting_organisations(person):
    triaged_org("none", person)
    assert learn.train_head() is None
    assert not SeverityExample.objects.exists() and not SeverityHead.objects.exists()


def vector_of(issue: Issue, model) -> np.ndarray:
    from grouping.policy import event_text

    first = Event.objects.filter(issue=issue).order_by("id").first()
    return encoder_for(model).encode([event_text(first.data)])[0]


def test_a_trained_head_is_used_only_after_promotion(person):
    org = triaged_org("full", person, **FULL)
    issue = issue_of(Project.objects.get(organization=org), "ValidationError")
    model = registry.served()
    vector = vector_of(issue, model)
    default = severity.default_head_for(model.version)
    head = learn.train_head()
    learned = severity.learned_head(head.pk)
    assert abs(learned.score(vector) - default.score(vector)) > 1e-4  # it did learn something

    assert with_vector(issue.id, issue.events.first(), vector, model.version)
    issue.refresh_from_db()
    assert issue.severity == pytest.approx(default.score(vector), abs=1e-6)  # in shadow: unused

    learn.promote(head)
    assert with_vector(issue.id, issue.events.first(), vector, model.version)
    issue.refresh_from_db()
    assert issue.severity == pytest.approx(learned.score(vector), abs=1e-6)

    assert learn.rollback(model.version) is None  # nothing before it: the default serves
    assert severity.head_for(model.version) == default


@pytest.mark.django_db(transaction=True)  # the consent signal runs on commit
def test_withdrawing_consent_marks_the_served_head_stale_and_the_default_serves(
    person, django_user_model
):
    alpha = triaged_org("alpha", person, **FULL)
    beta = triaged_org("beta", django_user_model.objects.create_user("b"), **FULL)
    model = registry.served()
    head = learn.promote(learn.train_head())
    assert severity.head_for(model.version) == severity.learned_head(head.pk)

    consent = alpha.consent
    consent.training_usage_data = False
    consent.save()  # as the admin does: audited, and its signal's clean-up runs on commit

    head.refresh_from_db()
    assert head.stale and head.retrain == SeverityHead.Retrain.SCHEDULED
    assert head.state == SeverityHead.State.RETIRED and head.weights == []
    assert "1 organisation(s) withdrew consent" in head.stale_reason
    assert str(alpha.id) not in head.stale_reason.split("(")[0]  # counts, never which one
    assert not SeverityExample.objects.filter(organization=alpha).exists()
    assert severity.head_for(model.version) == severity.default_head_for(model.version)

    (new_id,) = learn.retrain_stale()
    new = SeverityHead.objects.get(pk=new_id)
    assert set(new.rows) == {str(beta.id)}
    head.refresh_from_db()
    assert head.retrain == SeverityHead.Retrain.DONE and head.replaced_by_id == new.id


def test_deleting_an_organisation_s_data_marks_the_head_stale(person, django_user_model):
    from privacy.deletion import purge_project

    alpha = triaged_org("alpha", person, **FULL)
    triaged_org("beta", django_user_model.objects.create_user("b"), **FULL)
    head = learn.promote(learn.train_head())
    purge_project(Project.objects.get(organization=alpha).id)
    head.refresh_from_db()
    assert head.stale and head.retrain == SeverityHead.Retrain.SCHEDULED
    assert "example(s) were deleted" in head.stale_reason and head.weights == []
    (new_id,) = learn.retrain_stale()
    assert set(SeverityHead.objects.get(pk=new_id).rows) == {
        str(o) for o in SeverityExample.objects.values_list("organization_id", flat=True)}
    assert str(alpha.id) not in SeverityHead.objects.get(pk=new_id).rows


def test_a_stale_head_cannot_be_promoted(person):
    alpha = triaged_org("alpha", person, **FULL)
    head = learn.train_head()
    OrganizationConsent.objects.filter(organization=alpha).update(training_stack_traces=False)
    learn.reconcile()  # a raw UPDATE behind the signal's back: reconcile asks the policy itself
    head.refresh_from_db()
    with pytest.raises(ValueError, match="stale"):
        learn.promote(head)


def test_a_merge_moves_the_examples_events_and_the_head_stays_fresh(person):
    from grouping.merge import merge_by_user

    org = triaged_org("alpha", person, **FULL)
    project = Project.objects.get(organization=org)
    head = learn.promote(learn.train_head())
    merge_by_user(issue_of(project, "TypeError").id, [issue_of(project, "KeyError").id], person)
    assert learn.reconcile() == []  # the events moved: nothing of the data was deleted
    head.refresh_from_db()
    assert not head.stale and head.state == SeverityHead.State.SERVED


def test_every_organisation_weighs_the_same_in_the_fit():
    """One organisation with ten times the examples cannot tilt the shared head alone: each
    organisation's examples weigh the same in total, and so do severe and not severe."""
    from priority.learn import example_weights

    y = np.array([1] * 90 + [0] * 10 + [1] * 2 + [0] * 8)
    groups = np.array([1] * 100 + [2] * 10)
    weights = example_weights(y, groups)
    assert weights.sum() == pytest.approx(len(y))
    assert weights[groups == 1].sum() == pytest.approx(weights[groups == 2].sum(), rel=0.35)
    assert weights[y == 1].sum() == pytest.approx(weights[y == 0].sum())
    pooled = example_weights(y)
    assert pooled[groups == 1].sum() > 3 * pooled[groups == 2].sum()
