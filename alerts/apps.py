from django.apps import AppConfig


class AlertsConfig(AppConfig):
    """Alert rules, destinations and deliveries; the triage workflow (assignee, comments,
    activity, ignore conditions). See docs/alerts.md."""

    name = "alerts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from alerts import receivers  # noqa: F401 - connects the activity signal receivers
