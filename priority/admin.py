from django.contrib import admin, messages

from priority import learn
from priority.models import SeverityHead


@admin.register(SeverityHead)
class SeverityHeadAdmin(admin.ModelAdmin):
    """Learned severity heads: counts only (never which organisations); promote or roll back."""

    list_display = ["id", "embedding_version", "state", "organisations", "labels",
                    "held_out", "created_at", "stale", "retrain"]
    list_filter = ["state", "stale", "retrain"]
    fields = ["embedding_version", "state", "manifest", "created_at", "promoted_at", "stale",
              "stale_reason", "retrain", "replaced_by"]
    readonly_fields = fields
    actions = ["promote", "rollback"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="organisations")
    def organisations(self, obj):
        return obj.manifest.get("organisations", 0)

    @admin.display(description="severe / not")
    def labels(self, obj):
        counts = obj.manifest.get("labels") or {}
        return f"{counts.get('severe', 0)} / {counts.get('not_severe', 0)}"

    @admin.display(description="held-out balanced accuracy (served then)")
    def held_out(self, obj):
        metrics = obj.manifest.get("metrics") or {}
        if "candidate" not in metrics:
            return "not measured"
        return (f"{metrics['candidate']['balanced_accuracy']} "
                f"({metrics['served']['balanced_accuracy']})")

    @admin.action(description="Serve the selected head")
    def promote(self, request, queryset):
        for head in queryset:
            try:
                learn.promote(head)
            except ValueError as exc:
                self.message_user(request, str(exc), messages.ERROR)

    @admin.action(description="Roll back to the previous head (or the default)")
    def rollback(self, request, queryset):
        for version in sorted(set(queryset.values_list("embedding_version", flat=True))):
            learn.rollback(version)
