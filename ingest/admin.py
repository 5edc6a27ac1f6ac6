from django.contrib import admin

from ingest.models import RawEvent


class DeadLetterFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("dead", "Dead letters"), ("waiting", "Waiting or retrying")]

    def queryset(self, request, queryset):
        from monitor import limits

        if self.value() == "dead":
            return queryset.filter(attempts__gte=limits.PROCESSING_ATTEMPTS)
        if self.value() == "waiting":
            return queryset.filter(attempts__lt=limits.PROCESSING_ATTEMPTS)
        return queryset


@admin.register(RawEvent)
class RawEventAdmin(admin.ModelAdmin):
    """Pending raw events: a backlog, or dead letters with their last error."""

    list_display = ["event_id", "project", "kind", "received_at", "attempts", "last_error"]
    list_filter = [DeadLetterFilter, "kind", "attempts"]
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
