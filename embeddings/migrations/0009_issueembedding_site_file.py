"""Each issue vector's site file and the digest of its crash statement with the line as
written, for the rename path's moved functions (grouping.rename). Database defaults: adding them
rewrites nothing; vectors stored before have none, so they are never a moved function's
candidate. No index: the candidates are read by the statement's."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("embeddings", "0008_issueembedding_statement"),
    ]

    operations = [
        migrations.AddField(
            model_name="issueembedding",
            name="line_statement",
            field=models.CharField(
                blank=True, db_default="", default="", max_length=32,
                help_text="Digest of that event's crash statement with its line as written, "
                "where the rename path counts a function moved to another file "
                "(grouping.rename)."),
        ),
        migrations.AddField(
            model_name="issueembedding",
            name="site_file",
            field=models.CharField(
                blank=True, db_default="", default="", max_length=255,
                help_text="The base name of the file it crashed in (grouping.rename)."),
        ),
    ]
