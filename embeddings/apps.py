from django.apps import AppConfig


class EmbeddingsConfig(AppConfig):
    name = "embeddings"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from celery.signals import celeryd_init

        from embeddings import checks  # noqa: F401  (registers the start-up check)
        from embeddings.readiness import prepare_on_worker_start

        celeryd_init.connect(prepare_on_worker_start, weak=False)
