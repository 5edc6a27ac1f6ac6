from django.contrib import admin

from members.models import Invitation


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Who invited whom as what, and who accepted or revoked it when: the membership trail."""

    list_display = ("email", "organization", "role", "invited_by", "created_at", "accepted_by",
                    "accepted_at", "revoked_by", "revoked_at")
    list_filter = ("organization", "role")
    search_fields = ("email", "organization__slug")
    readonly_fields = [f.name for f in Invitation._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False  # invitations are made (and e-mailed) from the organisation page
