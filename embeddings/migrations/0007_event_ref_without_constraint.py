"""Events are partitioned: nothing can reference them by a database constraint (docs/storage.md)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('embeddings', '0006_modelchange_withdraw_action'),
        ('monitor', '0008_grouphash_ml_rule'),
    ]

    operations = [
        migrations.AlterField(
            model_name='issueembedding',
            name='event',
            field=models.ForeignKey(db_constraint=False, help_text='The event the vector was computed from: deleting it deletes the vector.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='monitor.event'),
        ),
    ]
