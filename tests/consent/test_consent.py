"""Consent: opt-in per purpose and category, the BAA/EU lock, the audit trail, the admin, the
owners' read-only view, and that nothing reads consent except the policy function."""

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client

from consent import policy
from consent.models import (
    CATEGORIES,
    FLAGS,
    GENERATIVE_FLAGS,
    Category,
    ConsentChange,
    OrganizationConsent,
    Purpose,
)
from monitor.models import Membership

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def every_question():
    for purpose in Purpose:
        for category in Category:
            yield purpose, category


def test_everything_is_off_by_default(org):
    assert not any(policy.allowed(org.id, p, c) for p, c in every_question())  # no row at all
    OrganizationConsent.objects.create(organization=org)
    assert not any(policy.allowed(org.id, p, c) for p, c in every_question())


def test_each_flag_opens_exactly_its_purpose_and_category(org):
    consent = OrganizationConsent.objects.create(organization=org)
    for purpose, categories in CATEGORIES.items():
        for category in categories:
            for name in FLAGS:
                setattr(consent, name, name == f"{purpose}_{category}")
            consent.save()
            granted = {(p, c) for p, c in every_question() if policy.allowed(org.id, p, c)}
            assert granted == {(purpose, category)}
    assert not policy.allowed(org.id, Purpose.TRAINING, Category.REPOSITORY_CODE)
    assert not policy.allowed(org.id, "marketing", Category.STACK_TRACES)


def test_hide_ai_features_refuses_generative_use(org):
    consent = OrganizationConsent.objects.create(
        organization=org, generative_stack_traces=True, training_stack_traces=True
    )
    assert policy.allowed(org.id, Purpose.GENERATIVE, Category.STACK_TRACES)
    consent.hide_ai_features = True
    consent.save()
    assert not policy.allowed(org.id, Purpose.GENERATIVE, Category.STACK_TRACES)
    assert policy.allowed(org.id, Purpose.TRAINING, Category.STACK_TRACES)
    assert policy.consenting_organizations(Purpose.TRAINING, Category.STACK_TRACES) == [org.id]
    assert policy.consenting_organizations(Purpose.GENERATIVE, Category.STACK_TRACES) == []


@pytest.mark.parametrize("locked", [{"under_baa": True}, {"data_region": "eu"}])
def test_generative_features_are_locked_for_baa_and_eu(org, locked):
    consent = OrganizationConsent.objects.create(organization=org, **locked)
    consent.generative_error_messages = True
    with pytest.raises(ValidationError, match="cannot be enabled"):
        consent.save()
    with pytest.raises(ValidationError):
        OrganizationConsent(organization=org, generative_spans=True, **locked).full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():  # even a raw UPDATE
        OrganizationConsent.objects.filter(pk=consent.pk).update(generative_spans=True)
    assert not policy.allowed(org.id, Purpose.GENERATIVE, Category.ERROR_MESSAGES)
    consent.refresh_from_db()
    assert not any(getattr(consent, name) for name in GENERATIVE_FLAGS)
    consent.training_stack_traces = True  # training stays possible
    consent.save()
    assert policy.allowed(org.id, Purpose.TRAINING, Category.STACK_TRACES)


@pytest.fixture
def admin_client(org):
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw-root-123")
    client = Client()
    client.force_login(user)
    return client, user


def form(consent, **changes):
    data = {"data_region": consent.data_region}
    for name in ["under_baa", "hide_ai_features", *FLAGS]:
        if changes.get(name, getattr(consent, name)):
            data[name] = "on"
    data.update({k: v for k, v in changes.items() if k == "data_region"})
    for prefix in ("consentchange_set", "consent_changes"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return data


def test_admin_edits_are_audited_and_shown_on_the_organisation(org, admin_client):
    client, user = admin_client
    consent = OrganizationConsent.objects.create(organization=org)
    url = f"/admin/consent/organizationconsent/{consent.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert "May this organisation's stack traces be used to train models" in page.text
    response = client.post(url, form(consent, training_stack_traces=True))
    assert response.status_code == 302, response.text[:3000]
    assert policy.allowed(org.id, Purpose.TRAINING, Category.STACK_TRACES)
    change = ConsentChange.objects.get(field="training_stack_traces", new_value="True")
    assert (change.changed_by, change.old_value, change.new_value) == (user, "False", "True")
    org_page = client.get(f"/admin/monitor/organization/{org.pk}/change/")
    assert "training_stack_traces" in org_page.text
    listing = client.get("/admin/consent/organizationconsent/?training_stack_traces__exact=1")
    assert listing.status_code == 200 and org.name in listing.text


def test_admin_cannot_enable_generative_features_for_a_locked_organisation(org, admin_client):
    client, _ = admin_client
    consent = OrganizationConsent.objects.create(organization=org)
    url = f"/admin/consent/organizationconsent/{consent.pk}/change/"
    response = client.post(url, form(consent, under_baa=True, generative_stack_traces=True))
    assert response.status_code == 200  # the form comes back with the error
    assert "cannot be enabled for an organisation under a BAA" in response.text
    consent.refresh_from_db()
    assert not consent.under_baa and not consent.generative_stack_traces
    assert not ConsentChange.objects.filter(
        field="generative_stack_traces", new_value="True"
    ).exists()
    consent.under_baa = True
    consent.save()
    page = client.get(url)
    assert 'name="generative_stack_traces"' not in page.text  # shown locked, not editable
    assert 'name="training_stack_traces"' in page.text


def test_owners_see_the_consent_read_only_and_nobody_else(org, project):
    users = get_user_model().objects
    owner = users.create_user("owner", password="pw-owner-123")
    member = users.create_user("member", password="pw-member-123")
    Membership.objects.create(user=owner, organization=org, role=Membership.Role.OWNER)
    Membership.objects.create(user=member, organization=org, role=Membership.Role.MEMBER)
    OrganizationConsent.objects.create(organization=org, data_region="eu").save(changed_by=owner)
    client = Client()
    client.force_login(owner)
    body = client.get(f"/api/0/organizations/{org.slug}/consent/").json()
    assert body["data_region"] == "eu" and body["generative_locked"] is True
    assert body["training_stack_traces"] is False and body["history"][0]["field"]
    assert client.post(f"/api/0/organizations/{org.slug}/consent/", {}).status_code == 405
    client.force_login(member)
    assert client.get(f"/api/0/organizations/{org.slug}/consent/").status_code == 404


def test_nothing_reads_consent_flags_except_the_policy():
    """Consumers must ask consent.policy.allowed; no other module may read the flags."""
    pattern = re.compile(r"\b(" + "|".join(FLAGS) + r"|OrganizationConsent)\b")
    offenders = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith((".venv/", "var/", "consent/", "tests/")):
            continue
        if pattern.search(path.read_text()):
            offenders.append(relative)
    assert offenders == []
