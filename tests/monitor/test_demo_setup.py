"""`make run`'s demo data command: idempotent, prints a working DSN."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from ingest.auth import parse_auth_header, public_key_from_dsn
from monitor.models import Membership, Organization, ProjectKey

pytestmark = pytest.mark.django_db


def run_demo() -> str:
    out = io.StringIO()
    call_command("faultline_demo", stdout=out)
    return out.getvalue()


def test_demo_command_is_idempotent_and_prints_url_login_and_dsn(settings):
    settings.FAULTLINE_URL = "http://127.0.0.1:8000"
    first = run_demo()
    second = run_demo()
    assert Organization.objects.count() == 1
    assert ProjectKey.objects.count() == 1
    assert get_user_model().objects.filter(is_superuser=True).count() == 1
    assert Membership.objects.get().role == Membership.Role.OWNER
    key = ProjectKey.objects.get()
    dsn = f"http://{key.public_key}@127.0.0.1:8000/{key.project_id}"
    assert f"DSN:      {dsn}" in first and f"DSN:      {dsn}" in second
    assert "Login:    admin / faultline-admin" in first
    assert "(unchanged" in second
    assert public_key_from_dsn(dsn) == key.public_key


def test_auth_header_parsing():
    parsed = parse_auth_header('Sentry sentry_key="abc", sentry_version=7,sentry_client=x/1')
    assert parsed == {"sentry_key": "abc", "sentry_version": "7", "sentry_client": "x/1"}
