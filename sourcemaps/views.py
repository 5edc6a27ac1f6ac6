"""The API sentry-cli calls: `GET /api/0/`, chunk-upload options and upload, and artifact bundle
assembly. Authenticated by `Authorization: Bearer <org token or user API token>`; uploading
needs the token's `project:releases` scope."""

from __future__ import annotations

import functools
import json

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from access.scopes import TOKEN_NO_RELEASES
from ingest import bodymemory
from ingest.body import decode_content
from ingest.errors import IngestError
from monitor.models import Organization
from sourcemaps import upload
from sourcemaps.tokens import caller_of

ACCEPT = ["artifact_bundles", "artifact_bundles_v2"]


def _error(status: int, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)


def org_endpoint(view):
    """Token authentication, the release scope, and the organisation in the URL, which the
    token must reach. The scope is checked first: its refusal says nothing about the slug."""

    @csrf_exempt
    @functools.wraps(view)
    def wrapper(request: HttpRequest, org: str) -> JsonResponse:
        caller = caller_of(request.META.get("HTTP_AUTHORIZATION", ""))
        if caller is None:
            return _error(401, "authentication required: Authorization: Bearer <auth token>")
        if not caller.may_upload():
            return _error(403, TOKEN_NO_RELEASES)
        # A slug no organisation has gets the same answer: nothing says which slugs exist.
        organization = Organization.objects.filter(slug=org).first()
        if organization is None or not caller.may_upload_to(organization):
            return _error(403, "this token has no access to this organisation")
        try:
            return view(request, organization)
        except upload.UploadError as exc:
            return JsonResponse({"state": "error", "detail": str(exc), "missingChunks": []},
                                status=exc.status)

    return wrapper


@csrf_exempt
@require_http_methods(["GET"])
def api_root(request: HttpRequest) -> JsonResponse:
    """What `sentry-cli info` and `login` read: the token's scopes and user."""
    caller = caller_of(request.META.get("HTTP_AUTHORIZATION", ""))
    user = None
    if caller and caller.user_id:
        from django.contrib.auth import get_user_model

        account = get_user_model().objects.get(pk=caller.user_id)
        user = {"id": str(account.pk), "name": account.get_full_name() or account.username,
                "username": account.username, "email": account.email}
    return JsonResponse({"version": "0", "user": user,
                         "auth": {"scopes": list(caller.scopes)} if caller else None})


@org_endpoint
@require_http_methods(["GET", "POST"])
def chunk_upload(request: HttpRequest, organization: Organization) -> JsonResponse:
    if request.method == "GET":
        return JsonResponse(chunk_options(organization))
    length = bodymemory.declared_length(request.META)
    if length > settings.SOURCEMAPS_MAX_REQUEST_SIZE:
        return _error(413, f"request body over {settings.SOURCEMAPS_MAX_REQUEST_SIZE} bytes")
    try:
        with bodymemory.held(length) as ledger:  # the form is parsed, its chunks stored
            _store_chunks(request, organization, ledger)
    except IngestError as exc:  # the process's body budget stayed spent: retry later
        return JsonResponse({"detail": exc.detail}, status=exc.status, headers=exc.headers)
    return JsonResponse({}, status=200)


def _store_chunks(request: HttpRequest, organization: Organization,
                  ledger: bodymemory.Ledger) -> None:
    files = [*request.FILES.getlist("file"), *request.FILES.getlist("file_gzip")]
    if len(files) > settings.SOURCEMAPS_CHUNKS_PER_REQUEST:
        raise upload.UploadError("too many chunks in one request")
    gzipped = set(map(id, request.FILES.getlist("file_gzip")))
    for part in files:
        data = part.read(settings.SOURCEMAPS_CHUNK_SIZE * 2 + 1)
        decoded = 0
        if id(part) in gzipped:
            try:
                data = decode_content(data, "gzip", settings.SOURCEMAPS_CHUNK_SIZE, ledger)
            except IngestError as exc:
                if exc.status == 503:  # the budget, not the chunk
                    raise
                raise upload.UploadError(f"chunk {part.name}: {exc.detail}") from exc
            decoded = len(data)
        upload.store_chunk(organization, part.name or "", data)
        ledger.drop(decoded)


def chunk_options(organization: Organization) -> dict:
    return {
        "url": f"{settings.FAULTLINE_URL}/api/0/organizations/{organization.slug}/chunk-upload/",
        "chunkSize": settings.SOURCEMAPS_CHUNK_SIZE,
        "chunksPerRequest": settings.SOURCEMAPS_CHUNKS_PER_REQUEST,
        "maxFileSize": settings.SOURCEMAPS_MAX_BUNDLE_SIZE,
        "maxRequestSize": settings.SOURCEMAPS_MAX_REQUEST_SIZE,
        "concurrency": 2,
        "hashAlgorithm": "sha1",
        "compression": ["gzip"],
        "accept": ACCEPT,
        "maxWait": 60,
    }


@org_endpoint
@require_http_methods(["POST"])
def assemble(request: HttpRequest, organization: Organization) -> JsonResponse:
    if len(request.body) > 1024 * 1024:
        raise upload.UploadError("assemble request over 1 MiB")
    try:
        body = json.loads(request.body)
    except (ValueError, RecursionError) as exc:
        raise upload.UploadError(f"the request body is not JSON: {exc}") from exc
    return JsonResponse(upload.assemble(organization, body))
