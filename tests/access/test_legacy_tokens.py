"""DRF's plaintext tokens (one per user, full rights) become hashed full-scope tokens in a data
migration: nobody is locked out, and no plaintext stays behind."""

from __future__ import annotations

import hashlib
import secrets
from importlib import import_module

import pytest
from django.apps import apps
from django.db import connection
from rest_framework.test import APIClient

from access.scopes import FULL
from apitokens.models import ApiToken
from monitor.models import Issue
from tests.helpers.events import event, ingest

pytestmark = pytest.mark.django_db

LEGACY_TABLE = """CREATE TABLE authtoken_token ("key" varchar(40) PRIMARY KEY,
    created timestamp with time zone NOT NULL, user_id integer NOT NULL UNIQUE)"""


def migrate_legacy() -> None:
    migration = import_module("apitokens.migrations.0002_legacy_tokens")
    with connection.schema_editor() as editor:
        migration.copy_legacy_tokens(apps, editor)


def test_a_legacy_token_is_migrated_hashed_and_keeps_working(cast):
    ingest(cast.project, event())
    issue = Issue.objects.get(project=cast.project)
    key = secrets.token_hex(20)  # DRF's format: 40 hex characters
    with connection.cursor() as cursor:
        cursor.execute(LEGACY_TABLE)
        cursor.execute("INSERT INTO authtoken_token VALUES (%s, now(), %s)", [key, cast.alice.id])
    migrate_legacy()
    row = ApiToken.objects.get(user=cast.alice)
    assert row.token_hash == hashlib.sha256(key.encode()).hexdigest()
    assert set(row.scopes) == set(FULL) and row.expires_at is None
    assert key.startswith(row.prefix) and len(row.prefix) < len(key)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM authtoken_token")
        assert cursor.fetchone() == (0,)  # the plaintext is gone
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.patch(f"/api/0/issues/{issue.id}/", {"status": "resolved"}).status_code == 200
    migrate_legacy()  # a second run finds nothing to copy
    assert ApiToken.objects.filter(user=cast.alice).count() == 1


def test_a_database_that_never_had_legacy_tokens_migrates(cast):
    migrate_legacy()
    assert not ApiToken.objects.exists()
