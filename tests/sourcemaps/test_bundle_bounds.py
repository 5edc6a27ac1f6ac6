"""Artifact bundles are hostile uploads: zip and manifest bombs, lying sizes, too many members,
pending chunks past the organisation's quota, and retries of a failed assembly.

The bombs inflate 200 MiB of zeros from ~200 KiB: their assembly runs in a fresh subprocess (the
worker's code, run there by Celery's eager mode) whose peak RSS must grow by less than
RSS_BOUND. The slow test drives the real sentry-cli and the real Celery worker."""

import datetime as dt
import hashlib
import io
import json
import subprocess
import sys
import threading
import zipfile

import pytest
from django.db import connections
from django.db.models import F
from django.test import Client

from monitor.models import Project
from sourcemaps import safezip, upload
from sourcemaps.bundles import BundleError, BundleLimits, read_bundle
from sourcemaps.models import ArtifactBundle, BundleAssembly, PendingChunkUsage, UploadChunk
from sourcemaps.tokens import create_org_token
from tests.conftest import ROOT, wait_for
from tests.helpers.bombs import KINDS, MiB, bomb
from tests.helpers.sourcemaps import DEBUG_ID, MAP, MINIFIED, bundle_zip

RSS_BOUND = 64 * MiB  # peak RSS growth allowed while assembling a 200 MiB bomb
LIMITS = BundleLimits(members=100, name_length=256, unpacked=64 * MiB, ratio=100,
                      manifest=MiB)


def sha1(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()  # noqa: S324


@pytest.fixture(scope="module")
def bombs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bombs")
    paths = {}
    for kind in KINDS:
        paths[kind] = folder / f"{kind.replace(' ', '-')}.zip"
        paths[kind].write_bytes(bomb(kind))
    return paths


# --- The reader: bounds in sourcemaps.safezip and sourcemaps.bundles ---------------------


def test_every_bomb_is_small_on_the_wire_and_refused_by_the_reader(bombs):
    for kind, path in bombs.items():
        assert path.stat().st_size < 1 * MiB, kind
        with pytest.raises(BundleError, match="not accepted") as refused:
            read_bundle(io.BytesIO(path.read_bytes()), LIMITS)
        assert "manifest.json" in str(refused.value) or "app.js" in str(refused.value), kind


def test_the_honest_bomb_is_stopped_by_the_ratio_and_then_by_the_byte_budget(bombs):
    data = bombs["honest member"].read_bytes()
    with pytest.raises(BundleError, match="expands more than 100 times"):
        read_bundle(io.BytesIO(data), LIMITS)
    lenient = BundleLimits(100, 256, unpacked=8 * MiB, ratio=10_000, manifest=MiB)
    with pytest.raises(BundleError, match=f"unpacks to more than {8 * MiB} bytes"):
        read_bundle(io.BytesIO(data), lenient)


def test_members_are_counted_before_zipfile_parses_the_directory():
    files = {f"f{i}.js": ("source", {}, b"x") for i in range(150)}
    with pytest.raises(BundleError, match="more than 100 members"):
        read_bundle(io.BytesIO(bundle_zip(files)), LIMITS)
    long_name = {"a" * 300 + ".js": ("source", {}, b"x")}
    with pytest.raises(BundleError, match="member name is 3"):
        read_bundle(io.BytesIO(bundle_zip(long_name)), LIMITS)


def test_only_stored_and_deflated_members_are_read():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("manifest.json", '{"files": {"a.js": {"type": "source"}}}')
        archive.writestr("files/a.js", bytes(MiB), compress_type=zipfile.ZIP_BZIP2)
    with pytest.raises(BundleError, match="compression method 12"):
        read_bundle(io.BytesIO(out.getvalue()), LIMITS)


@pytest.mark.parametrize(("manifest", "message"), [
    ({"files": {"a.js": {"headers": {"x": {"y": {"z": 1}}}}}}, "deeper than 4"),
    ({"files": {}, "attributes": {"release": ["a", "b"]}}, "must map names to strings"),
    ({"files": {"a.js": "not an object"}}, "is not an object"),
    ("[" * 100_000 + "]" * 100_000, "unreadable"),
    ({"files": {}, "pad": "x" * (MiB + 1)}, "larger than"),
])
def test_manifests_past_their_format_or_size_are_refused(manifest, message):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json",
                         manifest if isinstance(manifest, str) else json.dumps(manifest))
        archive.writestr("files/a.js", b"x")
    with pytest.raises(BundleError, match=message):
        read_bundle(io.BytesIO(out.getvalue()), LIMITS)


def test_a_real_bundle_still_reads():
    data = bundle_zip({"app.js": ("minified_source", {"debug-id": str(DEBUG_ID)}, MINIFIED),
                       "app.js.map": ("source_map", {"Debug-Id": str(DEBUG_ID)},
                                      json.dumps(MAP).encode())},
                      attributes={"release": "shop@1"})
    bundle = read_bundle(io.BytesIO(data), LIMITS)
    assert [f.kind for f in bundle.files] == ["minified_source", "source_map"]
    assert bundle.files[1].headers == {"debug-id": str(DEBUG_ID)}
    assert bundle.files[0].content == MINIFIED and bundle.attributes == {"release": "shop@1"}
    assert safezip.check_directory(io.BytesIO(data), 3, 256) == 3


# --- The assembly of a bomb, in a fresh process -------------------------------------------

WORKER = r"""
import hashlib, io, json, re, sys
import django

django.setup()
from django.test import Client
from django.test.utils import setup_test_environment

from faultline.celery import app


def rss(field):
    return int(re.search(field + r":\s+(\d+) kB", open("/proc/self/status").read())[1]) * 1024


setup_test_environment()
app.conf.task_always_eager = True  # this process is the worker: the assembly runs here
org, token, path = sys.argv[1:4]
data = open(path, "rb").read()
checksum = hashlib.sha1(data).hexdigest()
client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
part = io.BytesIO(data)
part.name = checksum
assert client.post(f"/api/0/organizations/{org}/chunk-upload/", {"file": part}).status_code == 200
with open("/proc/self/clear_refs", "w") as clear:
    clear.write("5")  # the peak (VmHWM) starts again from the current RSS
before = rss("VmRSS")
body = json.dumps({"checksum": checksum, "chunks": [checksum], "projects": ["web"]})
url = f"/api/0/organizations/{org}/artifactbundle/assemble/"
replies = [client.post(url, body, content_type="application/json") for _ in range(2)]
grew = rss("VmHWM") - before
print(json.dumps({"grew": grew, "replies": [[r.status_code, r.json()] for r in replies]}))
"""


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", KINDS)
def test_a_bomb_is_refused_within_the_rss_bound(kind, bombs, live_env, org):
    Project.objects.create(organization=org, name="Web", slug="web")
    _, token = create_org_token(org, "ci")
    env = {**live_env, "DJANGO_SETTINGS_MODULE": "faultline.settings"}
    result = subprocess.run([sys.executable, "-c", WORKER, org.slug, token, str(bombs[kind])],
                            env=env, cwd=ROOT, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    _, last = report["replies"][-1]
    assert last["state"] == "error" and last["detail"], report
    assert report["grew"] < RSS_BOUND, f"peak RSS grew by {report['grew'] / MiB:.0f} MiB"
    assert not ArtifactBundle.objects.exists() and not UploadChunk.objects.exists()


# --- Chunks of failed assemblies, and the quota ----------------------------------------------


@pytest.fixture
def token(org):
    return create_org_token(org, "ci")[1]


@pytest.fixture
def web_project(org):
    return Project.objects.create(organization=org, name="Web", slug="web")


def post_chunks(client, org, chunks: list[bytes]):
    parts = []
    for chunk in chunks:
        part = io.BytesIO(chunk)
        part.name = sha1(chunk)
        parts.append(part)
    return client.post(f"/api/0/organizations/{org.slug}/chunk-upload/", {"file": parts})


def post_assemble(client, org, data: bytes):
    body = {"checksum": sha1(data), "chunks": [sha1(data)], "projects": ["web"]}
    response = client.post(f"/api/0/organizations/{org.slug}/artifactbundle/assemble/",
                           json.dumps(body), content_type="application/json")
    return response.json()


def run_pending() -> None:
    """What the worker does for every assembly the endpoint queued."""
    for pk in BundleAssembly.objects.values_list("pk", flat=True):
        upload.run_assembly(pk)


def test_a_failed_assembly_drops_its_chunks_so_a_retry_must_upload_again(org, token,
                                                                        web_project):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    broken = bundle_zip({"a.js.map": ("source_map", {}, b'{"version": 3, "mappings": 12')})
    assert post_chunks(client, org, [broken]).status_code == 200
    assert post_assemble(client, org, broken)["state"] == "created"
    run_pending()
    failed = post_assemble(client, org, broken)
    assert failed["state"] == "error" and "not a valid source map" in failed["detail"]
    assert not UploadChunk.objects.exists()
    assert PendingChunkUsage.objects.get(organization=org).pending_bytes == 0
    assert post_assemble(client, org, broken)["state"] == "error"  # a retry: still failed
    BundleAssembly.objects.update(updated_at=F("updated_at") - dt.timedelta(hours=1))
    again = post_assemble(client, org, broken)
    assert again == {"state": "not_found", "missingChunks": [sha1(broken)]}
    assert not ArtifactBundle.objects.exists()


def test_a_bundle_that_kept_killing_workers_is_failed(org, token, web_project, settings):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    good = bundle_zip({"a.js.map": ("source_map", {}, json.dumps(MAP).encode())})
    post_chunks(client, org, [good])
    assert post_assemble(client, org, good)["state"] == "created"
    # Three deliveries whose worker died mid-way left their count (and "assembling") behind.
    BundleAssembly.objects.update(attempts=settings.SOURCEMAPS_ASSEMBLE_ATTEMPTS,
                                  state="assembling")
    assert post_assemble(client, org, good)["state"] == "assembling"
    run_pending()
    failed = post_assemble(client, org, good)
    assert failed["state"] == "error" and "failed 3 times" in failed["detail"]
    assert not UploadChunk.objects.exists() and not ArtifactBundle.objects.exists()


def test_chunks_joining_past_the_bundle_size_are_an_error(org, token, web_project, settings):
    settings.SOURCEMAPS_CHUNK_SIZE, settings.SOURCEMAPS_MAX_BUNDLE_SIZE = 64, 1000
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    data = b"".join(hashlib.sha256(bytes([i])).digest() for i in range(32))  # 1,024 bytes
    chunks = [data[i : i + 64] for i in range(0, len(data), 64)]  # 16: the most allowed
    assert post_chunks(client, org, chunks).status_code == 200
    body = {"checksum": sha1(data), "chunks": [sha1(c) for c in chunks], "projects": ["web"]}
    url = f"/api/0/organizations/{org.slug}/artifactbundle/assemble/"
    assert client.post(url, body, content_type="application/json").json()["state"] == "created"
    run_pending()
    failed = client.post(url, body, content_type="application/json").json()
    assert failed["state"] == "error" and "over 1000 bytes" in failed["detail"]
    assert not UploadChunk.objects.exists()


def test_pending_chunks_are_held_to_the_organisation_quota(org, token, web_project, settings):
    settings.SOURCEMAPS_PENDING_CHUNKS_QUOTA = 3 * 1024
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    chunks = [bytes([i]) * 100 for i in range(4)]
    assert post_chunks(client, org, chunks[:3]).status_code == 200  # 1 KiB each, at least
    assert post_chunks(client, org, chunks[:1]).status_code == 200  # present: not charged again
    refused = post_chunks(client, org, chunks[3:])
    assert refused.status_code == 413 and "quota" in refused.json()["detail"]
    assert UploadChunk.objects.count() == 3
    assert PendingChunkUsage.objects.get(organization=org).pending_bytes == 3 * 1024

    from privacy import deletion

    UploadChunk.objects.update(created_at=F("created_at") - dt.timedelta(days=2))
    assert deletion.purge_expired()["upload_chunks"] == 3
    assert PendingChunkUsage.objects.get(organization=org).pending_bytes == 0
    assert post_chunks(client, org, chunks[3:]).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_the_quota_holds_under_concurrent_uploads(org, settings):
    settings.SOURCEMAPS_PENDING_CHUNKS_QUOTA = 10 * 1024
    _, token = create_org_token(org, "ci")
    statuses: list[int] = []

    def uploader(n: int) -> None:
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        for i in range(3):
            chunk = f"{n}-{i}".encode() * 10
            statuses.append(post_chunks(client, org, [chunk]).status_code)
        connections.close_all()

    threads = [threading.Thread(target=uploader, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(set(statuses)) == [200, 413] and statuses.count(200) == 10
    assert UploadChunk.objects.count() == 10
    assert PendingChunkUsage.objects.get(organization=org).pending_bytes == 10 * 1024


# --- The real sentry-cli and the real worker -------------------------------------------------


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_sentry_cli_waits_for_the_worker_and_a_bomb_fails_there(web, worker, tmp_path, org,
                                                                bombs):
    from tests.helpers import jsbuild
    from tests.helpers.sourcemaps import FIXTURES

    Project.objects.create(organization=org, name="Web", slug="web")
    _, token = create_org_token(org, "ci", url=web)
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "app.js").write_bytes((FIXTURES / "app.js").read_bytes())
    (dist / "app.js.map").write_bytes((FIXTURES / "app.js.map").read_bytes())
    assert jsbuild.run_cli(token, "sourcemaps", "inject", str(dist)).returncode == 0
    uploaded = jsbuild.run_cli(token, "sourcemaps", "upload", "--wait", "--org", org.slug,
                               "--project", "web", str(dist))
    assert uploaded.returncode == 0, uploaded.stdout + uploaded.stderr
    assert "File processing complete" in uploaded.stdout
    assert ArtifactBundle.objects.filter(organization=org, file_count=2).exists()

    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")  # queues to the real worker
    data = bombs["honest member"].read_bytes()
    assert post_chunks(client, org, [data]).status_code == 200
    assert post_assemble(client, org, data)["state"] == "created"
    failed = wait_for(lambda: (r := post_assemble(client, org, data))["state"] == "error" and r,
                      timeout=60, message="the worker to refuse the bomb")
    assert "expands more than" in failed["detail"]
    assert worker.popen.poll() is None and not UploadChunk.objects.exists()


def test_a_map_over_the_segment_limit_is_an_assemble_error(org, token, web_project, settings):
    settings.SOURCEMAPS_MAX_MAP_SEGMENTS = 1000
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    crowded = json.dumps({"version": 3, "sources": ["a.js"], "names": [],
                          "mappings": ",".join(["C"] * 1001)}).encode()
    data = bundle_zip({"a.js.map": ("source_map", {}, crowded)})
    assert post_chunks(client, org, [data]).status_code == 200
    assert post_assemble(client, org, data)["state"] == "created"
    run_pending()
    failed = post_assemble(client, org, data)
    assert failed["state"] == "error" and "over 1000" in failed["detail"], failed
    assert "segments" in failed["detail"] and not ArtifactBundle.objects.exists()
    settings.SOURCEMAPS_MAX_MAP_SEGMENTS = 2000  # the same map within the limit is stored
    assert post_chunks(client, org, [data]).status_code == 200
    BundleAssembly.objects.all().delete()
    post_assemble(client, org, data)
    run_pending()
    assert post_assemble(client, org, data)["state"] == "ok"
