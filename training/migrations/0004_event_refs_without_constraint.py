"""Events are partitioned: nothing can reference them by a database constraint (docs/storage.md)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('monitor', '0008_grouphash_ml_rule'),
        ('training', '0003_trainedmodel_retrain_backoff_and_withdrawal'),
    ]

    operations = [
        migrations.AlterField(
            model_name='trainingpair',
            name='event_a',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='monitor.event'),
        ),
        migrations.AlterField(
            model_name='trainingpair',
            name='event_b',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='monitor.event'),
        ),
    ]
