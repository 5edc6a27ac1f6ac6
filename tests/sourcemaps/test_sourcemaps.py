"""sentry-cli's upload protocol, bundle validation and frame resolution.

The protocol tests use the Django test client; `test_sentry_cli_*` drive the real sentry-cli
binary against the web server with bundles built by the real esbuild."""

import gzip
import hashlib
import io
import json
import uuid

import pytest
from django.test import Client

from monitor.models import Organization, Project
from sourcemaps.models import ArtifactBundle, ArtifactFile, BundleAssembly, UploadChunk
from sourcemaps.symbolicate import Artifact, resolve_event
from sourcemaps.tokens import create_org_token
from sourcemaps.upload import run_assembly
from tests.helpers import jsbuild
from tests.helpers.browserpage import sign_in
from tests.helpers.sourcemaps import DEBUG_ID, MAP, MINIFIED, bundle_zip

pytestmark = pytest.mark.django_db


def sha1(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()  # noqa: S324


@pytest.fixture(autouse=True)
def small_chunks(settings):
    """64-byte chunks, so that small bundles span many chunks."""
    settings.SOURCEMAPS_CHUNK_SIZE = 64
    settings.SOURCEMAPS_MAX_BUNDLE_SIZE = 64 * 1024


@pytest.fixture
def token(org):
    return create_org_token(org, "ci")[1]


@pytest.fixture
def web_project(org):
    return Project.objects.create(organization=org, name="Web", slug="web", platform="javascript")


def client_for(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def upload(client, org, data: bytes, chunk_size=64, gzipped=True):
    chunks = [data[i : i + chunk_size] for i in range(0, len(data), chunk_size)]
    field = "file_gzip" if gzipped else "file"
    files = [io.BytesIO(gzip.compress(c) if gzipped else c) for c in chunks]
    for f, c in zip(files, chunks, strict=True):
        f.name = sha1(c)
    response = client.post(f"/api/0/organizations/{org.slug}/chunk-upload/", {field: files})
    return response, [sha1(c) for c in chunks]


def assemble(client, org, checksum, chunks, projects=("web",)):
    body = {"checksum": checksum, "chunks": chunks, "projects": list(projects)}
    return client.post(f"/api/0/organizations/{org.slug}/artifactbundle/assemble/",
                       json.dumps(body), content_type="application/json")


def assembled(client, org, checksum, chunks, projects=("web",)) -> dict:
    """Ask to assemble, do the worker's part (sourcemaps.tasks) for what was queued, and return
    the answer of the next poll."""
    first = assemble(client, org, checksum, chunks, projects).json()
    if first["state"] != "created":
        return first
    for pk in BundleAssembly.objects.values_list("pk", flat=True):
        run_assembly(pk)
    return assemble(client, org, checksum, chunks, projects).json()


def test_api_root_and_chunk_options_for_an_org_token(org, token):
    root = client_for(token).get("/api/0/").json()
    assert "project:releases" in root["auth"]["scopes"] and root["user"] is None
    options = client_for(token).get(f"/api/0/organizations/{org.slug}/chunk-upload/").json()
    assert options["chunkSize"] & (options["chunkSize"] - 1) == 0  # a power of two
    assert "artifact_bundles" in options["accept"] and options["hashAlgorithm"] == "sha1"
    assert options["compression"] == ["gzip"]
    assert options["url"].endswith(f"/api/0/organizations/{org.slug}/chunk-upload/")


def test_tokens_reach_only_their_organisation(org, token):
    other = Organization.objects.create(name="Other", slug="other")
    url = f"/api/0/organizations/{other.slug}/chunk-upload/"
    assert client_for(token).get(url).status_code == 403
    assert Client().get(url).status_code == 401
    assert client_for("sntrys_bogus_token").get(url).status_code == 401
    assert Client().get("/api/0/").json()["auth"] is None


def test_missing_chunks_are_reported_truthfully_and_assembly_reaches_ok(org, token, web_project):
    client = client_for(token)
    data = bundle_zip({"app.js": ("minified_source", {"debug-id": str(DEBUG_ID)}, MINIFIED),
                       "app.js.map": ("source_map", {"debug-id": str(DEBUG_ID)},
                                      json.dumps(MAP).encode())})
    chunks = [sha1(data[i : i + 64]) for i in range(0, len(data), 64)]
    first = assemble(client, org, sha1(data), chunks).json()
    assert first["state"] == "not_found" and first["missingChunks"] == list(dict.fromkeys(chunks))
    response, _ = upload(client, org, data[:128])  # two chunks only
    assert response.status_code == 200
    second = assemble(client, org, sha1(data), chunks).json()
    assert set(second["missingChunks"]) == set(chunks) - set(chunks[:2])
    upload(client, org, data)
    done = assembled(client, org, sha1(data), chunks)
    assert done == {"state": "ok", "missingChunks": []}
    assert assemble(client, org, sha1(data), chunks).json()["state"] == "ok"  # polled again
    files = ArtifactFile.objects.filter(project=web_project, debug_id=DEBUG_ID)
    assert sorted(files.values_list("kind", flat=True)) == ["minified_source", "source_map"]
    assert not UploadChunk.objects.exists()  # assembled chunks are not kept


def test_lies_and_malformed_maps_are_clear_errors(org, token, web_project):
    client = client_for(token)
    chunk = b"not what the name says"
    lying = io.BytesIO(chunk)
    lying.name = "0" * 40
    response = client.post(f"/api/0/organizations/{org.slug}/chunk-upload/", {"file": lying})
    assert response.status_code == 400 and "checksum" in response.json()["detail"]

    good = bundle_zip({"a.js.map": ("source_map", {}, json.dumps(MAP).encode())})
    _, chunks = upload(client, org, good)
    lied = assembled(client, org, "1" * 40, chunks)  # the bundle lies about its checksum
    assert lied["state"] == "error" and "checksum" in lied["detail"]

    broken = bundle_zip({"a.js.map": ("source_map", {}, b'{"version": 3, "mappings": 12')})
    _, chunks = upload(client, org, broken)
    response = assembled(client, org, sha1(broken), chunks)
    assert response["state"] == "error" and "not a valid source map" in response["detail"]

    _, chunks = upload(client, org, b"PK not a zip at all")
    response = assembled(client, org, sha1(b"PK not a zip at all"), chunks)
    assert response["state"] == "error" and "zip" in response["detail"]
    assert assemble(client, org, sha1(good), [sha1(good)], projects=["nope"]).status_code == 400
    assert not ArtifactBundle.objects.exists()


class DictLoader:
    def __init__(self, by_id=None, by_url=None):
        self.ids, self.urls, self.calls = by_id or {}, by_url or {}, 0

    def by_debug_id(self, debug_id, kind, content=True):
        self.calls += 1
        return self.ids.get((debug_id, kind))

    def by_url(self, urls, release, dist):
        self.calls += 1
        return next((self.urls[(u, release)] for u in urls if (u, release) in self.urls), None)

    def fetch(self, url, kind):
        return None, ""


def js_event(abs_path="http://shop.test/app.js", with_debug_meta=True, frames=3):
    frame = {"abs_path": abs_path, "filename": abs_path, "function": "b", "lineno": 1,
             "colno": 37, "in_app": True}
    event = {"platform": "javascript", "release": "shop@1",
             "exception": [{"type": "Error", "value": "boom 2",
                            "stacktrace": {"frames": [dict(frame) for _ in range(frames)]}}]}
    if with_debug_meta:
        event["debug_meta"] = {"images": [{"type": "sourcemap", "code_file": abs_path,
                                           "debug_id": str(DEBUG_ID)}]}
    return event


def artifacts():
    return {(DEBUG_ID, "source_map"): Artifact("~/app.js.map", json.dumps(MAP).encode(), {}, 1),
            (DEBUG_ID, "minified_source"): Artifact("~/app.js", MINIFIED, {}, 1)}


def test_debug_id_frames_resolve_to_original_source_once_per_map():
    event, loader = js_event(), DictLoader(artifacts())
    assert resolve_event(event, loader) == {1}
    frame = event["exception"][0]["stacktrace"]["frames"][-1]
    assert frame["filename"] == "src/boom.js" and frame["abs_path"] == "~/src/boom.js"
    assert (frame["lineno"], frame["colno"]) == (3, 9) and frame["function"] == "boom"
    assert frame["context_line"] == "  throw new Error('boom ' + y);"
    assert frame["pre_context"] == ["export function boom(x) {", "  const y = x + 1;"]
    assert frame["data"]["resolved_with"] == "debug_id"
    raw = event["exception"][0]["raw_stacktrace"]["frames"][-1]
    assert raw["abs_path"] == "http://shop.test/app.js" and raw["colno"] == 37
    assert loader.calls == 4  # ids, then content: one map and one minified file for three frames


def test_release_artifacts_by_url_are_the_fallback():
    urls = {("~/app.js", "shop@1"): Artifact("~/app.js", MINIFIED, {}, 7),
            ("~/app.js.map", "shop@1"): Artifact("~/app.js.map", json.dumps(MAP).encode(), {}, 7)}
    event = js_event(with_debug_meta=False)
    assert resolve_event(event, DictLoader(by_url=urls)) == {7}
    assert event["exception"][0]["stacktrace"]["frames"][0]["filename"] == "src/boom.js"


@pytest.mark.parametrize("loader", [
    DictLoader(),  # no map uploaded
    DictLoader({(DEBUG_ID, "source_map"): Artifact("~/a.map", b"{not json", {}, 1)}),
    DictLoader({(DEBUG_ID, "source_map"): Artifact("~/a.map", b'{"version":3,"sources":[],'
                                                   b'"names":[],"mappings":""}', {}, 1)}),
])
def test_a_missing_or_useless_map_leaves_the_frame_as_it_was(loader):
    event = js_event()
    before = json.loads(json.dumps(event))
    assert resolve_event(event, loader) == set()
    assert event == before


def test_a_map_parsed_in_this_process_is_not_read_again(org, token, web_project):
    from sourcemaps.parsed import ParsedMaps
    from sourcemaps.store import DbLoader

    class Counting(DbLoader):
        reads = 0

        def by_debug_id(self, debug_id, kind, content=True):
            found = super().by_debug_id(debug_id, kind, content)
            self.reads += bool(found and found.content)
            return found

    data = bundle_zip({"app.js": ("minified_source", {"debug-id": str(DEBUG_ID)}, MINIFIED),
                       "app.js.map": ("source_map", {"debug-id": str(DEBUG_ID)},
                                      json.dumps(MAP).encode())})
    client = client_for(token)
    _, chunks = upload(client, org, data)
    assert assembled(client, org, sha1(data), chunks)["state"] == "ok"
    loader, parsed = Counting(web_project.id), ParsedMaps(max_bytes=64 << 20)
    for _ in range(3):
        event = js_event()
        assert resolve_event(event, loader, parsed=parsed)
        assert event["exception"][0]["stacktrace"]["frames"][-1]["function"] == "boom"
    assert loader.reads == 2 and parsed.parses == 1  # the map and minified file, once


def test_processing_resolves_with_uploaded_bundles_and_groups_on_original_frames(
    org, token, web_project
):
    from ingest.processing import process_pending
    from monitor.models import Event
    from tests.helpers.processing import raw

    data = bundle_zip({"app.js": ("minified_source", {"debug-id": str(DEBUG_ID)}, MINIFIED),
                       "app.js.map": ("source_map", {"debug-id": str(DEBUG_ID)},
                                      json.dumps(MAP).encode())})
    client = client_for(token)
    _, chunks = upload(client, org, data)
    assert assembled(client, org, sha1(data), chunks)["state"] == "ok"
    raw(web_project, js_event())
    raw(web_project, js_event("https://cdn.test/assets/app.js"))  # other host: other raw path
    while process_pending(100):
        pass
    events = list(Event.objects.filter(project=web_project))
    assert len(events) == 2 and events[0].issue_id == events[1].issue_id
    stored = events[0].data
    assert stored["exception"][0]["stacktrace"]["frames"][0]["function"] == "boom"
    assert stored["debug_meta"]["images"][0]["debug_id"] == str(DEBUG_ID)
    assert stored["culprit"] == "src/boom.js in boom"


def test_a_map_that_writes_nul_resolves_into_storable_frames(org, token, web_project,
                                                             no_breaker):
    """A map's names are the uploader's bytes: Rollup's virtual modules are named with a
    leading NUL (`\\0commonjsHelpers.js`), which a map may keep among its sources. PostgreSQL
    stores no NUL: the resolved frame (the fingerprint's site file and function, the issue
    vector's text) holds none, so the event is stored and its ML decision goes through."""
    from embeddings.models import IssueEmbedding
    from ingest.models import RawEvent
    from monitor.models import Event, GroupHash
    from tests.helpers.events import decide
    from tests.helpers.processing import drain, raw

    web_project.grouping_mode = Project.GroupingMode.ML
    web_project.save()
    source = MAP["sourcesContent"][0].replace("+ y);", "+ y);\x00")
    written = {**MAP, "sources": ["\x00src/boom.js"], "sourcesContent": [source],
               "names": [f"{name}\x00" for name in MAP["names"]]}
    data = bundle_zip({"app.js": ("minified_source", {"debug-id": str(DEBUG_ID)}, MINIFIED),
                       "app.js.map": ("source_map", {"debug-id": str(DEBUG_ID)},
                                      json.dumps(written).encode())})
    client = client_for(token)
    _, chunks = upload(client, org, data)
    assert assembled(client, org, sha1(data), chunks)["state"] == "ok"
    raw(web_project, js_event())
    drain()
    assert list(RawEvent.objects.values_list("last_error", flat=True)) == []
    frame = Event.objects.get(project=web_project).data["exception"][0]["stacktrace"][
        "frames"][-1]
    assert (frame["filename"], frame["function"]) == ("src/boom.js", "boom")
    assert "\x00" not in frame["context_line"]
    decide()
    fingerprint = GroupHash.objects.get(project=web_project)
    assert (fingerprint.site_function, fingerprint.site_file) == ("boom", "boom.js")
    assert fingerprint.ml_state == GroupHash.MLState.DONE
    assert IssueEmbedding.objects.filter(issue_id=fingerprint.issue_id).exists()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_sentry_cli_inject_and_upload_then_browser_events_resolve(web, worker, tmp_path):
    """The acceptance path: esbuild bundles for two releases, real debug IDs from
    `sentry-cli sourcemaps inject`, `sentry-cli sourcemaps upload` against the web server with an
    org token; then events from @sentry/browser in Chromium resolve to the original source."""
    pytest.importorskip("playwright")
    from tests.helpers.browser import CHROMIUM

    org = Organization.objects.create(name="Shop Co", slug="shopco")
    project = Project.objects.create(organization=org, name="Front", slug="front",
                                     grouping_mode=Project.GroupingMode.FINGERPRINT)
    key = project.keys.get()
    dsn = f"http://{key.public_key}@{web.split('://', 1)[1]}/{project.id}"
    _, token = create_org_token(org, "ci", url=web)
    assert jsbuild.run_cli(token, "info").returncode == 0
    dists = {}
    for release, padding in (("shop@1.0.0", 0), ("shop@2.0.0", 7)):
        dist = jsbuild.build_browser_bundle(tmp_path / release, dsn, release, padding)
        injected = jsbuild.run_cli(token, "sourcemaps", "inject", str(dist))
        assert injected.returncode == 0, injected.stderr
        uploaded = jsbuild.run_cli(token, "sourcemaps", "upload", "--wait", "--org", org.slug,
                                   "--project", project.slug, str(dist))
        assert uploaded.returncode == 0, uploaded.stdout + uploaded.stderr
        again = jsbuild.run_cli(token, "sourcemaps", "upload", "--org", org.slug,
                                "--project", project.slug, str(dist))
        assert again.returncode == 0 and "Nothing to upload" in again.stdout, again.stdout
        dists[release] = dist
    assert ArtifactBundle.objects.filter(organization=org).count() == 2
    assert ArtifactFile.objects.filter(project=project, kind="source_map").count() == 2

    from pathlib import Path

    from tests.conftest import wait_for
    from tests.helpers.browserpage import browse_and_capture

    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed")
    for release, dist in dists.items():
        browse_and_capture(dist, CHROMIUM, feedback=release == "shop@2.0.0")
    from attachments.models import Attachment
    from feedback.models import UserFeedback
    from monitor.models import Event

    wait_for(lambda: Event.objects.filter(project=project).count() == 3, timeout=90,
             message="three browser events processed")
    checkout_events = Event.objects.filter(project=project, title__contains="cart is empty")
    for event in checkout_events:
        exc = event.data["exception"][-1]
        top = exc["stacktrace"]["frames"][-1]
        padding = 6 if event.release == "shop@2.0.0" else 0  # 7 lines replace 1
        assert top["filename"].endswith("src/cart.js"), top
        assert top["function"] == "averagePrice" and top["lineno"] == 5 + padding, top
        assert top["context_line"].strip().startswith('throw new Error("cart is empty'), top
        assert exc["raw_stacktrace"]["frames"][-1]["filename"].endswith("/app.min.js")
        assert dict(event.tags)["browser.name"] in ("HeadlessChrome", "Chrome")
    assert len({e.issue_id for e in checkout_events}) == 1

    # @sentry/browser's attachment and feedback items, on the event and its issue.
    reported = Event.objects.get(project=project, title__contains="with feedback")
    attachment = Attachment.objects.get(project=project, event_id=reported.event_id)
    assert attachment.name == "cart.json" and bytes(attachment.data) == b'{"items":[]}'
    said = UserFeedback.objects.get(project=project)
    assert said.event_id == reported.event_id and said.name == "Ada"
    assert said.comments == "The checkout button does nothing" and said.source == "feedback"
    screenshot_issue_pages(web, org, project, CHROMIUM, checkout_events[0], reported)


def screenshot_issue_pages(web, org, project, chromium, resolved, reported):
    """Signed in as an owner: the issue page shows original source with the minified frames a
    click away, attachments and feedback; screenshots for review in tests/artifacts/."""
    from django.contrib.auth import get_user_model
    from playwright.sync_api import sync_playwright

    from monitor.models import Membership
    from tests.helpers.browser import ARTIFACTS
    from tests.helpers.browserpage import ARGS

    user = get_user_model().objects.create_user("jsowner", password="pw-jsowner-123")
    Membership.objects.create(user=user, organization=org, role="owner")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=ARGS)
        for width, height in ((1400, 900), (390, 844)):
            page = browser.new_page(viewport={"width": width, "height": height})
            sign_in(page, web, "jsowner", "pw-jsowner-123")
            page.goto(f"{web}/{org.slug}/{project.slug}/issues/{resolved.issue_id}/")
            frames = page.inner_text(".frames")
            assert "src/cart.js" in frames and 'throw new Error("cart is empty' in frames
            assert not page.is_visible(".raw-frames .frame")
            page.click(".raw-frames summary")  # the minified frames, one click away
            assert "app.min.js" in page.inner_text(".raw-frames")
            page.screenshot(path=ARTIFACTS / f"js-issue-{width}.png", full_page=True)
            page.goto(f"{web}/{org.slug}/{project.slug}/issues/{reported.issue_id}/")
            assert "cart.json" in page.inner_text("#attachments")
            assert "The checkout button does nothing" in page.inner_text("#feedback")
            page.screenshot(path=ARTIFACTS / f"js-feedback-{width}.png", full_page=True)
            page.goto(f"{web}/{org.slug}/settings/")
            assert "sntrys_" in page.inner_text("#auth-tokens")
            page.screenshot(path=ARTIFACTS / f"js-org-settings-{width}.png", full_page=True)
            page.goto(f"{web}/{org.slug}/projects/new/")
            page.screenshot(path=ARTIFACTS / f"js-new-project-{width}.png", full_page=True)
            page.close()
        browser.close()


def uploaded_bundle(org, token, projects=("web",)) -> bytes:
    data = bundle_zip({"app.js.map": ("source_map", {"debug-id": str(DEBUG_ID)},
                                      json.dumps(MAP).encode())})
    client = client_for(token)
    _, chunks = upload(client, org, data)
    assert assembled(client, org, sha1(data), chunks, projects)["state"] == "ok"
    return data


def test_project_deletion_and_retention_remove_bundles(org, token, web_project):
    import datetime as dt

    from django.utils import timezone

    from privacy import deletion

    api = Project.objects.create(organization=org, name="Api", slug="api")
    uploaded_bundle(org, token, projects=("web", "api"))
    counts = deletion.purge_project(web_project.id)
    assert counts["artifact_files"] == 1 and counts["artifact_bundles"] == 0  # api still uses it
    assert ArtifactFile.objects.filter(project=api).count() == 1
    ArtifactBundle.objects.update(last_used_at=timezone.now() - dt.timedelta(days=91))
    UploadChunk.objects.create(organization=org, checksum="f" * 40, data=b"x")
    UploadChunk.objects.update(created_at=timezone.now() - dt.timedelta(days=2))
    counts = deletion.purge_expired()
    assert counts["artifact_bundles"] == 1 and counts["upload_chunks"] == 1
    assert not ArtifactFile.objects.exists()


def test_owners_create_and_revoke_org_tokens_in_the_settings_page(org):
    from django.contrib.auth import get_user_model

    from monitor.models import Membership

    owner = get_user_model().objects.create_user("alice", password="pw-alice-123")
    Membership.objects.create(user=owner, organization=org, role="owner")
    web = Client()
    web.force_login(owner)
    page = web.post(f"/{org.slug}/settings/tokens/", {"action": "create", "name": "CI"})
    token = page.content.decode().split('id="new-token">')[1].split("<")[0]
    assert token.startswith("sntrys_") and client_for(token).get("/api/0/").json()["auth"]
    settings_page = web.get(f"/{org.slug}/settings/").content.decode()
    assert 'id="auth-tokens"' in settings_page and token[-4:] in settings_page
    row = org.auth_tokens.get()
    web.post(f"/{org.slug}/settings/tokens/", {"action": "revoke", "token": row.id})
    revoked = client_for(token).get(f"/api/0/organizations/{org.slug}/chunk-upload/")
    assert revoked.status_code == 401


def test_a_hostile_event_costs_a_bounded_number_of_lookups():
    event = js_event(with_debug_meta=False)
    event["exception"][0]["stacktrace"]["frames"] = [
        {"abs_path": f"http://x.test/{i}.js", "lineno": 1, "colno": 1} for i in range(250)]
    loader = DictLoader()
    resolve_event(event, loader, max_maps=20)
    assert loader.calls <= 40  # at most two lookups (file, then map) per file tried


@pytest.fixture(scope="module")
def node_names(tmp_path_factory):
    """A real esbuild bundle of tests/js/app/names for Node, debug IDs injected by the real
    sentry-cli, and the events its real @sentry/node sends (normalized as ingest stores them)."""
    from ingest.normalize import normalize_event

    dist = jsbuild.build_names_bundle(tmp_path_factory.mktemp("names"), "node.js", "names@1")
    injected = jsbuild.run_cli("unused", "sourcemaps", "inject", str(dist))
    assert injected.returncode == 0, injected.stderr
    sent = jsbuild.node_events(dist / "app.min.js")
    assert len(sent) == 3
    debug_id = uuid.UUID(json.loads((dist / "app.min.js.map").read_text())["debugId"])
    loader = DictLoader({
        (debug_id, "source_map"): Artifact("~/app.min.js.map",
                                           (dist / "app.min.js.map").read_bytes(), {}, 1),
        (debug_id, "minified_source"): Artifact("~/app.min.js",
                                                (dist / "app.min.js").read_bytes(), {}, 1)})
    return [normalize_event(e, 0.0, uuid.uuid4().hex) for e in sent], loader


def by_value(events, text):
    return next(e for e in events if text in e["exception"][-1]["value"])


def test_every_frame_kind_of_a_real_node_bundle_gets_its_original_name(node_names):
    sent, loader = node_names
    events = json.loads(json.dumps(sent))
    for event in events:
        assert resolve_event(event, loader) == {1}
    marked = []
    for event in events:
        for frame in event["exception"][-1]["stacktrace"]["frames"]:
            mark = jsbuild.frame_mark(frame)
            if mark:
                marked.append((mark, frame["function"]))
                assert frame["pre_context"] and frame["post_context"], frame
    kinds = {kind for (kind, _), _ in marked}
    assert kinds == {"async", "function", "default", "object", "method", "arrow"}
    assert [(name, got) for (_, name), got in marked if got != name] == []
    assert len(marked) == 17
    # The module's top level (`main();`) has no function: it keeps the minified name, and the
    # minified frame says the name was not resolved.
    exc = events[0]["exception"][-1]
    top = [(f, raw) for f, raw in zip(exc["stacktrace"]["frames"], exc["raw_stacktrace"]["frames"],
                                      strict=True) if f.get("context_line") == "main();"]
    assert len(top) == 1 and top[0][0]["data"]["function_from"] == "minified"
    assert top[0][0]["function"] == top[0][1]["function"] == "Object.?"
    assert top[0][1]["data"]["function_unresolved"] is True


def test_maps_are_parsed_once_per_process_within_a_byte_budget(node_names):
    from sourcemaps.parsed import ParsedMaps

    sent, loader = node_names
    parsed = ParsedMaps(max_bytes=256 << 20)
    for event in json.loads(json.dumps(sent)) * 2:
        resolve_event(event, loader, parsed=parsed)
    assert parsed.parses == 1 and len(parsed.entries) == 1
    small = ParsedMaps(max_bytes=1 << 20)  # this map does not fit: parsed per event, not kept
    for event in json.loads(json.dumps(sent)):
        resolve_event(event, loader, parsed=small)
    assert small.parses == 3 and not small.entries and small.used == 0


def test_an_event_holds_its_maps_within_its_byte_budget(node_names):
    from sourcemaps.parsed import ParsedMaps, estimated_cost

    sent, loader = node_names
    source_map, minified = (next(a.content for (_, k), a in loader.ids.items() if k == kind)
                            for kind in ("source_map", "minified_source"))
    full, bare = estimated_cost(source_map, minified), estimated_cost(source_map, minified, False)
    assert bare < full
    # Room for the map but not its scope index: frames resolve, named from call sites.
    events, parsed = json.loads(json.dumps(sent)), ParsedMaps(max_bytes=1 << 30)
    for event in events:
        resolve_event(event, loader, parsed=parsed, max_bytes=full - 1)
    entry = next(iter(parsed.entries.values()))
    assert entry.scopes is None and entry.cost == bare and parsed.used == bare
    frames = [f for e in events for f in e["exception"][-1]["stacktrace"]["frames"]]
    assert {f["data"]["function_from"] for f in frames if "sourcemap" in f.get("data", {})} \
        <= {"callsite", "minified"}
    assert sum(f.get("filename", "").startswith("src/") for f in frames) > 10
    # No room for the map: every frame stays as sent and says why.
    events = json.loads(json.dumps(sent))
    for event in events:
        resolve_event(event, loader, max_bytes=bare - 1)
    assert events == [_marked(e) for e in json.loads(json.dumps(sent))]


def _marked(event: dict) -> dict:
    from sourcemaps.symbolicate import OVER_BUDGET

    for exc in event["exception"]:
        for frame in exc["stacktrace"]["frames"]:
            if frame.get("abs_path", "").endswith("app.min.js"):
                frame["data"] = {**frame.get("data", {}), "sourcemap_unresolved": OVER_BUDGET}
    return event


def test_minified_error_classes_get_their_declared_names(node_names):
    sent, loader = node_names
    events = json.loads(json.dumps(sent))
    for event in events:
        resolve_event(event, loader)
    missing = by_value(events, "no such sku")["exception"][-1]
    invalid = by_value(events, "bad discount code")["exception"][-1]
    builtin = by_value(events, "reading 'reduce'")["exception"][-1]
    assert (missing["type"], invalid["type"], builtin["type"]) == (
        "NotFoundError", "ValidationError", "TypeError")
    assert missing["minified_type"] not in ("NotFoundError", "") and "minified_type" not in builtin


def test_a_declared_class_named_with_nul_resolves_into_a_storable_type(node_names):
    """A map's `names` are the uploader's bytes: a class renamed to a name with a NUL would
    make an exception type PostgreSQL refuses (the issue vector's key and text)."""
    sent, loader = node_names
    (debug_id, _), artifact = next((key, a) for key, a in loader.ids.items()
                                   if key[1] == "source_map")
    written = json.loads(artifact.content)
    written["names"] = [f"{name}\x00" for name in written["names"]]
    hostile = DictLoader({**loader.ids, (debug_id, "source_map"): Artifact(
        artifact.url, json.dumps(written).encode(), {}, 1)})
    events = json.loads(json.dumps(sent))
    for event in events:
        resolve_event(event, hostile)
    missing = by_value(events, "no such sku")["exception"][-1]
    assert missing["type"] == "NotFoundError"


def test_a_minified_file_that_crashes_the_scope_parser_costs_only_its_names():
    """Thousands of nested brackets overflow swc's stack (a segfault no `except` catches):
    the scope index is tried in a bounded child first, and the frame still resolves its
    position, keeping the minified function name."""
    hostile = MINIFIED.split(b"\n")[0] + b"x=" + b"(" * 20000 + b"1" + b")" * 20000 + b";\n"
    loader = DictLoader({**artifacts(),
                         (DEBUG_ID, "minified_source"): Artifact("~/app.js", hostile, {}, 1)})
    event = js_event()
    assert resolve_event(event, loader) == {1}
    frame = event["exception"][0]["stacktrace"]["frames"][-1]
    assert frame["filename"] == "src/boom.js" and frame["lineno"] == 3
    assert frame["function"] == "b" and frame["data"]["function_from"] == "minified"


def test_a_map_that_points_past_its_source_leaves_the_frame_as_it_was():
    lying = {**MAP, "mappings": "AAoPA,SAASA"}  # line 500 of a five-line source
    loader = DictLoader({(DEBUG_ID, "source_map"): Artifact("~/app.js.map",
                                                            json.dumps(lying).encode(), {}, 1),
                         (DEBUG_ID, "minified_source"): Artifact("~/app.js", MINIFIED, {}, 1)})
    event = js_event()
    for frame in event["exception"][0]["stacktrace"]["frames"]:
        frame["colno"] = 1
    before = json.loads(json.dumps(event))
    assert resolve_event(event, loader) == set()
    assert event == before


def test_huge_names_are_cut_to_the_name_limit():
    huge = {**MAP, "names": ["n" * 100_000 + str(i) for i in range(len(MAP["names"]))]}
    loader = DictLoader({(DEBUG_ID, "source_map"): Artifact("~/app.js.map",
                                                            json.dumps(huge).encode(), {}, 1),
                         (DEBUG_ID, "minified_source"): Artifact("~/app.js", MINIFIED, {}, 1)})
    event = js_event()
    assert resolve_event(event, loader) == {1}
    frame = event["exception"][0]["stacktrace"]["frames"][-1]
    assert frame["function"].startswith("nnn") and len(frame["function"]) == 512


def test_the_scope_index_is_built_within_its_time_and_memory_bounds(node_names):
    from sourcemaps.parsed import build_scopes

    _, loader = node_names
    source_map, minified = (a.content for a in loader.ids.values())
    assert build_scopes(minified, source_map) is not None
    assert build_scopes(minified, source_map, seconds=0.001) is None  # killed at the deadline
    assert build_scopes(minified, source_map, memory=1 << 20) is None  # allocation refused


def test_the_map_reference_is_found_before_a_debug_id_comment():
    """sentry-cli inject appends `//# debugId=…` after the bundler's sourceMappingURL line."""
    injected = MINIFIED + f"\n//# debugId={DEBUG_ID}\n".encode()
    urls = {("~/app.js", "shop@1"): Artifact("~/app.js", injected, {}, 7),
            ("~/app.js.map", "shop@1"): Artifact("~/app.js.map", json.dumps(MAP).encode(), {}, 7)}
    event = js_event(with_debug_meta=False)
    assert resolve_event(event, DictLoader(by_url=urls)) == {7}
    assert event["exception"][0]["stacktrace"]["frames"][0]["function"] == "boom"


def test_a_frame_path_that_is_not_a_url_leaves_the_event_as_sent():
    """`http://[x/…` makes urlsplit raise: the release lookup must not fail the event."""
    event = js_event("http://[broken/app.js", with_debug_meta=False)
    before = json.loads(json.dumps(event))
    assert resolve_event(event, DictLoader(by_url={})) == set()
    assert event == before
