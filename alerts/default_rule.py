"""A new project starts with one alert rule: e-mail the organisation's members when a new issue
is high priority or an issue escalates (docs/priority.md). It is an ordinary rule and
destination, editable and removable like any other. The places where people create projects
(the new-project page, the API, the demo) call `create_for`; a project made in a shell or a
test fixture starts without it."""

from __future__ import annotations

from alerts.models import AlertDestination, AlertRule
from monitor.models import Project

RULE_NAME = "High priority and escalating issues"


def create_for(project: Project) -> AlertRule:
    destination = AlertDestination.objects.create(
        project=project, name="E-mail to members", kind=AlertDestination.Kind.EMAIL,
        config={"addresses": [], "to_members": True},
    )
    rule = AlertRule.objects.create(project=project, name=RULE_NAME,
                                    trigger=AlertRule.Trigger.PRIORITY)
    rule.destinations.add(destination)
    return rule
