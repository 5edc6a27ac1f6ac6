from django.contrib import admin

from assist.models import Generation, GenerationLog, ProjectAssist, ResolutionNote


@admin.register(ProjectAssist)
class ProjectAssistAdmin(admin.ModelAdmin):
    list_display = ["project", "summarize_new_issues"]


@admin.register(GenerationLog)
class GenerationLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "organization", "issue", "requested_by", "model", "outcome",
                    "latency_ms", "completion_tokens"]
    list_filter = ["outcome", "backend"]
    readonly_fields = [f.name for f in GenerationLog._meta.fields]


@admin.register(Generation)
class GenerationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "issue", "status", "model"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in Generation._meta.fields]


@admin.register(ResolutionNote)
class ResolutionNoteAdmin(admin.ModelAdmin):
    list_display = ["created_at", "issue", "author"]
