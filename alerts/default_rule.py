"""Every new project starts with one alert rule: e-mail the organisation's members when a new
issue is high priority or an issue escalates (docs/priority.md). It is an ordinary rule and
destination: editable and removable like any other."""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from alerts.models import AlertDestination, AlertRule
from monitor.models import Project

RULE_NAME = "High priority and escalating issues"


@receiver(post_save, sender=Project, dispatch_uid="alerts.default_rule")
def create_default_rule(sender, instance: Project, created: bool, raw: bool = False, **kwargs):
    if not created or raw:
        return
    destination = AlertDestination.objects.create(
        project=instance, name="E-mail to members", kind=AlertDestination.Kind.EMAIL,
        config={"addresses": [], "to_members": True},
    )
    rule = AlertRule.objects.create(project=instance, name=RULE_NAME,
                                    trigger=AlertRule.Trigger.PRIORITY)
    rule.destinations.add(destination)
