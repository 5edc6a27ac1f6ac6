import hashlib
import json

from django.db import migrations, models


def bind_existing_approvals(apps, schema_editor):
    """Destinations allowed private addresses before approvals were bound keep them for the
    config they have now (the recipe of alerts.models.target_digest, frozen here)."""
    destinations = apps.get_model("alerts", "AlertDestination")
    for destination in destinations.objects.filter(allow_private=True):
        canonical = json.dumps([destination.kind, destination.config], sort_keys=True,
                               separators=(",", ":"), default=str)
        destination.approved_target = hashlib.sha256(canonical.encode()).hexdigest()
        destination.save(update_fields=["approved_target"])


class Migration(migrations.Migration):

    dependencies = [
        ('alerts', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='alertdestination',
            name='approved_target',
            field=models.CharField(blank=True, editable=False, help_text='target_digest of the config staff allowed private addresses for; a changed config no longer matches.', max_length=64),
        ),
        migrations.AddField(
            model_name='deliveryattempt',
            name='detail',
            field=models.TextField(blank=True, help_text='Library message or response excerpt; owners and admins only.'),
        ),
        migrations.AlterField(
            model_name='deliveryattempt',
            name='error',
            field=models.TextField(blank=True, help_text='Shown to members: no URL, no response body.'),
        ),
        migrations.RunPython(bind_existing_approvals, migrations.RunPython.noop),
    ]
