"""Tag counts at scale (docs/benchmarks.md): an index by (key, value) for the issues that have
a value, and no lone issue_id index (issuetag_unique leads with issue_id; the lone one made
the planner read every tag of an issue, its users too, to find one key). Both concurrently:
writes go on while the index builds."""

import django.db.models.deletion
from django.db import migrations, models


def lone_issue_indexes(cursor) -> list[str]:
    cursor.execute(
        "SELECT indexname FROM pg_indexes WHERE tablename = 'monitor_issuetag'"
        " AND indexdef LIKE '%%(issue_id)'")
    return [row[0] for row in cursor.fetchall()]


def forwards(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("CREATE INDEX CONCURRENTLY IF NOT EXISTS issuetag_key_value_idx"
                       " ON monitor_issuetag (key, value)")
        for name in lone_issue_indexes(cursor):
            cursor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{name}"')


def backwards(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("CREATE INDEX CONCURRENTLY IF NOT EXISTS monitor_issuetag_issue_id_031c146e"
                       " ON monitor_issuetag (issue_id)")
        cursor.execute("DROP INDEX CONCURRENTLY IF EXISTS issuetag_key_value_idx")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("monitor", "0009_event_stream_and_user_search_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forwards, backwards)],
            state_operations=[
                migrations.AlterField(
                    model_name="issuetag",
                    name="issue",
                    field=models.ForeignKey(db_index=False,
                                            on_delete=django.db.models.deletion.CASCADE,
                                            related_name="tag_values", to="monitor.issue"),
                ),
                migrations.AddIndex(
                    model_name="issuetag",
                    index=models.Index(fields=["key", "value"], name="issuetag_key_value_idx"),
                ),
            ],
        ),
    ]
