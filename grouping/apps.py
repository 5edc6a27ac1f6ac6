from django.apps import AppConfig


class GroupingConfig(AppConfig):
    name = "grouping"
    default_auto_field = "django.db.models.BigAutoField"
