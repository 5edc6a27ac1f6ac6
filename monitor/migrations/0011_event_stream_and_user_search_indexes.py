"""Indexes the pages need at millions of events (docs/benchmarks.md, bench/scale.py): the
stream's counts under the environment and release filters together, a project's environments
(and when each first came), and `user:` searches by email or IP. Built CONCURRENTLY on a plain events table (writes go on while it builds); a
partitioned one takes a plain CREATE INDEX, which Postgres cascades to every partition."""

import django.db.models.fields.json
from django.db import migrations, models

INDEXES = {
    "event_issue_env_release_idx": '(issue_id, environment, "release")',
    "event_project_env_idx": "(project_id, environment, received)",
    "event_user_email_idx": '(("user" -> \'email\'))',
    "event_user_ip_idx": '(("user" -> \'ip_address\'))',
}


def create(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = 'monitor_event'::regclass")
        partitioned = cursor.fetchone()[0] == "p"
        how = "" if partitioned else "CONCURRENTLY "
        for name, columns in INDEXES.items():
            cursor.execute(f"CREATE INDEX {how}IF NOT EXISTS {name} ON monitor_event {columns}")


def drop(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for name in INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("monitor", "0010_partition_events"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(create, drop)],
            state_operations=[
                migrations.AddIndex(
                    model_name="event",
                    index=models.Index(fields=["issue", "environment", "release"],
                                       name="event_issue_env_release_idx"),
                ),
                migrations.AddIndex(
                    model_name="event",
                    index=models.Index(fields=["project", "environment", "received"],
                                       name="event_project_env_idx"),
                ),
                migrations.AddIndex(
                    model_name="event",
                    index=models.Index(django.db.models.fields.json.KeyTransform("email", "user"),
                                       name="event_user_email_idx"),
                ),
                migrations.AddIndex(
                    model_name="event",
                    index=models.Index(
                        django.db.models.fields.json.KeyTransform("ip_address", "user"),
                        name="event_user_ip_idx"),
                ),
            ],
        ),
    ]
