from django.contrib import admin, messages

from embeddings import registry
from embeddings.models import ModelChange
from training.models import TrainedModel, TrainingSet


@admin.register(TrainingSet)
class TrainingSetAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at", "path"]


@admin.register(TrainedModel)
class TrainedModelAdmin(admin.ModelAdmin):
    """The staff page /staff/models/ shows the same with metrics beside the served model's."""

    list_display = ["name", "version", "state", "organisations", "validation_f1", "test_f1",
                    "trained_at", "stale", "retrain"]
    list_filter = ["stale", "retrain"]
    readonly_fields = ["stale", "stale_reason", "manifest", "rows", "path", "embedding_model",
                       "retrain", "replaced_by"]
    actions = ["start_shadow", "promote"]

    @admin.display(description="version")
    def version(self, obj):
        return obj.embedding_model.label if obj.embedding_model else "—"

    @admin.display(description="state")
    def state(self, obj):
        return obj.embedding_model.state if obj.embedding_model else "—"

    @admin.display(description="organisations (rows)")
    def organisations(self, obj):
        rows = obj.manifest.get("rows_per_organization") or {}
        return ", ".join(f"{org} ({n})" for org, n in rows.items()) or "none"

    def _metric(self, obj, split):
        return ((obj.manifest.get("metrics") or {}).get("trained") or {}).get(split, {}).get(
            "bcubed_f1")

    @admin.display(description="validation B3-F1")
    def validation_f1(self, obj):
        return self._metric(obj, "validation")

    @admin.display(description="test B3-F1")
    def test_f1(self, obj):
        return self._metric(obj, "test")

    @admin.action(description="Run in shadow on live projects")
    def start_shadow(self, request, queryset):
        for obj in queryset.exclude(embedding_model=None):
            registry.start_shadow(obj.embedding_model, user=request.user)

    @admin.action(description="Promote (serve it; audited)")
    def promote(self, request, queryset):
        if queryset.count() != 1 or queryset.first().stale or not queryset.first().embedding_model:
            self.message_user(request, "Choose one model that is not stale.", messages.ERROR)
            return
        registry.promote(queryset.first().embedding_model, user=request.user)


@admin.register(ModelChange)
class ModelChangeAdmin(admin.ModelAdmin):
    list_display = ["at", "action", "model", "previous", "user", "note"]
    list_filter = ["action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
