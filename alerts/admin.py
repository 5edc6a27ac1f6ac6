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
                    "consecutive_failures", "last_success_at"]  # fmt: skip
    list_filter = ["kind", "allow_private"]


@admin.register(AlertDelivery)
class AlertDeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "destination", "status", "attempts", "next_attempt_at"]
    list_filter = ["status"]


admin.site.register(DeliveryAttempt)
admin.site.register(Activity)
admin.site.register(Comment)
admin.site.register(NotificationPreference)
