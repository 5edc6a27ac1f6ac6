"""The upload protocol of sentry-cli: chunk storage and bundle assembly (no HTTP here).

sentry-cli splits a bundle into power-of-two chunks, asks `assemble` which chunks the server
lacks, uploads only those, and asks `assemble` again until the state is `ok` or `error`. The
answer about missing chunks must be true: a chunk the server claims to have is never sent.
"""

from __future__ import annotations

import hashlib
import re

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from monitor.models import Organization, Project
from sourcemaps.bundles import BundleError, read_bundle
from sourcemaps.models import ArtifactBundle, ArtifactFile, UploadChunk

SHA1 = re.compile(r"^[0-9a-f]{40}$")


class UploadError(ValueError):
    """A 400 for the uploader, with the message sentry-cli prints."""


def sha1(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()  # noqa: S324 - the protocol's checksum


def store_chunk(organization: Organization, checksum: str, data: bytes) -> None:
    if not SHA1.match(checksum):
        raise UploadError(f"chunk name {checksum[:64]!r} is not a SHA-1 checksum")
    if len(data) > settings.SOURCEMAPS_CHUNK_SIZE:
        raise UploadError(f"chunk {checksum} is larger than the chunk size")
    if sha1(data) != checksum:
        raise UploadError(f"chunk {checksum} does not match its checksum")
    UploadChunk.objects.get_or_create(organization=organization, checksum=checksum,
                                      defaults={"data": data})  # fmt: skip


def _projects(organization: Organization, names: object) -> list[Project]:
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise UploadError("`projects` must be a non-empty list of project slugs")
    found = {p.slug: p for p in Project.objects.filter(organization=organization, slug__in=names)}
    found.update({str(p.id): p for p in Project.objects.filter(
        organization=organization, id__in=[int(n) for n in names if n.isdigit()])})  # fmt: skip
    unknown = [n for n in names if n not in found]
    if unknown:
        raise UploadError(f"unknown projects in {organization.slug}: {', '.join(unknown[:5])}")
    return list({p.id: p for p in (found[n] for n in names)}.values())


def _request(body: object) -> tuple[str, list[str], object, str, str]:
    if not isinstance(body, dict):
        raise UploadError("the request body must be a JSON object")
    checksum, chunks = body.get("checksum"), body.get("chunks")
    if not isinstance(checksum, str) or not SHA1.match(checksum):
        raise UploadError("`checksum` must be a SHA-1 checksum")
    if not isinstance(chunks, list) or not all(isinstance(c, str) and SHA1.match(c)
                                               for c in chunks):  # fmt: skip
        raise UploadError("`chunks` must be a list of SHA-1 checksums")
    limit = settings.SOURCEMAPS_MAX_BUNDLE_SIZE // settings.SOURCEMAPS_CHUNK_SIZE + 1
    if len(chunks) > limit:
        raise UploadError(f"{len(chunks)} chunks exceed the bundle size limit")
    release = str(body.get("version") or "")[:200]
    dist = str(body.get("dist") or "")[:64]
    return checksum, chunks, body.get("projects"), release, dist


def assemble(organization: Organization, body: object) -> dict:
    """The assemble reply: `not_found` with the missing chunks, or `ok` once stored."""
    checksum, chunks, project_names, release, dist = _request(body)
    projects = _projects(organization, project_names)
    existing = ArtifactBundle.objects.filter(organization=organization, checksum=checksum).first()
    if existing is not None:
        _index(existing, projects, files=None)
        return {"state": "ok", "missingChunks": []}
    present = dict(UploadChunk.objects.filter(organization=organization, checksum__in=chunks)
                   .values_list("checksum", "data"))  # fmt: skip
    missing = list(dict.fromkeys(c for c in chunks if c not in present))
    if missing:
        return {"state": "not_found", "missingChunks": missing}
    data = b"".join(bytes(present[c]) for c in chunks)
    if sha1(data) != checksum:
        raise UploadError("the assembled chunks do not match the bundle checksum")
    try:
        bundle = read_bundle(data, settings.SOURCEMAPS_MAX_BUNDLE_SIZE * 2)
    except BundleError as exc:
        raise UploadError(str(exc)) from exc
    with transaction.atomic():
        row, created = ArtifactBundle.objects.get_or_create(
            organization=organization, checksum=checksum,
            defaults={"bundle_id": bundle.attributes.get("debug_id", "")[:64],
                      "release": release or bundle.attributes.get("release", "")[:200],
                      "dist": dist or bundle.attributes.get("dist", "")[:64],
                      "size": len(data), "file_count": len(bundle.files)},
        )  # fmt: skip
        _index(row, projects, bundle.files if created else None)
        UploadChunk.objects.filter(organization=organization, checksum__in=chunks).delete()
    return {"state": "ok", "missingChunks": []}


def _index(row: ArtifactBundle, projects: list[Project], files) -> None:
    """Link the bundle to projects it is not linked to yet, with one index row per file."""
    linked = set(row.projects.values_list("id", flat=True))
    new = [p for p in projects if p.id not in linked]
    if not new:
        return
    if files is None:  # an existing bundle for more projects: copy one project's rows
        source = row.files.filter(project_id=next(iter(linked))) if linked else row.files.none()
        files = list(source)
    rows = []
    for project in new:
        for f in files:
            rows.append(ArtifactFile(
                bundle=row, project=project, kind=f.kind, debug_id=f.debug_id, url=f.url,
                release=row.release, dist=row.dist, headers=f.headers, content=bytes(f.content),
            ))  # fmt: skip
    ArtifactFile.objects.bulk_create(rows, batch_size=50)
    row.projects.add(*new)
    ArtifactBundle.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
