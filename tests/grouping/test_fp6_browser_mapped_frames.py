"""faultline-fp-6 on browser events a source map resolved (real @sentry/browser events of the
mined browser codebases, lab/corpus/javascript-*, resolved with their releases' own maps,
lab/corpus/js-artifacts, found by the debug IDs the events carry): one fault reached from a
click handler, a timer, a promise and a direct call is one fingerprint, and so is one fault
whose library passes through more or fewer `<anonymous>` generator frames; different
application sites stay apart; minified events without a map hash as under faultline-fp-5."""

import copy
from pathlib import Path

import pytest

from grouping.fingerprint import FP5, FP6, _group, group, resolved_by_map
from ingest.normalize import normalize_event
from lab import corpus as lab_corpus
from monitor.models import Event
from sourcemaps.bundles import parse_debug_id
from sourcemaps.symbolicate import Artifact, resolve_event
from tests.helpers.events import decide, ingest
from tests.helpers.sourcemaps import bundle_zip

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "lab" / "corpus"

RENDER_CARD = ("planner-web", "planner-web/cards/renderCard:template:Error")
LIST_SERVICES = ("releases-web", "releases-web/manifest/listServices:text:TypeError")


def rows(codebase: str, label: str | None = None, with_maps: bool = True) -> list[dict]:
    """The mined rows of a bug (lab.corpus.site_label; every bug where None) in the releases
    built with maps, or in those built without."""
    return [row for row in lab_corpus.read_rows(CORPUS / f"javascript-{codebase}.jsonl.zst")
            if (label is None or lab_corpus.site_label(row) == label)
            and ("sourcemaps" in row) == with_maps]


def release_files(folder: Path) -> dict[tuple[str, str], tuple[str, bytes]]:
    """A release's files as sentry-cli uploads them: (debug ID, kind) → (name, content)."""
    files = {}
    for path in sorted((folder / "assets").iterdir()):
        content = path.read_bytes()
        marker = b"//# debugId=" if path.suffix == ".js" else b'"debugId":"'
        at = content.rfind(marker)
        debug_id = parse_debug_id(content[at + len(marker):at + len(marker) + 36].decode())
        kind = "source_map" if path.suffix == ".map" else "minified_source"
        files[(debug_id, kind)] = (path.name, content)
    return files


class ReleaseLoader:
    """The uploaded files of the releases, by debug ID (sourcemaps.symbolicate's Loader)."""

    def __init__(self, folders: set[Path]):
        self.files = {}
        for folder in folders:
            for key, (name, content) in release_files(folder).items():
                self.files[key] = Artifact(f"~/assets/{name}", content, {}, 1, name)

    def by_debug_id(self, debug_id, kind, content=True):
        return self.files.get((debug_id, kind))

    def by_url(self, urls, release, dist):
        return None

    def fetch(self, url, kind):
        return None, ""


def normalized(row: dict) -> dict:
    return normalize_event(copy.deepcopy(row["event"]), 1_700_000_000.0, "0" * 32)


def resolved(selected: list[dict]) -> list[dict]:
    """The rows' events as processing groups them: normalized, then resolved."""
    loader = ReleaseLoader({ROOT / row["sourcemaps"] for row in selected})
    events = []
    for row in selected:
        event = normalized(row)
        resolve_event(event, loader, 20)
        events.append(event)
    return events


def test_one_fault_from_every_entry_point_is_one_fingerprint():
    selected = rows(*RENDER_CARD)
    assert {row["entry"] for row in selected} >= {"click", "promise", "caught"}
    events = resolved(selected)
    assert all(resolved_by_map(e) for e in events)
    assert len({group(e, FP6).hash for e in events}) == 1
    # faultline-fp-5 read each entry point's frames: the handler, the route table's caller
    assert len({_group(e, FP5).hash for e in events}) >= 3


def test_library_generator_frames_without_a_file_do_not_split_one_fault():
    events = resolved(rows(*LIST_SERVICES))
    anonymous = [e for e in events if any(
        f.get("in_app") and f.get("filename") == "<anonymous>"
        for f in e["exception"][-1]["stacktrace"]["frames"])]
    assert anonymous and len(anonymous) < len(events)
    assert len({group(e, FP6).hash for e in events}) == 1


@pytest.mark.parametrize("codebase", ["signup-web", "releases-web"])
def test_different_application_sites_stay_apart(codebase):
    selected = rows(codebase)
    sites_of: dict[str, set[str]] = {}
    for row, event in zip(selected, resolved(selected), strict=True):
        function = lab_corpus.site_label(row).split(":", 1)[0]
        sites_of.setdefault(group(event, FP6).hash, set()).add(function)
    assert len(sites_of) > 5
    assert all(len(functions) == 1 for functions in sites_of.values())


def test_events_issues_were_made_for_find_them_again():
    """An installation that made issues under faultline-fp-5 finds them (PREVIOUS)."""
    for event in resolved(rows(*RENDER_CARD)):
        grouping = group(event)
        assert grouping.config == FP6
        assert grouping.previous_hash == _group(event, FP5).hash != grouping.hash


def test_minified_events_without_a_map_hash_as_before():
    for codebase, label in (RENDER_CARD, LIST_SERVICES):
        for row in rows(codebase, label, with_maps=False):
            event = normalized(row)
            assert not resolved_by_map(event)
            assert group(event).hash == _group(event, FP5).hash
            assert group(event).previous_hash is None or \
                group(event).previous_hash == _group(event, "faultline-fp-1").hash


def test_a_resolved_event_without_code_lines_hashes_as_before():
    """A map without sourcesContent gives names and places but no code line: coarse frames
    keep faultline-fp-5's reading (the message's template decides with them)."""
    for event in resolved(rows(*RENDER_CARD))[:4]:
        for exc in event["exception"]:
            for frame in exc["stacktrace"]["frames"]:
                for key in ("context_line", "pre_context", "post_context"):
                    frame.pop(key, None)
        assert group(event).hash == _group(event, FP5).hash


@pytest.mark.django_db
def test_uploaded_maps_make_one_issue_of_one_fault_through_processing(project, no_breaker):
    """The release's files uploaded as sentry-cli uploads them, the events through the real
    processing stage and ML decision: two entry points of one fault are one issue, another
    application site another."""
    from sourcemaps.models import BundleAssembly
    from sourcemaps.upload import assemble, run_assembly, sha1, store_chunk

    card = [row for row in rows(*RENDER_CARD) if row["release"] == "planner-web@1.1.0"]
    entries = {row["entry"]: row for row in card}
    other = next(row for row in rows("planner-web") if row["release"] == "planner-web@1.1.0"
                 and row["bug"].startswith("planner-web/times/"))
    files = release_files(ROOT / card[0]["sourcemaps"])
    data = bundle_zip({name: (kind, {"debug-id": str(debug_id)}, content)
                       for (debug_id, kind), (name, content) in files.items()})
    store_chunk(project.organization, sha1(data), data)
    body = {"checksum": sha1(data), "chunks": [sha1(data)], "projects": [project.slug]}
    assemble(project.organization, body)
    for pk in BundleAssembly.objects.values_list("pk", flat=True):
        run_assembly(pk)
    assert assemble(project.organization, body)["state"] == "ok"
    for row in (entries["click"], entries["promise"], other):
        ingest(project, row["event"])
        decide()
    events = list(Event.objects.filter(project=project).order_by("id"))
    assert len(events) == 3
    frames = events[0].data["exception"][-1]["stacktrace"]["frames"]
    assert any(f.get("filename") == "app/planner/cards.js" for f in frames)  # resolved
    assert events[0].issue_id == events[1].issue_id != events[2].issue_id
