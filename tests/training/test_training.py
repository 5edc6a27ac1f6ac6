"""Training sets: only consenting organisations, PII scrubbed, messages only where consented;
withdrawal removes rows everywhere and marks trained models stale; deleting data deletes rows."""

import json
from pathlib import Path

import pytest
from django.core.management import call_command

from consent.models import OrganizationConsent
from monitor.models import Event, Organization, Project
from tests.helpers.events import event, ingest
from training.models import Contribution, TrainedModel, TrainingPair, TrainingSet

pytestmark = pytest.mark.django_db
SECRET_EMAIL = "carol.secret@example.com"


def org_with_data(slug, **consent):
    org = Organization.objects.create(name=slug, slug=slug)
    project = Project.objects.create(organization=org, name=slug, slug=slug, platform="python",
                                     grouping_mode=Project.GroupingMode.FINGERPRINT)
    for caller in ("checkout_view", "nightly_report"):  # one issue, two fingerprints
        payload = event(caller=caller, caller_line=f"{caller}(cart)",
                        value=f"no cart for {SECRET_EMAIL}")
        ingest(project, {**payload, "fingerprint": ["cart"]})
    ingest(project, event(crash_function="discount", crash_line="return 1 / self.discount",
                          value="discount missing for /home/carol/x"))
    if consent:
        OrganizationConsent.objects.create(organization=org, **consent)
    return org


@pytest.fixture
def orgs():
    return {
        "full": org_with_data("full", training_stack_traces=True, training_error_messages=True),
        "none": org_with_data("none"),
        "traces": org_with_data("traces", training_stack_traces=True),
        "generative-only": org_with_data("genonly", generative_stack_traces=True),
    }


def build(tmp_path):
    call_command("export_training_data", directory=str(tmp_path), verbosity=0)
    return TrainingSet.objects.latest("id")


def test_only_consenting_organisations_enter_and_pii_is_scrubbed(orgs, tmp_path):
    training_set = build(tmp_path)
    contributors = set(Contribution.objects.values_list("organization__slug", flat=True))
    assert contributors == {"full", "traces"}
    pairs = TrainingPair.objects.filter(training_set=training_set)
    assert pairs.filter(same_issue=True).exists() and pairs.filter(same_issue=False).exists()
    lines = [json.loads(line) for line in Path(training_set.path).read_text().splitlines()]
    assert len(lines) == pairs.count() > 0
    everything = json.dumps(lines)
    assert SECRET_EMAIL not in everything and "carol" not in everything
    full = pairs.filter(organization__slug="full").first()
    assert full.with_messages and "no cart for <email>" in full.text_a + full.text_b
    traces = pairs.filter(organization__slug="traces").first()
    assert not traces.with_messages and "no cart" not in traces.text_a + traces.text_b
    assert "ZeroDivisionError" in traces.text_a + traces.text_b


def test_withdrawal_removes_rows_everywhere_and_marks_models_stale(
    orgs, tmp_path, django_capture_on_commit_callbacks
):
    training_set = build(tmp_path)
    model = TrainedModel.objects.create(name="grouping-v2", training_set=training_set)
    consent = orgs["traces"].consent
    consent.training_stack_traces = False
    with django_capture_on_commit_callbacks(execute=True):
        consent.save()
    assert not TrainingPair.objects.filter(organization=orgs["traces"]).exists()
    assert not Contribution.objects.filter(organization=orgs["traces"]).exists()
    model.refresh_from_db()
    assert (
        model.stale and f"organisation {orgs['traces'].id} withdrew consent" in model.stale_reason
    )
    lines = Path(training_set.path).read_text().splitlines()
    assert len(lines) == TrainingPair.objects.filter(training_set=training_set).count() > 0

    consent = orgs["full"].consent  # messages withdrawn, stack traces still allowed
    consent.training_error_messages = False
    with django_capture_on_commit_callbacks(execute=True):
        consent.save()
    assert not TrainingPair.objects.filter(with_messages=True).exists()
    assert {c.organization.slug for c in Contribution.objects.all()} == set()
    next_set = build(tmp_path)
    assert set(next_set.contributions.values_list("organization__slug", flat=True)) == {"full"}
    assert not next_set.pairs.filter(with_messages=True).exists()


def test_deleting_an_event_or_organisation_deletes_its_training_rows(orgs, tmp_path):
    training_set = build(tmp_path)
    pair = training_set.pairs.filter(organization=orgs["full"]).first()
    Event.objects.filter(pk=pair.event_a_id).delete()
    assert not TrainingPair.objects.filter(pk=pair.pk).exists()
    orgs["traces"].delete()
    assert not TrainingPair.objects.filter(organization_id=orgs["traces"].id).exists()


def test_a_withdrawal_during_the_build_keeps_that_organisation_out(orgs, tmp_path, monkeypatch):
    """Consent was read once before the long loop; a withdrawal in between slipped in."""
    from training import sets

    real = sets.pairs_for_project

    def pairs_then_withdraw(project, *args, **kwargs):
        pairs = real(project, *args, **kwargs)
        if project.organization.slug == "full":  # withdrawn while its pairs are being built
            consent = OrganizationConsent.objects.get(organization=project.organization)
            consent.training_stack_traces = False
            consent.save()
        return pairs

    monkeypatch.setattr(sets, "pairs_for_project", pairs_then_withdraw)
    training_set = build(tmp_path)
    contributors = set(Contribution.objects.values_list("organization__slug", flat=True))
    assert contributors == {"traces"}
    assert not TrainingPair.objects.filter(organization__slug="full").exists()
    text = Path(training_set.path).read_text()
    assert text and all(json.loads(line) for line in text.splitlines())


def test_deleting_the_consent_row_is_audited_and_withdraws(
    orgs, tmp_path, django_capture_on_commit_callbacks
):
    """Deleting consent in the admin wrote no audit row and sent no signal."""
    from consent.models import ConsentChange

    build(tmp_path)
    assert TrainingPair.objects.filter(organization__slug="full").exists()
    with django_capture_on_commit_callbacks(execute=True):
        OrganizationConsent.objects.get(organization__slug="full").delete()
    assert not TrainingPair.objects.filter(organization__slug="full").exists()
    audit = ConsentChange.objects.filter(organization__slug="full", new_value="(deleted)")
    assert audit.filter(field="training_stack_traces", old_value="True").exists()


def test_a_failed_file_write_does_not_stop_the_clean_up(orgs, tmp_path, monkeypatch):
    from training import sets

    first, second = build(tmp_path), build(tmp_path)
    real = sets.write_file

    def broken_first(training_set):
        if training_set.pk == first.pk:
            raise OSError("disk full")
        return real(training_set)

    monkeypatch.setattr(sets, "write_file", broken_first)
    OrganizationConsent.objects.filter(organization__slug="full").update(
        training_stack_traces=False
    )
    result = sets.enforce_consent()
    assert result["files_failed"] == 1
    assert not Path(first.path).exists()  # withdrawn rows never stay on disk
    assert "no cart" not in Path(second.path).read_text()
    assert not TrainingPair.objects.filter(organization__slug="full").exists()


def test_erasure_and_retention_reach_the_exported_files(orgs, tmp_path):
    """Erasure and retention removed training rows but left them in the files."""
    import datetime as dt

    from django.utils import timezone

    from privacy import deletion
    from privacy.erasure import erase_end_user

    training_set = build(tmp_path)
    full = orgs["full"]
    before = Path(training_set.path).read_text().count("\n")
    Event.objects.filter(project__organization=full).update(user={"email": "dora@example.com"})
    erase_end_user(full.id, email="dora@example.com")
    after_erasure = Path(training_set.path).read_text().count("\n")
    assert after_erasure == training_set.pairs.count() < before
    traces = orgs["traces"]
    traces.retention_days = 1
    traces.save()
    Event.objects.filter(project__organization=traces).update(
        received=timezone.now() - dt.timedelta(days=3)
    )
    deletion.purge_expired()
    assert Path(training_set.path).read_text().count("\n") == training_set.pairs.count() == 0
