from django.contrib import admin

from monitor import state
from monitor.models import Event, GroupHash, Issue, Membership, Organization, Project, ProjectKey


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]  # apps add theirs (consent.admin)


class ProjectKeyInline(admin.TabularInline):
    model = ProjectKey
    extra = 0
    fields = ["label", "public_key", "is_active", "rate_limit_count", "rate_limit_window", "dsn"]
    readonly_fields = ["public_key", "dsn"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "platform", "scrub_data", "created_at"]
    list_filter = ["organization", "platform"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ProjectKeyInline]


@admin.register(Issue)
class IssueAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "project",
        "level",
        "status",
        "regressed",
        "times_seen",
        "users_seen",
        "last_seen",
    ]
    list_filter = ["status", "level", "regressed", "project"]
    search_fields = ["title", "culprit"]
    date_hierarchy = "last_seen"
    readonly_fields = state.FIELDS  # changed on the issue page or the API, locked and logged


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["event_id", "title", "project", "level", "timestamp"]
    list_filter = ["level", "project"]
    search_fields = ["title"]
    raw_id_fields = ["issue"]


@admin.register(GroupHash)
class GroupHashAdmin(admin.ModelAdmin):
    list_display = ["hash", "project", "issue", "created_at"]
    raw_id_fields = ["issue"]
