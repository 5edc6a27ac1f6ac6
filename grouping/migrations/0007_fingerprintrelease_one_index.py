"""FingerprintRelease keeps one index on its fingerprint, the unique (fingerprint, release) pair's:
the one Django adds for the foreign key only cost ingest's writes. Dropped while the table is
new (it ships with 0006); on a table already large, a brief lock of its writes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('grouping', '0006_fingerprint_release'),
        ('monitor', '0018_grouphash_site_function'),
    ]

    operations = [
        migrations.AlterField(
            model_name='fingerprintrelease',
            name='group_hash',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='monitor.grouphash'),
        ),
    ]
