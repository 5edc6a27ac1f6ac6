from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    """User feedback from SDKs (`feedback` and `user_report` envelope items, the legacy
    user-feedback endpoint), shown on the issue of the event it is about."""

    name = "feedback"
    default_auto_field = "django.db.models.BigAutoField"
