from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """Deletion, retention and erasure: everything derived from deleted data goes with it."""

    name = "privacy"
    default_auto_field = "django.db.models.BigAutoField"
