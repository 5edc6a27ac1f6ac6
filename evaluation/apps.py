from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    """Grouping-quality tooling: the labelled dev set, metrics and `grouping_eval`. It drives the
    whole pipeline (ingest → grouping → embeddings), so it sits above all three."""

    name = "evaluation"
    default_auto_field = "django.db.models.BigAutoField"
