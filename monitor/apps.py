from django.apps import AppConfig


class MonitorConfig(AppConfig):
    name = "monitor"
    verbose_name = "Faultline"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from monitor import default_key  # noqa: F401 - registers the signal receiver
