"""Listing and downloading attachments: members of the project's organisation only. Always
served as a download (never rendered inline: the bytes come from an SDK)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from rest_framework import decorators, serializers
from rest_framework.response import Response

from access import project_by_id, project_view, visible_projects
from attachments.models import Attachment


def as_download(attachment: Attachment) -> HttpResponse:
    response = HttpResponse(bytes(attachment.data), content_type="application/octet-stream")
    # RFC 6266: a printable ASCII name quoted, any other as `filename*=utf-8''…` (percent-encoded,
    # control characters included), so the header stays one ASCII line whatever the SDK named
    response["Content-Disposition"] = content_disposition_header(True, attachment.name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


@project_view()
def download(request, org, project, attachment_id):
    return as_download(get_object_or_404(Attachment, project=project, pk=attachment_id))


class AttachmentSerializer(serializers.ModelSerializer):
    event_id = serializers.CharField(source="event_id.hex", read_only=True)

    class Meta:
        model = Attachment
        fields = ["id", "event_id", "name", "content_type", "attachment_type", "size",
                  "received_at"]


@decorators.api_view(["GET"])
def api_list(request, pk: int, event_id: str):
    project = project_by_id(request.user, pk)
    rows = Attachment.objects.filter(project=project, event_id=event_id).defer("data")
    return Response(AttachmentSerializer(rows.order_by("id"), many=True).data)


@decorators.api_view(["GET"])
def api_download(request, pk: int):
    attachment = get_object_or_404(
        Attachment, pk=pk, project__in=visible_projects(request.user)
    )
    return as_download(attachment)
