"""REST API of AI summaries: the brief (no model, shown wherever the issue is), a summary per
issue (GET the latest, POST to ask for one), the issue's resolution notes, and the owners' log of
model calls. Every answer but the brief is 404 for an organisation that hides AI features,
exactly as for an issue the user cannot see."""

from __future__ import annotations

import dataclasses

from django.db import transaction
from django.http import Http404
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from access import issue_for, owned_organization
from assist import brief, gate, service
from assist.models import Generation, GenerationLog, ResolutionNote
from monitor.models import Event


class GenerationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Generation
        fields = ["id", "issue", "status", "summary", "cause", "fix", "error", "model",
                  "examples", "categories", "trigger", "created_at", "finished_at"]


class NoteSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", default=None, read_only=True)

    class Meta:
        model = ResolutionNote
        fields = ["id", "issue", "author", "text", "created_at"]
        read_only_fields = ["issue", "created_at"]


class LogSerializer(serializers.ModelSerializer):
    requested_by = serializers.CharField(source="requested_by.username", default=None)

    class Meta:
        model = GenerationLog
        fields = ["id", "issue", "requested_by", "trigger", "backend", "model", "prompt_sha256",
                  "categories", "examples", "prompt_tokens", "completion_tokens", "latency_ms",
                  "outcome", "error", "created_at"]


def _visible_issue(user, issue_id: int):
    issue = issue_for(user, issue_id)
    if not gate.visible(issue.project.organization_id):
        raise Http404
    return issue


NO_SUMMARY = inline_serializer(
    "NoSummary", {"issue": serializers.IntegerField(), "status": serializers.CharField()}
)
SUMMARY_OR_NONE = PolymorphicProxySerializer(
    component_name="SummaryOrNone", serializers=[GenerationSerializer, NO_SUMMARY],
    resource_type_field_name=None,
)


BRIEF = inline_serializer("Brief", {
    "issue": serializers.IntegerField(),
    "chain": serializers.ListField(child=serializers.DictField(), help_text="root cause first"),
    "crash": serializers.DictField(allow_null=True),
    "caller": serializers.DictField(allow_null=True),
    "facts": serializers.DictField(allow_null=True),
    "resolved": serializers.ListField(child=serializers.DictField()),
    "trend": serializers.CharField(),
    "changed": serializers.CharField(),
    "text": serializers.CharField(),
})


@extend_schema(responses=BRIEF)
@api_view(["GET"])
def issue_brief(request, issue_id: int):
    """What failed, where, since when, who is affected, what changed and how similar resolved
    issues of the organisation were fixed: read from the issue's data, no model (assist.brief)."""
    issue = issue_for(request.user, issue_id)
    event = Event.objects.filter(issue=issue).order_by("-timestamp", "-id").first()
    made = brief.gather(issue, event)
    return Response({"issue": issue.id, **dataclasses.asdict(made), "trend": made.trend,
                     "changed": made.changed, "text": made.text})


@extend_schema(request=None, responses={200: SUMMARY_OR_NONE, 202: GenerationSerializer})
@api_view(["GET", "POST"])
def summary(request, issue_id: int):
    """GET: the latest summary (`status` none/pending/running/done/failed). POST: generate one
    (202; 403 without consent, 429 over the organisation's rate limit)."""
    issue = _visible_issue(request.user, issue_id)
    if request.method == "POST":
        try:
            with transaction.atomic():
                generation = service.request(issue, request.user)
        except service.Refused as refused:
            return Response({"detail": refused.message, "code": refused.code},
                            status=refused.status)
        return Response(GenerationSerializer(generation).data, status=202)
    generation = service.latest(issue)
    if generation is None:
        return Response({"issue": issue.id, "status": "none"})
    return Response(GenerationSerializer(generation).data)


@extend_schema(request=inline_serializer("NoteInput", {"text": serializers.CharField()}),
               responses=NoteSerializer(many=True))
@api_view(["GET", "POST"])
def notes(request, issue_id: int):
    """How the issue was fixed; notes of resolved issues are examples for similar ones."""
    issue = _visible_issue(request.user, issue_id)
    if request.method == "POST":
        serializer = NoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        serializer.save(issue=issue, author=request.user)
        return Response(serializer.data, status=201)
    rows = ResolutionNote.objects.filter(issue=issue).select_related("author")[:100]
    return Response(NoteSerializer(rows, many=True).data)


@extend_schema(responses=LogSerializer(many=True))
@api_view(["GET"])
def organization_log(request, slug: str):
    """Owners only: every model call (who, model, prompt hash, categories, tokens, latency)."""
    organization = owned_organization(request.user, slug)
    if not gate.visible(organization.id):
        raise Http404
    rows = GenerationLog.objects.filter(organization=organization).select_related(
        "requested_by"
    )[:500]
    return Response(LogSerializer(rows, many=True).data)
