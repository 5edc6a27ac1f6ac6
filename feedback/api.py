"""Feedback in the REST API (scoped by membership), and the legacy user-feedback endpoint
that SDKs' crash-report dialogs post to with `Authorization: DSN <dsn>`: it takes from the
key's feedback budget (ingest.ratelimit) and stops at the project's cap, like envelopes."""

from __future__ import annotations

from django.conf import settings
from rest_framework import decorators, permissions, serializers
from rest_framework.response import Response

from access import issue_for, project_by_id
from feedback import accept
from feedback.models import UserFeedback
from feedback.queries import for_issue
from ingest import bodymemory, ratelimit
from ingest.auth import load_key, public_key_from_dsn
from ingest.errors import IngestError
from ingest.payload import parse_json_object
from monitor.models import Project


class FeedbackSerializer(serializers.ModelSerializer):
    event_id = serializers.SerializerMethodField()

    class Meta:
        model = UserFeedback
        fields = ["id", "event_id", "name", "email", "comments", "url", "source", "received_at"]

    def get_event_id(self, row) -> str | None:
        return row.event_id.hex if row.event_id else None


@decorators.api_view(["GET"])
def issue_feedback(request, pk: int):
    issue = issue_for(request.user, pk)
    return Response(FeedbackSerializer(for_issue(issue)[:100], many=True).data)


@decorators.api_view(["GET"])
def project_feedback(request, pk: int):
    """All feedback of a project, including feedback about no event."""
    project = project_by_id(request.user, pk)
    rows = UserFeedback.objects.filter(project=project).order_by("-received_at")[:100]
    return Response(FeedbackSerializer(rows, many=True).data)


@decorators.api_view(["POST"])
@decorators.authentication_classes([])
@decorators.permission_classes([permissions.AllowAny])
def legacy_user_feedback(request, org: str, project: str):
    """`POST /api/0/projects/<org>/<project>/user-feedback/` with {event_id, name, email,
    comments}; authenticated by the project's DSN."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, dsn = header.partition(" ")
    key = load_key(public_key_from_dsn(dsn.strip()) or "") if scheme.upper() == "DSN" else None
    target = Project.objects.filter(organization__slug=org, slug=project).first()
    if key is None or not key.is_active or target is None or key.project_id != target.id:
        return Response({"detail": "authenticate with Authorization: DSN <this project's DSN>"},
                        status=401)
    # A spent budget is refused before the body is parsed (one home: ingest.ratelimit).
    if spent := ratelimit.used_up(key.public_key, (ratelimit.FEEDBACK,), key.rate_limit_count,
                                  key.rate_limit_window):
        error = ratelimit.too_many(spent)
        return Response({"detail": error.detail}, status=error.status, headers=error.headers)
    length = bodymemory.declared_length(request.META)
    if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:  # Django would refuse to read it anyway
        return Response({"detail": "request body too large"}, status=413)
    try:  # the ingest endpoints' parser: bounded nesting and numbers, a 400 that says why
        with bodymemory.held(length):
            data = parse_json_object(request.body, "feedback")
    except IngestError as error:  # a 503 while the process's body budget stays spent
        return Response({"detail": error.detail}, status=error.status, headers=error.headers)
    fields = accept.from_user_report(data, UserFeedback.Source.API)
    if fields is None:
        return Response({"detail": "comments are required"}, status=400)
    _, limited = ratelimit.take(key.public_key, ratelimit.FEEDBACK, 1, key.rate_limit_count,
                                key.rate_limit_window)
    if limited is not None:
        error = ratelimit.too_many([limited])
        return Response({"detail": error.detail}, status=error.status, headers=error.headers)
    if accept.store(target.id, [fields]):
        return Response({"detail": "this project's feedback is full: nothing more is stored "
                                   "until older feedback is deleted"}, status=429)
    return Response({**data, "comments": fields["comments"]}, status=200)
