"""Grouping of minified browser JavaScript with and without source maps, on the mined browser
codebases (lab/corpus/javascript-*.jsonl.zst: every release minified and named by content hash;
half the releases built with maps, kept under lab/corpus/js-artifacts/).

Three ways the same events reach grouping, each through the processing stage's resolution
(sourcemaps.symbolicate) before normalize's output is fingerprinted, cleaned and embedded:

- `minified`: no map anywhere (what a project that uploads nothing gets);
- `uploaded`: the releases built with maps have their files stored as sentry-cli uploads them,
  found by the debug IDs the events carry;
- `fetched`: nothing uploaded; the files are served by a loopback HTTP server standing for the
  site, the events' URLs point at it, and sourcemaps.fetch fetches them (the project's fetching
  on, the server's origin allowed, private addresses allowed for the bench only).

Each is scored by the served model deciding as it serves (bench/shipped.py's deciders) and by
fingerprinting alone, per codebase and pooled, on all events and on the releases with maps;
bugs are counted as lab.corpus.site_label counts them unless `--labels fine`.

With `--choose`, it also chooses the gate for minified JavaScript that no map resolved
(grouping.policy.MINIFIED_GATE) leaving one codebase out: each choosing browser codebase in turn
is left out, every candidate (a candidate key of grouping.policy.MINIFIED_KEYS, or the family's
key at a stricter threshold) is scored on the other choosing codebases pooled, the one with the
best B-cubed F1 among those whose pair precision is no lower than fingerprinting's on them is
chosen (none: the most precise), and the left-out codebase is scored under it. Report-only
codebases (editor-web) never choose: they are scored under the choice of all choosing ones.

    .venv/bin/python bench/minified_js.py [--model shipped|stock] [--labels site|fine] [--choose]
"""

from __future__ import annotations

import argparse
import copy
import functools
import json
import os
import sys
import threading
from collections import defaultdict
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from common import ROOT

CORPUS = ROOT / "lab" / "corpus"


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(folder: Path) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class FolderLoader:
    """What an upload of the release folders gives: files by debug ID (sentry-cli inject writes
    `//# debugId=` into each file and `debugId` into each map)."""

    def __init__(self, folders: list[Path]):
        from sourcemaps.bundles import parse_debug_id
        from sourcemaps.symbolicate import Artifact

        self.files = {}
        for folder in folders:
            for path in sorted((folder / "assets").iterdir()):
                content = path.read_bytes()
                marker = b"//# debugId=" if path.suffix == ".js" else b'"debugId":"'
                at = content.rfind(marker)
                if at < 0:
                    continue
                debug_id = parse_debug_id(content[at + len(marker):at + len(marker) + 36]
                                          .decode())
                kind = "source_map" if path.suffix == ".map" else "minified_source"
                self.files[(debug_id, kind)] = Artifact(
                    f"~/assets/{path.name}", content, {}, 1, f"{folder.name}/{path.name}")

    def by_debug_id(self, debug_id, kind, content=True):
        return self.files.get((debug_id, kind))

    def by_url(self, urls, release, dist):
        return None

    def fetch(self, url, kind):
        return None, ""


class FetchLoader(FolderLoader):
    def __init__(self, fetcher):
        self.files, self.fetcher = {}, fetcher

    def fetch(self, url, kind):
        return self.fetcher.get(url, kind)


def resolved(event: dict, loader, parsed) -> tuple[dict, bool]:
    """The normalized event as processing resolves it, and whether any frame resolved."""
    from ingest.normalize import metadata
    from sourcemaps.symbolicate import resolve_event

    before = copy.deepcopy(event)
    resolve_event(event, loader, 20, parsed)
    changed = event != before
    if changed:
        event.update(metadata(event))
    return event, changed


def rehome(event: dict, origin: str) -> dict:
    """The event as the site on `origin` would have sent it, without debug IDs."""
    event = copy.deepcopy(event)
    event.pop("debug_meta", None)
    for container in event.get("exception") or []:
        for frame in (container.get("stacktrace") or {}).get("frames") or []:
            for key in ("abs_path", "filename"):
                value = frame.get(key)
                if isinstance(value, str) and "://" in value:
                    parts = urlsplit(value)
                    frame[key] = origin + parts.path
    return event


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", choices=("shipped", "stock"), default="shipped")
    parser.add_argument("--choices", type=Path,
                        help="decide with a lab.select result's thresholds, key rules and "
                             "conflict thresholds (var/select/<version>.json) instead")
    parser.add_argument("--labels", choices=("site", "fine"), default="site",
                        help="bugs as lab.corpus.site_label counts them (as selection does), "
                             "or the miners' finer labels")
    parser.add_argument("--choose", action="store_true",
                        help="choose the minified gate leaving one codebase out")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "faultline.settings")
    os.environ.setdefault("DATABASE_URL", "postgresql://unused@/unused")
    import django

    django.setup()
    import numpy as np
    from django.conf import settings

    from embeddings import shipped
    from embeddings.encoder import Encoder, current_spec
    from grouping import rules as grouping_rules
    from lab import corpus as lab_corpus
    from sourcemaps.fetch import FetchCache, Fetcher, FetchPolicy
    from sourcemaps.parsed import ParsedMaps
    from training import metrics
    from training.evaluate import scores_dict

    settings.EMBEDDING_MODEL = args.model
    if args.model == "shipped":
        choices = shipped.load().choices
        decider = (choices["thresholds"], choices["key_rules"], choices["conflict_thresholds"])
    else:
        rules = grouping_rules.CURRENT
        decider = (rules.thresholds, {}, rules.conflict_thresholds)
    if args.choices:
        chosen = json.loads(args.choices.read_text())
        decider = (chosen["thresholds"], chosen["key_rules"], chosen["conflict_thresholds"])
    parsed = ParsedMaps(512 << 20)
    modes: dict[str, dict[str, list[dict]]] = defaultdict(dict)
    agree = total = resolved_count = 0
    for path in sorted(CORPUS.glob("javascript-*.jsonl.zst")):
        rows = list(lab_corpus.read_rows(path))
        if args.labels == "site":
            rows = [{**row, "bug": lab_corpus.site_label(row)} for row in rows]
        codebase = rows[0]["app"]
        folders = sorted({CORPUS.parent.parent / r["sourcemaps"] for r in rows
                          if "sourcemaps" in r})
        server = serve(_merged_assets(CORPUS / "js-artifacts" / codebase))
        origin = f"http://127.0.0.1:{server.server_address[1]}"
        policy = FetchPolicy(origin, True, 5, 16 << 20, 8, 15)
        cache = FetchCache(256 << 20, 3600)
        uploaded = FolderLoader(folders)
        label = f"{codebase}{' (report-only)' if lab_corpus.is_report_only(codebase) else ''}"
        for mode in ("minified", "uploaded", "fetched"):
            modes[mode][label] = []
        for index, row in enumerate(rows):
            event = metrics.normalize_event(row["event"], 1_700_000_000.0 + index,
                                            f"{index:032x}")
            modes["minified"][label].append({**row, "event": event, "normalized": True})
            up, changed_up = resolved(copy.deepcopy(event), uploaded, parsed)
            modes["uploaded"][label].append({**row, "event": up, "normalized": True})
            fetched_event, changed_fetch = resolved(rehome(event, origin),
                                                    FetchLoader(Fetcher(policy, cache)), parsed)
            modes["fetched"][label].append({**row, "event": fetched_event, "normalized": True})
            if "sourcemaps" in row:
                total += 1
                resolved_count += changed_up
                agree += changed_up == changed_fetch and _frames(up) == _frames(fetched_event)
        server.shutdown()
        server.server_close()
    print(f"events with maps: {total}; resolved by upload: {resolved_count}; "
          f"fetched resolution identical to uploaded: {agree}")

    encoder = Encoder(current_spec())
    print(f"model: {args.model} ({current_spec().name})")
    if args.choose:
        choose(modes["minified"], encoder, decider)
    for subset in ("all events", "releases with maps"):
        for mode, codebases in modes.items():
            parts = []
            for label, rows in sorted(codebases.items()):
                if subset != "all events":
                    rows = [r for r in rows if "sourcemaps" in r]
                data = metrics.prepare(rows, scope=label)
                vecs = encoder.encode(data.texts) if data.texts else np.zeros((0, 384))
                parts.append((data, vecs))
                s = scores_dict(data, vecs, *decider)
                fp = metrics.score(data.labels, data.hashes)
                print(f"{subset:<18} {mode:<9} {label:<30} bugs {s['bugs']:>3} ml "
                      f"{s['issues_per_bug']:.2f}x P {s['pair_precision']:.3f} "
                      f"F1 {s['bcubed_f1']:.3f} | fingerprint {fp.issues_per_bug:.2f}x "
                      f"P {fp.pairwise_precision:.3f} F1 {fp.bcubed_f1:.3f}")
            data = metrics.concat([p for p, _ in parts])
            vecs = np.concatenate([v for _, v in parts])
            s = scores_dict(data, vecs, *decider)
            fp = metrics.score(data.labels, data.hashes)
            print(f"{subset:<18} {mode:<9} {'POOLED':<30} bugs {s['bugs']:>3} ml "
                  f"{s['issues_per_bug']:.2f}x P {s['pair_precision']:.3f} "
                  f"F1 {s['bcubed_f1']:.3f} | fingerprint {fp.issues_per_bug:.2f}x "
                  f"P {fp.pairwise_precision:.3f} F1 {fp.bcubed_f1:.3f}")
    return 0


STRICTER = (0.02, 0.05, 0.08)  # the family's key at a stricter JavaScript threshold


def candidates() -> list[tuple[str, object, float | None]]:
    """(name, gate, JavaScript threshold or None: the decider's) of every candidate."""
    from grouping.policy import MINIFIED_KEYS, MinifiedGate

    out: list[tuple[str, object, float | None]] = [("none", None, None)]
    out += [(f"key {key}", MinifiedGate(key, ""), None) for key in MINIFIED_KEYS]
    out += [(f"type at {t:g}", None, t) for t in STRICTER]
    out += [(f"key {key} at {t:g}", MinifiedGate(key, ""), t)
            for key in ("export", "path", "path+template") for t in STRICTER]
    return out


def choose(codebases: dict[str, list[dict]], encoder, decider) -> None:
    """The leave-one-codebase-out choice of the minified gate (module docstring)."""
    import dataclasses

    import numpy as np

    from grouping.policy import replay_policy
    from lab import corpus as lab_corpus
    from training import metrics

    thresholds, key_rules, conflicts = decider
    prepared = {label: metrics.prepare(rows, scope=label) for label, rows in codebases.items()}
    vectors = {label: encoder.encode(data.texts) for label, data in prepared.items()}

    def scored(labels: list[str], gate, threshold: float | None):
        policy = replay_policy(0.0, key_rules=key_rules, minified=gate)
        parts = [dataclasses.replace(prepared[lb], keys=[policy.key(e) for e in
                                                         prepared[lb].events]) for lb in labels]
        data = metrics.concat(parts)
        vecs = np.concatenate([vectors[lb] for lb in labels])
        limits = dict(thresholds)
        if threshold is not None:
            limits["javascript"] = threshold
        ml = metrics.score(data.labels, metrics.simulate_ml(data, vecs, limits,
                                                            conflict=conflicts or None,
                                                            minified=gate))
        return ml, metrics.score(data.labels, data.hashes)

    table = {(label, name): scored([label], gate, t)
             for label in prepared for name, gate, t in candidates()}
    choosing = [lb for lb in prepared if not lab_corpus.is_report_only(lb.split(" ")[0])]

    def pick(labels: list[str]) -> str:
        results = [(name, *scored(labels, gate, t)) for name, gate, t in candidates()]
        passing = [r for r in results if r[1].pairwise_precision >= r[2].pairwise_precision]
        if passing:
            return max(passing, key=lambda r: r[1].bcubed_f1)[0]
        return max(results, key=lambda r: r[1].pairwise_precision)[0]

    print("\nminified gate, each codebase alone (ml issues/bug P F1 | fingerprint):")
    for (label, name), (ml, fp) in table.items():
        print(f"  {label:<28} {name:<20} {ml.issues_per_bug:.2f}x P {ml.pairwise_precision:.3f} "
              f"F1 {ml.bcubed_f1:.3f} | fp {fp.issues_per_bug:.2f}x "
              f"P {fp.pairwise_precision:.3f} F1 {fp.bcubed_f1:.3f}")
    print("\nleave one codebase out:")
    for label in prepared:
        others = [lb for lb in choosing if lb != label]
        name = pick(others)
        ml, fp = table[(label, name)]
        role = "scored only" if label not in choosing else "left out"
        print(f"  {label:<28} ({role}) chosen on {len(others)} others: {name:<16} "
              f"ml {ml.issues_per_bug:.2f}x P {ml.pairwise_precision:.3f} F1 {ml.bcubed_f1:.3f} "
              f"| fp {fp.issues_per_bug:.2f}x P {fp.pairwise_precision:.3f} F1 {fp.bcubed_f1:.3f}")
    print(f"  served choice (all {len(choosing)} choosing codebases): {pick(choosing)}")


def _frames(event: dict) -> list:
    """What grouping reads of a resolved event: each frame's original place and name."""
    return [(f.get("filename"), f.get("lineno"), f.get("colno"), f.get("function"))
            for c in event.get("exception") or []
            for f in (c.get("stacktrace") or {}).get("frames") or []]


def _merged_assets(site: Path) -> Path:
    """One folder serving every release's assets at /assets/ (names carry content hashes)."""
    merged = ROOT / "var" / "bench" / "minified_js" / site.name
    (merged / "assets").mkdir(parents=True, exist_ok=True)
    for release in site.iterdir():
        if not (release / "assets").is_dir():
            continue
        for path in (release / "assets").iterdir():
            target = merged / "assets" / path.name
            if not target.exists():
                target.write_bytes(path.read_bytes())
    return merged


if __name__ == "__main__":
    sys.exit(main())
