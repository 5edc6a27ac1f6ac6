"""Health of the ingest path: how much waits in this host's spool, as JSON and as a staff page."""

from __future__ import annotations

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ingest import spool


def spool_status() -> dict:
    """This host's spool: segments, bytes, events and the age of the oldest segment."""
    depth = spool.depth()
    return {
        "host": settings.SPOOL_HOST,
        "directory": str(spool.host_dir()),
        "limit_bytes": settings.SPOOL_MAX_BYTES,
        **depth.as_dict(),
    }


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """`status` is "ok", or "spooling" while events wait on disk for the database."""
    status = spool_status()
    return JsonResponse({"status": "spooling" if status["events"] else "ok", "spool": status})


@staff_member_required
def spool_page(request: HttpRequest) -> HttpResponse:
    hosts = []
    root = spool.host_dir().parent
    directories = sorted(p for p in root.iterdir() if p.is_dir()) if root.exists() else []
    for directory in directories or [spool.host_dir()]:
        depth = spool.depth(directory)
        hosts.append({"name": directory.name, "path": directory, **depth.as_dict()})
    return render(
        request,
        "ingest/spool.html",
        {
            "title": "Ingest spool",
            "hosts": hosts,
            "this_host": settings.SPOOL_HOST,
            "limit": settings.SPOOL_MAX_BYTES,
        },
    )
