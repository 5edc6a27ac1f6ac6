"""Each issue vector's crash statement and site function, for the rename path (grouping.rename).
Both columns have a database default, so adding them rewrites nothing; vectors stored before
have none until `manage.py backfill_rename_records` fills them. The index is built
concurrently: decisions go on while it builds.

The migration is not atomic (CONCURRENTLY runs outside a transaction), so a run that fails
leaves what it did behind and is not recorded: the columns, and, where the index build failed
(a lock or statement timeout, a cancelled or killed build), an INVALID index of its name that
PostgreSQL keeps updating but never reads. Run again, it keeps a column that is there, drops an
invalid index (concurrently) and builds it again, and keeps a valid one: the schema is the one
an uninterrupted run makes."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class AddFieldOnce(migrations.AddField):
    """AddField, but a column an interrupted run added already stays (it is the same column)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        connection = schema_editor.connection
        with connection.cursor() as cursor:
            there = {column.name for column in
                     connection.introspection.get_table_description(cursor, model._meta.db_table)}
        if model._meta.get_field(self.name).column not in there:
            super().database_forwards(app_label, schema_editor, from_state, to_state)


class AddIndexConcurrentlyOnce(AddIndexConcurrently):
    """AddIndexConcurrently, but an index of the name that an interrupted run left invalid is
    dropped concurrently first and built again, and a valid one stays."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._ensure_not_in_transaction(schema_editor)
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass(%s)",
                           [self.index.name])
            found = cursor.fetchone()
            if found is not None and found[0]:
                return
            if found is not None:
                name = schema_editor.quote_name(self.index.name)
                cursor.execute(f"DROP INDEX CONCURRENTLY {name}")
        super().database_forwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("embeddings", "0007_event_ref_without_constraint"),
    ]

    operations = [
        AddFieldOnce(
            model_name="issueembedding",
            name="site_function",
            field=models.CharField(
                blank=True, db_default="", default="", max_length=255,
                help_text="The application function that event crashed in (grouping.rename)."),
        ),
        AddFieldOnce(
            model_name="issueembedding",
            name="statement",
            field=models.CharField(
                blank=True, db_default="", default="", max_length=32,
                help_text="Digest of the crash statement of the event it came from "
                "(grouping.rename); empty where its crash site has no code line."),
        ),
        AddIndexConcurrentlyOnce(
            model_name="issueembedding",
            index=models.Index(condition=~models.Q(statement=""),
                               fields=["model", "project", "statement"],
                               name="issueembedding_statement_idx"),
        ),
    ]
