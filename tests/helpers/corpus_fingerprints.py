"""The mined corpus's choice codebases of one family, and what a fingerprint configuration
makes of their site-labelled bugs: which pairs of bugs share a fingerprint, and how many
fingerprints each bug takes. Report-only codebases are never read here."""

from __future__ import annotations

import functools
import itertools
from collections import defaultdict
from pathlib import Path

from grouping.fingerprint import group
from ingest.normalize import normalize_event
from lab import corpus as lab_corpus

CORPUS = Path(__file__).resolve().parents[2] / "lab" / "corpus"


@functools.cache
def choice_codebases(prefix: str) -> dict[str, list[dict]]:
    """Each choice codebase's rows whose corpus file starts with `prefix` (`go-`, `ruby-`)."""
    out = {}
    for path in lab_corpus.corpus_files(CORPUS):
        rows = list(lab_corpus.read_rows(path)) if path.name.startswith(prefix) else []
        if rows and not lab_corpus.is_report_only(rows[0]["app"]):
            out[rows[0]["app"]] = rows
    return out


def merged_and_split(rows: list[dict], config: str) -> tuple[set, dict[str, int]]:
    """Bug pairs one fingerprint holds, and each bug's fingerprints (site-labelled bugs)."""
    by_hash: dict[str, set] = defaultdict(set)
    of_bug: dict[str, set] = defaultdict(set)
    for index, row in enumerate(rows):
        event = normalize_event(row["event"], 1_700_000_000.0 + index, f"{index:032x}")
        fingerprint, bug = group(event, config).hash, lab_corpus.site_label(row)
        by_hash[fingerprint].add(bug)
        of_bug[bug].add(fingerprint)
    merged = {pair for bugs in by_hash.values() for pair in itertools.combinations(sorted(bugs), 2)}
    return merged, {bug: len(hashes) for bug, hashes in of_bug.items()}
