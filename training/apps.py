from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = "Training data"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from consent.signals import consent_changed
        from training import sets

        consent_changed.connect(sets.on_consent_changed, dispatch_uid="training-enforce")
