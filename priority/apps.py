from django.apps import AppConfig


class PriorityConfig(AppConfig):
    name = "priority"
    verbose_name = "Issue priority and escalation"
