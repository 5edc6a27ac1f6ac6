"""Events are partitioned: nothing can reference them by a database constraint (docs/storage.md)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('grouping', '0004_kept_apart_suggestions_and_adaptive_thresholds'),
        ('monitor', '0008_grouphash_ml_rule'),
    ]

    operations = [
        migrations.AlterField(
            model_name='groupingfeedback',
            name='event_a',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='monitor.event'),
        ),
        migrations.AlterField(
            model_name='groupingfeedback',
            name='event_b',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='monitor.event'),
        ),
        migrations.AlterField(
            model_name='labelledpair',
            name='event_a',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='monitor.event'),
        ),
        migrations.AlterField(
            model_name='labelledpair',
            name='event_b',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='monitor.event'),
        ),
    ]
