from django.apps import AppConfig


class AssistConfig(AppConfig):
    """Generative issue summaries: summary, likely cause and suggested fix (docs/assist.md)."""

    name = "assist"
    verbose_name = "AI issue summaries"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from assist.signals import on_consent_changed
        from consent.signals import consent_changed

        consent_changed.connect(on_consent_changed, dispatch_uid="assist-enforce")
