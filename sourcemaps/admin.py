from django.contrib import admin

from sourcemaps.models import ArtifactBundle, ArtifactFile, OrgAuthToken


@admin.register(OrgAuthToken)
class OrgAuthTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "token_last_characters", "created_at", "last_used_at"]
    readonly_fields = ["token_hash", "token_last_characters", "scopes", "created_at",
                       "last_used_at"]
    fields = ["organization", "name", *readonly_fields]

    def has_add_permission(self, request) -> bool:
        return False  # tokens are created where they can be shown once: settings page, command


class ArtifactFileInline(admin.TabularInline):
    model = ArtifactFile
    fields = ["project", "kind", "url", "debug_id", "release", "dist"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(ArtifactBundle)
class ArtifactBundleAdmin(admin.ModelAdmin):
    list_display = ["bundle_id", "organization", "release", "file_count", "size", "created_at",
                    "last_used_at"]
    readonly_fields = ["organization", "checksum", "bundle_id", "release", "dist", "size",
                       "file_count", "created_at", "last_used_at"]
    exclude = ["projects"]
    inlines = [ArtifactFileInline]
