from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    """User feedback from SDKs (`feedback` and `user_report` envelope items, the legacy
    user-feedback endpoint), shown on the issue of the event it is about."""

    name = "feedback"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from feedback.accept import SIDE_ITEM
        from ingest import side_items

        side_items.register(SIDE_ITEM)
