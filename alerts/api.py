"""REST endpoints of alerting and triage. Scoped like the rest of the API: a project or issue of
another organisation is a 404. Rules and destinations: members read, owners/admins write.
Triage (assign, comment, ignore, resolve): any member."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import decorators, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from access import ManagersWrite, TokenScopes, can_manage, issue_for, project_by_id, require_manager
from alerts.comments import comment
from alerts.models import AlertDestination, AlertRule, NotificationPreference
from alerts.notify import send_test
from alerts.serializers import (
    ActivityPageSerializer,
    ActivitySerializer,
    AlertDestinationSerializer,
    AlertRuleSerializer,
    AssignSerializer,
    CommentSerializer,
    DeliveryAttemptSerializer,
    IgnoreSerializer,
    PreferenceSerializer,
    ResolveSerializer,
    drf_error,
)
from alerts.tasks import enqueue
from api.serializers import IssueSerializer
from api.views import Pages
from monitor import state
from monitor.models import Project


class ProjectScoped(viewsets.ModelViewSet):
    permission_classes = [IsAuthenticated, TokenScopes, ManagersWrite]
    pagination_class = Pages

    def project(self) -> Project:
        if not hasattr(self, "_project"):
            self._project = project_by_id(self.request.user, self.kwargs["project_pk"])
        return self._project

    def can_manage(self) -> bool:
        return can_manage(self.request.user, self.project().organization_id)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if "project_pk" in self.kwargs:
            context.update(project=self.project(), can_manage=self.can_manage())
        return context

    @staticmethod
    def organization_id_of(obj) -> int:
        return obj.project.organization_id

    def perform_create(self, serializer):
        require_manager(self.request.user, self.project().organization_id)
        serializer.save(project=self.project(), **self.create_extra())

    def create_extra(self) -> dict:
        return {}


class AlertRuleViewSet(ProjectScoped):
    """Alert rules of a project (triggers: new_issue, regression, frequency, ignore_ended)."""

    serializer_class = AlertRuleSerializer

    def get_queryset(self):
        return AlertRule.objects.filter(project=self.project()).order_by("id")

    def create_extra(self) -> dict:
        return {"created_by": self.request.user}


class AlertDestinationViewSet(ProjectScoped):
    """Destinations of a project (email, webhook, apprise); `test` sends a test message,
    `attempts` lists every delivery attempt."""

    serializer_class = AlertDestinationSerializer

    def get_queryset(self):
        return AlertDestination.objects.filter(project=self.project()).order_by("id")

    @extend_schema(request=None, responses={202: dict})
    @decorators.action(detail=True, methods=["post"])
    def test(self, request, project_pk=None, pk=None):
        destination = self.get_object()
        require_manager(self.request.user, self.project().organization_id)
        delivery_id = send_test(destination)
        transaction.on_commit(lambda: enqueue([delivery_id]))
        return Response({"delivery": delivery_id}, status=202)

    @extend_schema(responses=DeliveryAttemptSerializer(many=True))
    @decorators.action(detail=True, methods=["get"])
    def attempts(self, request, project_pk=None, pk=None):
        destination = self.get_object()
        attempts = destination.attempts.select_related("delivery__notification").order_by(
            "-at", "-id"
        )
        page = self.paginate_queryset(attempts)
        shown = DeliveryAttemptSerializer(page, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(shown.data)


def _django_errors(call):
    try:
        return call()
    except DjangoValidationError as exc:
        raise drf_error(exc) from exc


@extend_schema(request=AssignSerializer, responses=IssueSerializer)
@decorators.api_view(["POST"])
def assign(request, issue_id: int):
    """Assign the issue to a member of its organisation by username; null unassigns."""
    issue = issue_for(request.user, issue_id)
    body = AssignSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    username = body.validated_data["assignee"]
    assignee = _django_errors(lambda: state.member_named(issue, username)) if username else None
    _django_errors(lambda: state.assign(issue, assignee, request.user))
    return Response(IssueSerializer(issue).data)


@extend_schema(request=CommentSerializer, responses=CommentSerializer(many=True))
@decorators.api_view(["GET", "POST"])
def comments(request, issue_id: int):
    issue = issue_for(request.user, issue_id)
    if request.method == "POST":
        note = _django_errors(
            lambda: comment(issue, request.user, str(request.data.get("text", "")))
        )
        return Response(CommentSerializer(note).data, status=201)
    notes = issue.comments.select_related("user").order_by("created_at", "id")
    return Response(CommentSerializer(notes, many=True).data)


@extend_schema(responses=ActivityPageSerializer)  # a page, not a bare list
@decorators.api_view(["GET"])
def activity(request, issue_id: int):
    """The issue's activity log, newest first."""
    issue = issue_for(request.user, issue_id)
    pages = Pages()
    entries = issue.activity.select_related("user").order_by("-created_at", "-id")
    page = pages.paginate_queryset(entries, request)
    return pages.get_paginated_response(ActivitySerializer(page, many=True).data)


@extend_schema(request=IgnoreSerializer, responses=IssueSerializer)
@decorators.api_view(["POST"])
def ignore(request, issue_id: int):
    """Ignore; optional conditions end it by themselves: minutes, events (more), users (more)."""
    issue = issue_for(request.user, issue_id)
    body = IgnoreSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    _django_errors(lambda: state.ignore(issue, request.user, **body.validated_data))
    return Response(IssueSerializer(issue).data)


@extend_schema(request=ResolveSerializer, responses=IssueSerializer)
@decorators.api_view(["POST"])
def resolve(request, issue_id: int):
    """Resolve; with in_next_release only events of a newer release reopen it."""
    issue = issue_for(request.user, issue_id)
    body = ResolveSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    if body.validated_data["in_next_release"]:
        _django_errors(lambda: state.resolve_in_next_release(issue, request.user))
    else:
        _django_errors(lambda: state.resolve(issue, request.user))
    return Response(IssueSerializer(issue).data)


@extend_schema(request=PreferenceSerializer, responses=PreferenceSerializer(many=True))
@decorators.api_view(["GET", "PUT"])
def preferences(request):
    """Your email preferences: a default (project null) and per-project choices."""
    mine = NotificationPreference.objects.filter(user=request.user)
    if request.method == "PUT":
        body = PreferenceSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        project = body.validated_data.get("project")
        if project is not None:
            project_by_id(request.user, project.pk)
        NotificationPreference.objects.update_or_create(
            user=request.user, project=project, defaults={"email": body.validated_data["email"]}
        )
    return Response(PreferenceSerializer(mine.order_by("project_id"), many=True).data)
