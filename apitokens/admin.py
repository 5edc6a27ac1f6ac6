"""Staff see and revoke (delete) users' API tokens; a token is created by its user only (the
secret is shown once, to them)."""

from django.contrib import admin

from apitokens.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "scopes", "expires_at", "last_used_at", "created_at")
    search_fields = ("name", "user__username", "prefix")
    readonly_fields = ("user", "token_hash", "prefix", "scopes", "created_at", "last_used_at")

    def has_add_permission(self, request) -> bool:
        return False
