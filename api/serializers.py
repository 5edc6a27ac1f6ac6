from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ingest.models import RawEvent
from monitor.models import Event, Issue, Organization, Priority, Project, ProjectKey
from monitor.short_ids import short_id
from monitor.state import SUBSTATUSES, substatus


class OrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "slug", "created_at", "retention_days"]
        read_only_fields = ["created_at"]


class ProjectSerializer(serializers.ModelSerializer):
    organization = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Project
        fields = [
            "id", "organization", "name", "slug", "platform", "created_at", "scrub_data",
            "scrub_extra_keys", "allowed_origins", "fetch_sources", "grouping_mode",
            "grouping_threshold",
        ]
        read_only_fields = ["created_at"]

    def check_slug_free(self, organization_id: int) -> None:
        """Slugs are unique per organisation (project_unique_slug_per_org): a 400, not an
        IntegrityError. Called once the organisation is known and the caller may write to it."""
        slug = self.validated_data.get("slug", getattr(self.instance, "slug", None))
        others = Project.objects.filter(organization_id=organization_id, slug=slug)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise serializers.ValidationError(
                {"slug": "another project of this organisation has this slug"}
            )


class ProjectKeySerializer(serializers.ModelSerializer):
    class Meta:
        model = ProjectKey
        fields = ["id", "label", "public_key", "dsn", "is_active", "rate_limit_count",
                  "rate_limit_window", "created_at"]
        read_only_fields = ["public_key", "dsn", "created_at"]


class PriorityField(serializers.ChoiceField):
    """high, medium, low (stored as Sentry's 75, 50, 25)."""

    def __init__(self, **kwargs):
        super().__init__(choices=[p.label for p in Priority], **kwargs)

    def to_representation(self, value):
        return Priority(value).label

    def to_internal_value(self, data):
        return int(Priority[str(super().to_internal_value(data)).upper()])


class IssueSerializer(serializers.ModelSerializer):
    assignee = serializers.SlugRelatedField(slug_field="username", read_only=True,
                                            allow_null=True)  # unassigned: null (schema too)
    priority = PriorityField(required=False, help_text="Setting it locks it: nothing automatic "
                             "changes it again.")
    substatus = serializers.SerializerMethodField()
    short_id = serializers.SerializerMethodField(
        help_text="`SHOP-1A7`: as the stream shows it; the stream's search box finds it.")

    class Meta:
        model = Issue
        fields = ["id", "short_id", "project", "title", "culprit", "type", "level", "platform",
                  "status", "substatus", "regressed", "first_seen", "last_seen", "resolved_at",
                  "times_seen", "users_seen", "assignee", "ignore_until", "ignore_until_events",
                  "ignore_until_users", "ignore_until_escalating", "resolved_in_release",
                  "priority", "priority_locked", "priority_factors", "severity",
                  "escalating_since", "escalation_limit"]
        read_only_fields = [f for f in fields if f not in ("status", "priority")]

    @extend_schema_field(serializers.ChoiceField(choices=SUBSTATUSES, allow_null=True))
    def get_substatus(self, issue: Issue) -> str | None:
        return substatus(issue)

    def get_short_id(self, issue: Issue) -> str:
        return short_id(issue.project.slug, issue.id)


class EventSerializer(serializers.ModelSerializer):
    event_id = serializers.CharField(source="event_id.hex", read_only=True)
    data = serializers.JSONField(read_only=True, help_text="The normalized, scrubbed event.")

    class Meta:
        model = Event
        fields = ["id", "event_id", "issue", "timestamp", "received", "level", "platform",
                  "title", "release", "environment", "user", "tags", "data"]
        read_only_fields = fields


class DeadLetterSerializer(serializers.ModelSerializer):
    class Meta:
        model = RawEvent
        fields = ["id", "event_id", "kind", "received_at", "attempts", "last_error"]
        read_only_fields = fields
