"""Browser events a source map resolved, on the choice browser codebases only (lab/corpus/
javascript-*, releases built with maps, maps uploaded; report-only codebases are never read):
what splits and merges one bug under the served decision, and the readings of faultline-fp-6
(docs/javascript.md, "Resolved browser events by their application frames") chosen leaving
each codebase out.

Each event is normalized and resolved as processing does (bench/minified_js.py's loader, by
debug ID), then grouped by training.metrics.prepare and decided by the shipped manifest's
thresholds, key rules and conflict thresholds (metrics.simulate_ml). Candidates:

- `today`: faultline-fp-5's reading (fp-6 before this change, for browser events);
- `entry`: the application frames from the innermost dispatch only (application_frames);
- `anon`: the file-less in-app frames below the mapped ones left out only (mapped_frames);
- `both`: both (faultline-fp-6, served);
- `both+callee`, `entry+callee`: with the name of the library function the crash statement
  called as a further component.

Each choice codebase in turn is left out; the candidate with the best B-cubed F1 among those
whose pair precision on the other codebases, pooled, is at least today's is chosen, and the
left-out codebase is scored under it.

With `--replay CODEBASE ...`, those codebases' releases with maps go through the real pipeline
instead (lab.replay's embedded database, a fresh project each): each release's files uploaded
as sentry-cli uploads them (chunk, assemble), every event stored raw, processed (resolved by
debug ID) and decided before the next; the issues read back are scored, and compared with the
simulation under the served reading (`moved`: events whose issue holds other events live than
simulated). A report-only codebase is read only when named here.

    .venv/bin/python bench/resolved_js.py [--replay planner-web ...]
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import io
import json
import os
import sys
import zipfile
from collections import Counter, defaultdict
from itertools import combinations

from common import ROOT

CORPUS = ROOT / "lab" / "corpus"
CANDIDATES = ("today", "entry", "anon", "both", "both+callee", "entry+callee")


def grouper(candidate: str):
    """The fingerprint function of a candidate (browser events only)."""
    from grouping import fingerprint as fp

    def anon_frames(event: dict) -> dict:
        event = copy.deepcopy(event)
        for exc in event.get("exception") or []:
            stack = exc.get("stacktrace") or {}
            if stack.get("frames"):
                stack["frames"] = fp.mapped_frames(stack["frames"])
        return event

    def callee(event: dict) -> str:
        from grouping.clean import map_applied, names_a_file

        names = []
        for exc in event.get("exception") or []:
            frames = (exc.get("stacktrace") or {}).get("frames") or []
            mapped = [i for i, f in enumerate(frames)
                      if f.get("in_app") and map_applied(f) and names_a_file(f)]
            after = frames[mapped[-1] + 1:] if mapped else []
            names.append(fp.callee_name(after[0]) if after else "")
        return "|".join(names)

    def entry_only(event: dict):
        served = fp.mapped_frames
        fp.mapped_frames = lambda frames: frames
        try:
            return fp.group(event)
        finally:
            fp.mapped_frames = served

    base = {"today": lambda e: fp._group(e, fp.FP5),
            "entry": entry_only,
            "anon": lambda e: fp._group(anon_frames(e) if fp.resolved_by_map(e) else e, fp.FP5),
            "both": fp.group}[candidate.split("+")[0]]
    if not candidate.endswith("+callee"):
        return base

    def with_callee(event: dict):
        grouping = base(event)
        return dataclasses.replace(grouping, hash=f"{grouping.hash}:{callee(event)}")
    return with_callee


def causes(data, issues) -> tuple[Counter, dict[str, set]]:
    """Extra issues of a bug by what parts them from its largest issue (today's components),
    and the pairs of bugs one issue holds, by whether one fingerprint holds them."""
    from grouping import fingerprint as fp

    comps = [fp._group(e, fp.FP5).components for e in data.events]
    by_bug: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for i, (label, issue) in enumerate(zip(data.labels, issues, strict=True)):
        by_bug[label][issue].append(i)
    extra: Counter = Counter()

    def own(frames):
        return [c for c in frames if not c.startswith("frame:<anonymous>")]

    for clusters in by_bug.values():
        main = max(clusters.values(), key=len)
        for members in clusters.values():
            if members is main:
                continue
            a, b = comps[main[0]], comps[members[0]]
            fa = [c for c in a if c.startswith("frame:")]
            fb = [c for c in b if c.startswith("frame:")]
            if [c for c in a if c.startswith("type:")] != [c for c in b if c.startswith("type:")]:
                extra["exception type"] += 1
            elif own(fa)[-1:] != own(fb)[-1:]:
                extra["another statement of the site"] += 1
            else:
                entry = own(fa)[:-1] != own(fb)[:-1]
                anon = [c for c in fa if c not in own(fa)] != [c for c in fb if c not in own(fb)]
                extra[" + ".join(n for n, on in (("entry point", entry),
                                                 ("library <anonymous> frames", anon)) if on)
                      or "ML kept one fingerprint's text apart"] += 1
    merged: dict[str, set] = defaultdict(set)
    for issue in set(issues):
        members = [i for i, x in enumerate(issues) if x == issue]
        for i, j in combinations(members, 2):
            if data.labels[i] != data.labels[j]:
                kind = "one fingerprint" if data.hashes[i] == data.hashes[j] else "ML join"
                merged[kind].add(tuple(sorted((data.labels[i], data.labels[j]))))
    return extra, merged


def upload_release(project, folder) -> None:
    """A release's files as sentry-cli uploads them: one bundle by debug ID, assembled."""
    from minified_js import FolderLoader

    from sourcemaps.models import BundleAssembly
    from sourcemaps.upload import assemble, run_assembly, sha1, store_chunk

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:  # manifest.json + files/<path>, as sentry-cli
        manifest: dict = {"files": {}, "attributes": {}}
        for (debug_id, kind), artifact in FolderLoader([folder]).files.items():
            name = artifact.url.removeprefix("~/")
            manifest["files"][name] = {"url": artifact.url, "type": kind,
                                       "headers": {"debug-id": str(debug_id)}}
            archive.writestr(f"files/{name}", artifact.content)
        archive.writestr("manifest.json", json.dumps(manifest))
    data = out.getvalue()
    store_chunk(project.organization, sha1(data), data)
    body = {"checksum": sha1(data), "chunks": [sha1(data)], "projects": [project.slug]}
    assemble(project.organization, body)
    for pk in BundleAssembly.objects.filter(state=BundleAssembly.State.CREATED) \
            .values_list("pk", flat=True):
        run_assembly(pk)
    assert assemble(project.organization, body)["state"] == "ok", folder


def replay(codebases: list[str]) -> int:
    """The named codebases' releases with maps through the real pipeline (module docstring)."""
    from lab.replay import local_database

    with local_database(ROOT / "var" / "replay-browser"):
        import uuid

        import numpy as np
        from django.conf import settings

        settings.EMBEDDING_MODEL = "shipped"
        from embeddings import shipped
        from embeddings.encoder import Encoder, current_spec
        from grouping import ml
        from ingest.accept import store_raw_event
        from ingest.processing import process_pending
        from lab import corpus as lab_corpus
        from lab.never_seen import moved
        from monitor.models import Event, Organization, Project
        from training import metrics
        from training.evaluate import keyed

        choices = shipped.load().choices
        encoder = Encoder(current_spec())
        for codebase in codebases:
            path = CORPUS / f"javascript-{codebase}.jsonl.zst"
            rows = [r for r in lab_corpus.read_rows(path) if "sourcemaps" in r]
            slug = f"replay-{uuid.uuid4().hex[:8]}"
            org = Organization.objects.create(name=slug, slug=slug)
            project = Project.objects.create(organization=org, name=slug, slug=slug,
                                             grouping_mode=Project.GroupingMode.ML)
            for folder in sorted({ROOT / r["sourcemaps"] for r in rows}):
                upload_release(project, folder)
            ids = []
            for row in rows:
                ids.append(uuid.uuid4())
                store_raw_event(project.id, ids[-1], "event", json.dumps(row["event"]).encode())
                while process_pending(100):
                    pass
                ml.drain(wait_ms=0)
            stored = {e.event_id: e for e in Event.objects.filter(project=project)}
            live = [stored[i].issue_id for i in ids]
            events = [stored[i].data for i in ids]
            labels = [lab_corpus.site_label(r) for r in rows]
            data = keyed(metrics.prepare([{**r, "bug": label, "event": event,
                                           "normalized": True}
                                          for r, label, event in zip(rows, labels, events,
                                                                     strict=True)]),
                         choices["key_rules"])
            vecs = np.asarray(encoder.encode(data.texts))
            simulated = metrics.simulate_ml(data, vecs, choices["thresholds"],
                                            conflict=choices["conflict_thresholds"] or None)
            s = metrics.score(labels, live)
            role = " (report-only)" if lab_corpus.is_report_only(codebase) else ""
            print(f"  live {codebase}{role}: {len(rows)} events, bugs {s.bugs}, "
                  f"{s.issues_per_bug:.2f}x P {s.pairwise_precision:.3f} F1 {s.bcubed_f1:.3f}; "
                  f"moved against simulated {moved(live, simulated)}", flush=True)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--replay", nargs="+", default=[],
                        help="these codebases through the real pipeline (module docstring)")
    args = parser.parse_args()
    if args.replay:
        return replay(args.replay)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "faultline.settings")
    os.environ.setdefault("DATABASE_URL", "postgresql://unused@/unused")
    import django

    django.setup()
    import numpy as np
    from django.conf import settings

    settings.EMBEDDING_MODEL = "shipped"
    from minified_js import FolderLoader, resolved

    from embeddings import shipped
    from embeddings.encoder import Encoder, current_spec
    from lab import corpus as lab_corpus
    from sourcemaps.parsed import ParsedMaps
    from training import metrics
    from training.evaluate import keyed

    choices = shipped.load().choices
    thresholds, key_rules = choices["thresholds"], choices["key_rules"]
    conflicts = choices["conflict_thresholds"] or None
    parsed = ParsedMaps(512 << 20)
    rows_of: dict[str, list[dict]] = {}
    for path in sorted(CORPUS.glob("javascript-*.jsonl.zst")):
        codebase = path.name.removeprefix("javascript-").removesuffix(".jsonl.zst")
        if lab_corpus.is_report_only(codebase):
            continue  # never read here
        rows = [r for r in lab_corpus.read_rows(path) if "sourcemaps" in r]
        loader = FolderLoader(sorted({ROOT / r["sourcemaps"] for r in rows}))
        rows_of[codebase] = []
        for index, row in enumerate(rows):
            event = metrics.normalize_event(row["event"], 1_700_000_000.0 + index,
                                            f"{index:032x}")
            event, _ = resolved(event, loader, parsed)
            rows_of[codebase].append({**row, "bug": lab_corpus.site_label(row), "event": event,
                                      "normalized": True})
    encoder = Encoder(current_spec())
    prepared = {}
    served_group = metrics.group
    for candidate in CANDIDATES:
        metrics.group = grouper(candidate)
        try:
            for codebase, rows in rows_of.items():
                data = keyed(metrics.prepare(rows, scope=codebase), key_rules)
                prepared[(candidate, codebase)] = (data, encoder.encode(data.texts))
        finally:
            metrics.group = served_group

    def scored(candidate: str, codebases: list[str]):
        data = metrics.concat([prepared[(candidate, c)][0] for c in codebases])
        vecs = np.concatenate([prepared[(candidate, c)][1] for c in codebases])
        issues = metrics.simulate_ml(data, vecs, thresholds, conflict=conflicts)
        return data, issues, metrics.score(data.labels, issues), \
            metrics.score(data.labels, data.hashes)

    def line(ml, fp) -> str:
        return (f"ml {ml.issues_per_bug:.2f}x P {ml.pairwise_precision:.3f} F1 {ml.bcubed_f1:.3f}"
                f" | fingerprint {fp.issues_per_bug:.2f}x P {fp.pairwise_precision:.3f} "
                f"F1 {fp.bcubed_f1:.3f}")

    codebases = sorted(rows_of)
    print("served decision, releases with maps, maps uploaded (choice codebases only):")
    for candidate in CANDIDATES:
        for codebase in [*codebases, None]:
            _, _, ml, fp = scored(candidate, [codebase] if codebase else codebases)
            print(f"  {candidate:<13} {codebase or 'POOLED':<15} {line(ml, fp)}")
    for candidate in ("today", "both"):
        print(f"\n{candidate}: extra issues and merged bug pairs by cause")
        for codebase in codebases:
            data, issues, ml, _ = scored(candidate, [codebase])
            extra, merged = causes(data, issues)
            print(f"  {codebase:<15} bugs {ml.bugs} issues {ml.issues}; extra {dict(extra)}; "
                  f"merged bug pairs {({k: len(v) for k, v in merged.items()})}")
    print("\nleave one codebase out (best F1 among pair P on the others >= today's):")
    for codebase in codebases:
        others = [c for c in codebases if c != codebase]
        on_others = {c: scored(c, others)[2] for c in CANDIDATES}
        passing = [c for c in CANDIDATES
                   if on_others[c].pairwise_precision >= on_others["today"].pairwise_precision]
        pick = max(passing, key=lambda c: on_others[c].bcubed_f1)
        _, _, ml, fp = scored(pick, [codebase])
        print(f"  {codebase:<15} chosen {pick:<13} {line(ml, fp)}")
    on_all = {c: scored(c, codebases)[2] for c in CANDIDATES}
    passing = [c for c in CANDIDATES
               if on_all[c].pairwise_precision >= on_all["today"].pairwise_precision]
    print(f"  chosen on all {len(codebases)}: {max(passing, key=lambda c: on_all[c].bcubed_f1)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
