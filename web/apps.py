from django.apps import AppConfig


class WebConfig(AppConfig):
    """The triage UI: server-rendered pages over the same models and actions as the API."""

    name = "web"
    default_auto_field = "django.db.models.BigAutoField"
