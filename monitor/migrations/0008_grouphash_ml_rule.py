from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('monitor', '0007_issue_priority_escalation_hourly_counts'),
    ]

    operations = [
        migrations.AddField(
            model_name='grouphash',
            name='ml_rule',
            field=models.CharField(blank=True, help_text="Which rule decided (grouping.policy.GroupingPolicy.rule_for): the family's own choice, the fallback, the model's or the project's threshold.", max_length=300),
        ),
    ]
