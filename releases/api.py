"""`GET /api/0/projects/<id>/releases/`: what each release brought, newest first."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from access import project_by_id
from monitor import limits
from monitor.params import as_natural
from releases import stats


class ReleaseSummarySerializer(serializers.Serializer):
    version = serializers.CharField()
    first_event = serializers.DateTimeField()
    last_event = serializers.DateTimeField()
    events = serializers.IntegerField()
    issues = serializers.IntegerField(help_text="Issues with an event in this release.")
    new_issues = serializers.IntegerField(help_text="Issues whose first event was in it.")
    regressed_issues = serializers.IntegerField(
        help_text="Resolved issues an event of this release reopened.")
    users = serializers.IntegerField(
        help_text="Distinct users with an event in it, as of the last minute's count.")


def _bounded(value: str | None, default: int, maximum: int, name: str) -> int:
    if value is None:
        return default
    number = as_natural(value)
    if number is None or number > maximum:
        raise ValidationError({name: f"a number from 0 to {maximum}"})
    return number


@extend_schema(responses=ReleaseSummarySerializer(many=True), parameters=[
    OpenApiParameter("per_page", int,
                     description=f"At most {limits.RELEASES_PER_PAGE} (default 50)."),
    OpenApiParameter("offset", int, description="Releases to skip.")])
@api_view(["GET"])
def project_releases(request, project_pk: int):
    project = project_by_id(request.user, project_pk)
    per_page = _bounded(request.query_params.get("per_page"), 50, limits.RELEASES_PER_PAGE,
                        "per_page")
    offset = _bounded(request.query_params.get("offset"), 0, 1_000_000, "offset")
    found = stats.summaries(project, limit=per_page, offset=offset)
    return Response(ReleaseSummarySerializer(found, many=True).data)
