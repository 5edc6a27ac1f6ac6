from django.contrib import admin

from alerts.models import (
    Activity,
    AlertDelivery,
    AlertDestination,
    AlertRule,
    Comment,
    DeliveryAttempt,
    NotificationPreference,
)


@admin.register(AlertRule)
class AlertRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "project", "trigger", "enabled", "digest_minutes"]
    list_filter = ["trigger", "enabled"]


@admin.register(AlertDestination)
class AlertDestinationAdmin(admin.ModelAdmin):
    list_display = ["name", "project", "kind", "enabled", "allow_private",
                    "consecutive_failures", "last_success_at"]
    list_filter = ["kind", "allow_private"]

    def save_model(self, request, obj, form, change):
        """Saving here is a staff decision: allow_private holds for the config saved with it."""
        if obj.allow_private:
            obj.approve_private()
        else:
            obj.revoke_private()
        super().save_model(request, obj, form, change)


@admin.register(AlertDelivery)
class AlertDeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "destination", "status", "attempts", "next_attempt_at"]
    list_filter = ["status"]


admin.site.register(DeliveryAttempt)
admin.site.register(Activity)
admin.site.register(Comment)
admin.site.register(NotificationPreference)
