"""Each fingerprint's site file, for the rename path (grouping.rename): a function that kept its
name in another file is another site. A database default: adding it rewrites nothing; rows
made before have none."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("monitor", "0018_grouphash_site_function"),
    ]

    operations = [
        migrations.AddField(
            model_name="grouphash",
            name="site_file",
            field=models.CharField(
                blank=True, db_default="", default="", max_length=255,
                help_text="The base name of the file its first event crashed in "
                "(grouping.rename); empty for none, and for fingerprints made before it was "
                "recorded."),
        ),
    ]
