"""Each issue vector's crash statement and site function, for the rename path (grouping.rename).
Both columns have a database default, so adding them rewrites nothing; vectors stored before
have none and are never a rename candidate. The index is built concurrently: decisions go on
while it builds."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("embeddings", "0007_event_ref_without_constraint"),
    ]

    operations = [
        migrations.AddField(
            model_name="issueembedding",
            name="site_function",
            field=models.CharField(
                blank=True, db_default="", default="", max_length=255,
                help_text="The application function that event crashed in (grouping.rename)."),
        ),
        migrations.AddField(
            model_name="issueembedding",
            name="statement",
            field=models.CharField(
                blank=True, db_default="", default="", max_length=32,
                help_text="Digest of the crash statement of the event it came from "
                "(grouping.rename); empty where its crash site has no code line."),
        ),
        AddIndexConcurrently(
            model_name="issueembedding",
            index=models.Index(condition=~models.Q(statement=""),
                               fields=["model", "project", "statement"],
                               name="issueembedding_statement_idx"),
        ),
    ]
