"""The upload protocol of sentry-cli: chunk storage and bundle assembly (no HTTP here).

sentry-cli splits a bundle into power-of-two chunks, asks `assemble` which chunks the server
lacks, uploads only those, and asks `assemble` again (polling with `--wait`) until the state is
`ok` or `error`. The answer about missing chunks must be true: a chunk the server claims to
have is never sent. Assembly runs in a Celery worker (sourcemaps.tasks), not in the request.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import re
import tempfile

from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from monitor.models import Organization, Project
from monitor.params import as_id
from sourcemaps import quota
from sourcemaps.bundles import BundleError, BundleLimits, read_bundle
from sourcemaps.models import ArtifactBundle, ArtifactFile, BundleAssembly, UploadChunk

SHA1 = re.compile(r"^[0-9a-f]{40}$")
log = logging.getLogger(__name__)
PENDING = (BundleAssembly.State.CREATED, BundleAssembly.State.ASSEMBLING)


class UploadError(ValueError):
    """A 4xx (400 unless `status` says otherwise) for the uploader, with the message sentry-cli
    prints."""

    status = 400


class OverQuota(UploadError):
    status = 413


class Unavailable(UploadError):
    status = 503  # sentry-cli retries 503s


def sha1(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()  # noqa: S324 - the protocol's checksum


def store_chunk(organization: Organization, checksum: str, data: bytes) -> None:
    if not SHA1.match(checksum):
        raise UploadError(f"chunk name {checksum[:64]!r} is not a SHA-1 checksum")
    if len(data) > settings.SOURCEMAPS_CHUNK_SIZE:
        raise UploadError(f"chunk {checksum} is larger than the chunk size")
    if sha1(data) != checksum:
        raise UploadError(f"chunk {checksum} does not match its checksum")
    amount = quota.charge_of(data)
    with transaction.atomic():
        _, created = UploadChunk.objects.get_or_create(
            organization=organization, checksum=checksum, defaults={"data": data, "charge": amount}
        )
        if created and not quota.charge(organization.id, amount):
            raise OverQuota(
                f"{organization.slug} holds {settings.SOURCEMAPS_PENDING_CHUNKS_QUOTA} bytes of "
                "uploaded chunks not yet assembled (its quota); assemble them or wait a day"
            )


def _projects(organization: Organization, names: object) -> list[Project]:
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise UploadError("`projects` must be a non-empty list of project slugs")
    found = {p.slug: p for p in Project.objects.filter(organization=organization, slug__in=names)}
    found.update({str(p.id): p for p in Project.objects.filter(
        organization=organization, id__in=[i for i in map(as_id, names) if i])})
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
                                               for c in chunks):
        raise UploadError("`chunks` must be a list of SHA-1 checksums")
    limit = settings.SOURCEMAPS_MAX_BUNDLE_SIZE // settings.SOURCEMAPS_CHUNK_SIZE + 1
    if len(chunks) > limit:
        raise UploadError(f"{len(chunks)} chunks exceed the bundle size limit")
    release = str(body.get("version") or "")[:200]
    dist = str(body.get("dist") or "")[:64]
    return checksum, chunks, body.get("projects"), release, dist


def assemble(organization: Organization, body: object) -> dict:
    """The assemble reply: `ok` for a stored bundle, the state of an assembly under way (or of
    one that failed, for SOURCEMAPS_ASSEMBLE_STATE_SECONDS), `not_found` with the chunks that
    are missing, else `created`: the worker assembles (`run_assembly`)."""
    checksum, chunks, project_names, release, dist = _request(body)
    projects = _projects(organization, project_names)
    existing = ArtifactBundle.objects.filter(organization=organization, checksum=checksum).first()
    if existing is not None:
        _index(existing, projects, files=None)
        return {"state": "ok", "missingChunks": []}
    jobs = BundleAssembly.objects.filter(organization=organization, checksum=checksum)
    _forget_stale(jobs)
    job = jobs.first()
    if job is None:
        present = set(UploadChunk.objects.filter(organization=organization, checksum__in=chunks)
                      .values_list("checksum", flat=True))
        missing = list(dict.fromkeys(c for c in chunks if c not in present))
        if missing:
            return {"state": "not_found", "missingChunks": missing}
        job, created = BundleAssembly.objects.get_or_create(
            organization=organization, checksum=checksum,
            defaults={"chunks": chunks, "project_ids": [p.id for p in projects],
                      "release": release, "dist": dist},
        )
        if created:
            transaction.on_commit(functools.partial(_publish, job.id))
    return {"state": job.state, "detail": job.detail or None, "missingChunks": []}


def _forget_stale(jobs) -> None:
    """Drop a state older than SOURCEMAPS_ASSEMBLE_STATE_SECONDS (a failure's chunks are gone,
    so the client is told to upload again), unless a worker holds it now."""
    stale = timezone.now() - dt.timedelta(seconds=settings.SOURCEMAPS_ASSEMBLE_STATE_SECONDS)
    with transaction.atomic():
        ids = list(jobs.filter(updated_at__lt=stale).select_for_update(skip_locked=True)
                   .values_list("pk", flat=True))
        BundleAssembly.objects.filter(pk__in=ids).delete()


def _publish(assembly_id: int) -> None:
    from sourcemaps.tasks import assemble_bundle

    try:
        assemble_bundle.delay(assembly_id)
    except Exception as exc:  # the broker is down: the next assemble call starts over
        BundleAssembly.objects.filter(pk=assembly_id).delete()
        raise Unavailable("the task queue is unavailable; try again") from exc


def run_assembly(assembly_id: int) -> str:
    """The worker's part: join the chunks on disk, read the bundle within BundleLimits, and
    store it; or record the failure and drop the chunks, so a retry must upload again.

    The try is counted in its own transaction first; the work then holds the row's lock (a
    second delivery of the task skips it). A bundle that took the worker down
    SOURCEMAPS_ASSEMBLE_ATTEMPTS times is failed, never retried in a loop."""
    with transaction.atomic():
        job = _claim(assembly_id)
        if job is None:
            return "skipped"
        job.attempts += 1
        job.state = BundleAssembly.State.ASSEMBLING
        job.save(update_fields=["attempts", "state", "updated_at"])
    with transaction.atomic():
        job = _claim(assembly_id)
        if job is None:
            return "skipped"
        if job.attempts > settings.SOURCEMAPS_ASSEMBLE_ATTEMPTS:
            return _fail(job, f"assembling this bundle failed {job.attempts - 1} times")
        try:
            with tempfile.TemporaryFile() as spool, transaction.atomic():
                size = _join_chunks(job, spool)
                _store(job, read_bundle(spool, BundleLimits.from_settings()), size)
        except (UploadError, BundleError) as exc:
            return _fail(job, str(exc))
        except (OperationalError, InterfaceError):
            raise  # the task retries these
        except Exception:
            log.exception("assembling bundle %s failed", job.checksum)
            return _fail(job, "the bundle could not be assembled (server error)")
    return "ok"


def _claim(assembly_id: int) -> BundleAssembly | None:
    return (BundleAssembly.objects.select_for_update(skip_locked=True)
            .filter(pk=assembly_id, state__in=PENDING).first())


def _join_chunks(job: BundleAssembly, spool) -> int:
    """Write the chunks in order to `spool`, a few at a time, checking the whole SHA-1."""
    digest = hashlib.sha1()  # noqa: S324 - the protocol's checksum
    per_query = max(1, 32 * 1024 * 1024 // settings.SOURCEMAPS_CHUNK_SIZE)
    size = 0
    for start in range(0, len(job.chunks), per_query):
        names = job.chunks[start : start + per_query]
        found = dict(UploadChunk.objects.filter(organization_id=job.organization_id,
                                                checksum__in=names)
                     .values_list("checksum", "data"))
        for name in names:
            if name not in found:
                raise UploadError(f"chunk {name} is gone; upload the bundle again")
            data = bytes(found[name])
            size += len(data)
            if size > settings.SOURCEMAPS_MAX_BUNDLE_SIZE:
                raise UploadError(f"the bundle is over {settings.SOURCEMAPS_MAX_BUNDLE_SIZE} bytes")
            digest.update(data)
            spool.write(data)
        del found
    if digest.hexdigest() != job.checksum:
        raise UploadError("the assembled chunks do not match the bundle checksum")
    spool.seek(0)
    return size


def _store(job: BundleAssembly, bundle, size: int) -> None:
    projects = list(Project.objects.filter(organization_id=job.organization_id,
                                           id__in=job.project_ids))
    row, created = ArtifactBundle.objects.get_or_create(
        organization_id=job.organization_id, checksum=job.checksum,
        defaults={"bundle_id": bundle.attributes.get("debug_id", "")[:64],
                  "release": job.release or bundle.attributes.get("release", "")[:200],
                  "dist": job.dist or bundle.attributes.get("dist", "")[:64],
                  "size": size, "file_count": len(bundle.files)},
    )
    _index(row, projects, bundle.files if created else None)
    quota.drop_chunks(job.organization_id, UploadChunk.objects.filter(checksum__in=job.chunks))
    job.delete()


def _fail(job: BundleAssembly, detail: str) -> str:
    BundleAssembly.objects.filter(pk=job.pk).update(
        state=BundleAssembly.State.ERROR, detail=detail[:1000], updated_at=timezone.now()
    )
    quota.drop_chunks(job.organization_id, UploadChunk.objects.filter(checksum__in=job.chunks))
    return "error"


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
            ))
    ArtifactFile.objects.bulk_create(rows, batch_size=50)
    row.projects.add(*new)
    ArtifactBundle.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
