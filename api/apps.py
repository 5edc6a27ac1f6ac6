from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The triage REST API (DRF): organisations, projects, keys, issues, events."""

    name = "api"
    default_auto_field = "django.db.models.BigAutoField"
