"""The releases each fingerprint's events came in: the rename path's evidence
(grouping.rename)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("grouping", "0005_event_refs_without_constraint"),
        ("monitor", "0018_grouphash_site_function"),
    ]

    operations = [
        migrations.CreateModel(
            name="FingerprintRelease",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("release", models.CharField(blank=True, max_length=200)),
                # one index on the fingerprint: the unique (fingerprint, release) pair's
                ("group_hash", models.ForeignKey(db_index=False,
                                                 on_delete=django.db.models.deletion.CASCADE,
                                                 related_name="+", to="monitor.grouphash")),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("group_hash", "release"),
                                                        name="fingerprintrelease_unique")],
            },
        ),
    ]
