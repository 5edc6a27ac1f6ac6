from django.contrib import admin
from django.utils.html import format_html_join

from consent.models import GENERATIVE_FLAGS, ConsentChange, OrganizationConsent
from monitor.admin import OrganizationAdmin


class ConsentChangeInline(admin.TabularInline):
    """The audit trail, read-only, on the organisation and on its consent."""

    model = ConsentChange
    extra = 0
    can_delete = False
    fields = ["changed_at", "changed_by", "field", "old_value", "new_value"]
    readonly_fields = fields
    fk_name = "organization"

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(OrganizationConsent)
class OrganizationConsentAdmin(admin.ModelAdmin):
    def delete_model(self, request, obj):
        obj.delete(changed_by=request.user)

    def delete_queryset(self, request, queryset):
        for consent in queryset:  # one by one: each deletion is audited and signalled
            consent.delete(changed_by=request.user)

    list_display = ["organization", "data_region", "under_baa", "hide_ai_features",
                    "training_stack_traces", "generative_stack_traces", "updated_at"]
    list_filter = ["data_region", "under_baa", "hide_ai_features", "training_error_messages",
                   "training_stack_traces", "generative_error_messages",
                   "generative_stack_traces", "generative_repository_code"]
    search_fields = ["organization__name", "organization__slug"]
    fieldsets = [
        (None, {"fields": ["organization"]}),
        ("Compliance", {"fields": ["data_region", "under_baa"],
                        "description": "Organisations under a BAA or in the EU region cannot "
                                       "enable generative AI features."}),
        ("AI features", {"fields": ["hide_ai_features"]}),
        ("Model training and ML features", {
            "fields": ["training_error_messages", "training_stack_traces", "training_spans",
                       "training_dom_interactions", "training_usage_data"],
            "description": "Opt-in, per kind of data. PII is scrubbed before anything enters "
                           "a training set; withdrawing consent removes the organisation's "
                           "rows from the next build."}),
        ("Generative AI features", {"fields": GENERATIVE_FLAGS,
                                    "description": "Opt-in, per kind of data."}),
    ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        saved = OrganizationConsent.objects.get(pk=obj.pk)  # not the form's unsaved changes
        locked = list(GENERATIVE_FLAGS) if saved.generative_locked else []
        return ["organization", *locked, "change_history"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None:
            fieldsets.append(("Audit trail", {"fields": ["change_history"]}))
        return fieldsets

    @admin.display(description="Changes (latest first)")
    def change_history(self, obj):
        rows = obj.organization.consent_changes.select_related("changed_by")[:100]
        return format_html_join(
            "", "<div>{} · {} · {}: {} → {}</div>",
            ((c.changed_at.strftime("%Y-%m-%d %H:%M:%S"),
              c.changed_by.username if c.changed_by else "system", c.field,
              c.old_value or "—", c.new_value) for c in rows),
        ) or "—"

    def save_model(self, request, obj, form, change):
        obj.save(changed_by=request.user)


# The organisation's page shows its consent trail: consent extends the base app's admin.
OrganizationAdmin.inlines = [*OrganizationAdmin.inlines, ConsentChangeInline]
