from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from access.scope import visible_projects
from alerts.destinations import REGISTRY
from alerts.forms import check_limits, clean_destination_config
from alerts.models import (
    Activity,
    AlertDestination,
    AlertRule,
    Comment,
    DeliveryAttempt,
    NotificationPreference,
)
from monitor import limits
from monitor.models import Project


def drf_error(exc: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(getattr(exc, "message_dict", None) or exc.messages)


class ProjectDestinationField(serializers.PrimaryKeyRelatedField):
    """A destination of the serializer's project (context `project`): the only ones accepted,
    and the only ones the browsable API's form offers (it lists this queryset)."""

    def get_queryset(self):
        project = self.context.get("project")
        if project is None:
            return AlertDestination.objects.none()
        return AlertDestination.objects.filter(project=project).order_by("id")


class AlertRuleSerializer(serializers.ModelSerializer):
    destinations = ProjectDestinationField(many=True, required=False)

    class Meta:
        model = AlertRule
        fields = ["id", "name", "trigger", "enabled", "threshold", "window_minutes",
                  "min_level", "environment", "release", "digest_minutes", "destinations",
                  "created_at"]
        read_only_fields = ["created_at"]

    def validate_destinations(self, value):
        project = self.context["project"]
        if any(d.project_id != project.id for d in value):
            raise serializers.ValidationError("destinations of this project only")
        return value

    def validate(self, attrs):
        try:
            check_limits(attrs)
        except DjangoValidationError as exc:
            raise drf_error(exc) from exc
        return attrs


class AlertDestinationSerializer(serializers.ModelSerializer):
    """Members see where it sends (`target`: scheme and host only); owners/admins also see
    `config` and the webhook `secret`. Only staff may set `allow_private` (SSRF guard), and it
    holds for the config they approved: a config changed by anyone else drops it."""

    target = serializers.SerializerMethodField()
    is_failing = serializers.BooleanField(read_only=True)

    class Meta:
        model = AlertDestination
        fields = ["id", "name", "kind", "config", "secret", "enabled", "allow_private", "target",
                  "is_failing", "consecutive_failures", "last_success_at", "last_failure_at",
                  "last_error", "created_at"]
        read_only_fields = ["secret", "consecutive_failures", "last_success_at",
                            "last_failure_at", "last_error", "created_at"]

    def get_target(self, destination) -> str:
        return REGISTRY[destination.kind].describe(destination.config)

    def staff(self) -> bool:
        request = self.context.get("request")
        return bool(request and request.user.is_staff)

    def validate_allow_private(self, value):
        if value and not self.staff():
            raise serializers.ValidationError("only staff may allow private addresses")
        return value

    def validate(self, attrs):
        kind = attrs.get("kind", getattr(self.instance, "kind", None))
        if self.instance is not None and "kind" in attrs and attrs["kind"] != self.instance.kind:
            raise serializers.ValidationError({"kind": "cannot change; create a new destination"})
        if "config" in attrs or self.instance is None:
            try:
                attrs["config"] = clean_destination_config(kind, attrs.get("config", {}),
                                                            self.staff())
            except DjangoValidationError as exc:
                raise drf_error(exc) from exc
        return attrs

    def update(self, instance, validated_data):
        """Staff setting allow_private, or changing the config with it set, approve the config
        now saved; a config changed by anyone else drops the approval."""
        explicit = "allow_private" in validated_data
        allow = validated_data.pop("allow_private", instance.allow_private)
        config_changed = validated_data.get("config", instance.config) != instance.config
        instance = super().update(instance, validated_data)
        if not allow:
            instance.revoke_private()
        elif self.staff() and (explicit or config_changed):
            instance.approve_private()
        elif config_changed:
            instance.revoke_private()
        instance.save(update_fields=["allow_private", "approved_target"])
        return instance

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("can_manage"):
            data.pop("config", None)
            data.pop("secret", None)
        return data


class DeliveryAttemptSerializer(serializers.ModelSerializer):
    """`detail` (library message, response excerpt) for owners and admins only."""

    notification = serializers.IntegerField(source="delivery.notification_id", read_only=True)
    test = serializers.BooleanField(source="delivery.notification.test", read_only=True)

    class Meta:
        model = DeliveryAttempt
        fields = ["id", "at", "ok", "status_code", "error", "detail", "duration_ms", "delivery",
                  "notification", "test"]
        read_only_fields = fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("can_manage"):
            data.pop("detail", None)
        return data


class CommentSerializer(serializers.ModelSerializer):
    user = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Comment
        fields = ["id", "user", "text", "created_at"]
        read_only_fields = ["user", "created_at"]


class ActivitySerializer(serializers.ModelSerializer):
    user = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Activity
        fields = ["id", "kind", "user", "data", "created_at"]
        read_only_fields = fields


class AssignSerializer(serializers.Serializer):
    assignee = serializers.CharField(allow_null=True, help_text="username, or null to unassign")


class IgnoreSerializer(serializers.Serializer):
    minutes = serializers.IntegerField(required=False, min_value=1, max_value=limits.IGNORE_MINUTES)
    events = serializers.IntegerField(required=False, min_value=1, max_value=limits.IGNORE_COUNT)
    users = serializers.IntegerField(required=False, min_value=1, max_value=limits.IGNORE_COUNT)


class ResolveSerializer(serializers.Serializer):
    in_next_release = serializers.BooleanField(default=False)


class VisibleProjectField(serializers.PrimaryKeyRelatedField):
    """A project the requesting user (context `request`) may see: another organisation's id
    gets the answer of an id nobody has, so nothing tells that it exists."""

    def get_queryset(self):
        request = self.context.get("request")
        return visible_projects(request.user) if request else Project.objects.none()


class PreferenceSerializer(serializers.ModelSerializer):
    project = VisibleProjectField(allow_null=True, required=False)

    class Meta:
        model = NotificationPreference
        fields = ["project", "email"]
        extra_kwargs = {"email": {"required": True}}  # a PUT without it was a KeyError (500)


class ActivityPageSerializer(serializers.Serializer):
    """The schema of a page of activity (api.views.Pages), for the function view."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ActivitySerializer(many=True)
