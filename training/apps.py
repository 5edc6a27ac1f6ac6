from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = "Training data"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from consent.signals import consent_changed
        from training.signals import on_consent_changed

        consent_changed.connect(on_consent_changed, dispatch_uid="training-enforce")
