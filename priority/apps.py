from django.apps import AppConfig


class PriorityConfig(AppConfig):
    name = "priority"
    verbose_name = "Issue priority and escalation"

    def ready(self):
        from consent.signals import consent_changed
        from priority.signals import on_consent_changed

        consent_changed.connect(on_consent_changed, dispatch_uid="severity-enforce")
