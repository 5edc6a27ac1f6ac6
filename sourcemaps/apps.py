from django.apps import AppConfig


class SourcemapsConfig(AppConfig):
    """Source maps uploaded by the real sentry-cli (artifact bundles with debug IDs), the
    organisation auth tokens it authenticates with, and symbolication of JavaScript frames."""

    name = "sourcemaps"
    default_auto_field = "django.db.models.BigAutoField"
