from django.contrib import admin

from training.models import TrainedModel, TrainingSet


@admin.register(TrainingSet)
class TrainingSetAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at", "path"]


@admin.register(TrainedModel)
class TrainedModelAdmin(admin.ModelAdmin):
    list_display = ["name", "training_set", "trained_at", "stale"]
    list_filter = ["stale"]
    readonly_fields = ["stale", "stale_reason"]
