"""Triage REST API. Every queryset starts from the user's memberships: another organisation's
objects are simply not found (404)."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from drf_spectacular.utils import extend_schema
from rest_framework import decorators, mixins, pagination, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from access import (
    ManagersWrite,
    SessionOnly,
    TokenScopes,
    organization_for,
    project_by_id,
    visible_issues,
    visible_organizations,
    visible_projects,
)
from alerts import default_rule
from api.serializers import (
    DeadLetterSerializer,
    EventSerializer,
    IssueSerializer,
    OrganizationSerializer,
    ProjectKeySerializer,
    ProjectSerializer,
)
from apitokens.check import own_token
from apitokens.forms import NewTokenForm
from apitokens.models import ApiToken
from grouping.models import MergedIssue
from ingest.models import RawEvent
from monitor import eventstore, limits
from monitor.issue_events import events_of
from monitor.issues import SORTS, SearchError, filter_issues, sort_issues
from monitor.models import Issue, Project, ProjectKey
from monitor.pagination import BoundedPaginator
from monitor.params import is_id
from monitor.state import set_priority, set_status
from privacy.tasks import purge_project


class Pages(pagination.PageNumberPagination):
    page_size = 25
    page_size_query_param = "per_page"
    max_page_size = 100


class IssuePages(Pages):
    """Issues under a filter: `count` stops at limits.STREAM_COUNT, as on the stream (an
    EXISTS per issue of every visible project otherwise); pages past it are still served."""

    def django_paginator_class(self, queryset, page_size):
        return BoundedPaginator(queryset, page_size, limits.STREAM_COUNT)


class IssueEventPages(Pages):
    """An issue's events: `count` stops at limits.ISSUE_EVENTS_COUNT (counting a busy issue's
    every event costs as much as reading them); pages past it are still served."""

    def django_paginator_class(self, queryset, page_size):
        return BoundedPaginator(queryset, page_size, limits.ISSUE_EVENTS_COUNT)


class OrganizationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = OrganizationSerializer
    lookup_field = "slug"
    pagination_class = Pages

    def get_queryset(self):
        return visible_organizations(self.request.user)


class ProjectViewSet(viewsets.ModelViewSet):
    serializer_class = ProjectSerializer
    permission_classes = [IsAuthenticated, TokenScopes, ManagersWrite]
    pagination_class = Pages

    def get_queryset(self):
        projects = visible_projects(self.request.user)
        if org := self.request.query_params.get("organization"):
            projects = projects.filter(organization__slug=org)
        return projects

    @staticmethod
    def organization_id_of(project: Project) -> int:
        return project.organization_id

    def perform_create(self, serializer):
        organization = organization_for(
            self.request.user, self.request.data.get("organization"), manage=True
        )
        serializer.check_slug_free(organization.id)
        with transaction.atomic():
            default_rule.create_for(serializer.save(organization=organization))

    def perform_update(self, serializer):
        serializer.check_slug_free(serializer.instance.organization_id)
        serializer.save()


    def destroy(self, request, *args, **kwargs):
        """Keys are disabled at once (ingest stops); the data goes in chunks in a worker
        (privacy.purge_project), never in one huge in-request cascade. 202: scheduled."""
        project = self.get_object()
        ProjectKey.objects.filter(project=project).update(is_active=False)
        transaction.on_commit(lambda: purge_project.delay(project.id))
        return Response({"detail": "deletion scheduled", "id": project.id}, status=202)


class DeadLetterViewSet(viewsets.ReadOnlyModelViewSet):
    """Events that could not be processed (after limits.PROCESSING_ATTEMPTS tries) and why;
    owners and admins of the project's organisation only."""

    serializer_class = DeadLetterSerializer
    pagination_class = Pages

    def get_queryset(self):
        project = project_by_id(self.request.user, self.kwargs["project_pk"], manage=True)
        dead = RawEvent.objects.filter(project=project, attempts__gte=limits.PROCESSING_ATTEMPTS)
        return dead.order_by("-id")


class ProjectKeyViewSet(viewsets.ModelViewSet):
    serializer_class = ProjectKeySerializer
    permission_classes = [IsAuthenticated, TokenScopes, ManagersWrite]

    def project(self, manage: bool = False) -> Project:
        return project_by_id(self.request.user, self.kwargs["project_pk"], manage=manage)

    def get_queryset(self):
        return ProjectKey.objects.filter(project=self.project()).order_by("id")

    @staticmethod
    def organization_id_of(key: ProjectKey) -> int:
        return key.project.organization_id

    def perform_create(self, serializer):
        serializer.save(project=self.project(manage=True))


class IssueMoved(Exception):
    def __init__(self, issue_id: int):
        self.issue_id = issue_id


class IssueViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin,
                   viewsets.GenericViewSet):
    """Filters: project, status, level, environment, release, assigned (me, none, a username),
    query (the search syntax of docs/ui.md, shared with the stream);
    sort: last_seen (default), first_seen, events, users, priority, attention (escalating, then
    by priority). PATCH `priority` (high, medium, low) sets it and locks it. An issue merged
    into another answers 302 to the one that holds its events, as Sentry's API does."""

    serializer_class = IssueSerializer
    pagination_class = IssuePages

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            pk = self.kwargs.get("pk", "")
            moved = MergedIssue.objects.filter(
                previous_id=pk, project__in=visible_projects(self.request.user),
            ).first() if is_id(pk) else None
            if moved is None:
                raise
            raise IssueMoved(moved.issue_id) from None

    def handle_exception(self, exc):
        if isinstance(exc, IssueMoved):
            path = self.request.get_full_path().replace(
                f"/issues/{self.kwargs['pk']}/", f"/issues/{exc.issue_id}/", 1)
            return HttpResponseRedirect(path)
        return super().handle_exception(exc)

    def get_queryset(self):
        issues = visible_issues(self.request.user)
        params = self.request.query_params
        if project := params.get("project"):
            if not is_id(project):
                raise ValidationError({"project": "a project id"})
            issues = issues.filter(project_id=project)
        try:
            return sort_issues(filter_issues(issues, params, user=self.request.user),
                               params.get("sort")).select_related("project", "assignee")
        except KeyError as exc:
            raise ValidationError({"sort": f"one of {', '.join(SORTS)}"}) from exc
        except SearchError as exc:
            raise ValidationError({"query": str(exc)}) from exc

    def perform_update(self, serializer):
        if "status" in serializer.validated_data:
            set_status(Issue.objects.filter(pk=serializer.instance.pk),
                       serializer.validated_data["status"], by=self.request.user)
        if "priority" in serializer.validated_data:  # a person's choice: locked
            set_priority(serializer.instance,
                                        serializer.validated_data["priority"], self.request.user)
        serializer.instance.refresh_from_db()

    @extend_schema(responses=EventSerializer(many=True))  # a page of events, not the issue
    @decorators.action(detail=True, methods=["get"], pagination_class=IssueEventPages)
    def events(self, request, pk=None):
        issue = self.get_object()
        events = events_of(issue).order_by("-timestamp", "-id")
        page = eventstore.attach_payloads(self.paginate_queryset(events))
        return self.get_paginated_response(EventSerializer(page, many=True).data)


def _token_row(row: ApiToken) -> dict:
    """A token as the API lists it: never its secret nor its hash."""
    return {"id": row.id, "name": row.name, "prefix": row.prefix, "scopes": row.scopes,
            "expires_at": row.expires_at, "created_at": row.created_at,
            "last_used_at": row.last_used_at}


@decorators.api_view(["GET", "POST", "DELETE"])
@decorators.permission_classes([IsAuthenticated, TokenScopes, SessionOnly])
def tokens(request):
    """The signed-in user's personal API tokens, as Sentry's `api-tokens` endpoint: GET lists
    them (no secrets), POST creates one (`name`, `access`: read, releases or write, `expiry`:
    30, 90, 365 or never; the secret is in this answer only), DELETE revokes one (`tokenId`;
    another user's or a missing one is a 404 alike). Signed in only: a token managing tokens
    could outlive its expiry or widen its scopes."""
    if request.method == "GET":
        return Response([_token_row(row) for row in request.user.api_tokens.all()])
    if not isinstance(request.data, Mapping):  # a JSON list or string is no form
        raise ValidationError("expected an object")
    if request.method == "DELETE":
        if request.data.get("tokenId") is None:
            raise ValidationError({"tokenId": "the id of one of your tokens"})
        own_token(request.user, request.data["tokenId"]).delete()
        return Response(status=204)
    form = NewTokenForm(request.data, user=request.user)
    if not form.is_valid():
        raise ValidationError(form.errors)
    row, secret = form.create()
    return Response({**_token_row(row), "token": secret}, status=201)
