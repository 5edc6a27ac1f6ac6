from django.apps import AppConfig


class AttachmentsConfig(AppConfig):
    """Event attachments from envelopes, stored within per-event and per-project limits and
    downloadable by members of the organisation. Minidumps are stored, not processed."""

    name = "attachments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from attachments.accept import SIDE_ITEM
        from ingest import side_items

        side_items.register(SIDE_ITEM)
