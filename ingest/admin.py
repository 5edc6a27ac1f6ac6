from django.contrib import admin

from ingest.models import RawEvent


@admin.register(RawEvent)
class RawEventAdmin(admin.ModelAdmin):
    """Pending raw events: a backlog, or dead letters with their last error."""

    list_display = ["event_id", "project", "kind", "received_at", "attempts", "last_error"]
    list_filter = ["kind", "attempts"]
    exclude = ["payload"]
    readonly_fields = [
        "project",
        "event_id",
        "kind",
        "received_at",
        "retry_at",
        "attempts",
        "last_error",
    ]
