"""DRF's plaintext tokens (`authtoken_token`, one per user, full rights) become hashed tokens
with full scope and no expiry, so nobody is locked out; the plaintext rows are deleted. Raw SQL:
rest_framework.authtoken is no longer installed, and a new database never had the table."""

from __future__ import annotations

import hashlib

from django.db import migrations

LEGACY_TABLE = "authtoken_token"
# access.scopes.FULL when this migration was written (a migration must not change later).
FULL = ["org:read", "project:read", "event:read", "org:write", "project:write", "event:write",
        "project:releases"]
SHOWN = 6  # the key's first characters, shown on the account page


def copy_legacy_tokens(apps, schema_editor) -> None:
    connection = schema_editor.connection
    if LEGACY_TABLE not in connection.introspection.table_names():
        return
    api_token = apps.get_model("apitokens", "ApiToken")
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "key", created, user_id FROM {LEGACY_TABLE}')  # noqa: S608
        legacy = cursor.fetchall()
        for key, created, user_id in legacy:
            row = api_token.objects.create(
                user_id=user_id, name="API token (from before scopes)", prefix=key[:SHOWN],
                token_hash=hashlib.sha256(key.encode()).hexdigest(), scopes=FULL,
            )
            api_token.objects.filter(pk=row.pk).update(created_at=created)
        cursor.execute(f"DELETE FROM {LEGACY_TABLE}")  # noqa: S608


class Migration(migrations.Migration):
    dependencies = [("apitokens", "0001_initial")]

    operations = [migrations.RunPython(copy_legacy_tokens, migrations.RunPython.noop)]
