"""The mined real-code corpus (lab/corpus, one codebase a file) as training input.

Each codebase goes WHOLE to one group, per platform family, so nothing chosen is chosen on a
codebase the model trained on:

- report-only codebases (lab.corpus.is_report_only) are only ever scored: `heldout_app`;
- codebases mined after the shipped model was trained are pinned (`PINNED`) and stay out of
  the ranking below;
- the others are ranked by a hash of their name within their family, and alternate: the first,
  third, ... choose rules and thresholds (`validation`: training.evaluate and lab.select read
  them), the second, fourth, ... are trained on (`train`). A family of three has two choosing
  codebases, enough for leave-one-codebase-out;
- codebases mined after the shipped model was trained (`MINED_AFTER_SHIPPED`) choose, outside
  the ranking, so that adding them moves no older codebase between train and choice.

A mined bug is counted as one call site and error type (lab.corpus.site_label), as lab.select
counts it. lab/ is not part of the product image: it is imported only when a mined file is
read or grouped.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from grouping.families import family_of, root_family

SUFFIX = ".jsonl.zst"  # lab.corpus.SUFFIX, without importing lab
TRAIN, CHOICE, REPORT = "train", "choice", "report"
SPLIT_OF_GROUP = {TRAIN: "train", CHOICE: "validation", REPORT: "heldout_app"}
PLATFORMS = ("python", "node", "javascript", "go", "ruby", "java")


def is_mined(path: str | Path) -> bool:
    return str(path).endswith(SUFFIX)


def codebase_of(path: str | Path) -> tuple[str, str]:
    """(platform family, codebase) of a mined file, from its name `<platform>-<codebase>`: the
    family a rule falls back to last (grouping.families.root_family), so Node and browser
    JavaScript codebases are ranked together as they were when the shipped model was trained,
    whatever rule each is served."""

    stem = Path(path).name.removesuffix(SUFFIX)
    platform, sep, codebase = stem.partition("-")
    if not sep or platform not in PLATFORMS or not codebase:
        raise ValueError(f"{path}: not a mined corpus file name (<platform>-<codebase>{SUFFIX})")
    return root_family(family_of(platform)), codebase


# Codebases mined after the shipped model was trained (2026-12-07) and their group. Ranking them
# with the others would shift the alternation and move earlier codebases between train and
# choice, changing what the shipped model was trained on and what chose its rules; pinned, they
# add to choice (more codebases to leave out when choosing) and move nothing. A pin never
# overrides report-only: a codebase lab.corpus.is_report_only names is only ever scored.
PINNED: dict[str, str] = {"pagesmith": CHOICE, "tripquote": CHOICE,
                          "ratesrpc": CHOICE, "metricsink": CHOICE,
                          "hook-relay": CHOICE, "price-formatter": CHOICE,
                          "apigate": CHOICE, "docpatch": CHOICE, "webviews": CHOICE,
                          "clinicbook": CHOICE, "clinic-desk": CHOICE,
                          "returns-desk": CHOICE, "chatrelay": CHOICE,
                          "cronhook": CHOICE, "tallyhouse": CHOICE}


def _rank(codebase: str) -> str:
    return hashlib.sha256(f"group:{codebase}".encode()).hexdigest()


def groups(codebases: Iterable[tuple[str, str]]) -> dict[str, str]:
    """codebase → train, choice or report, for (family, codebase) pairs."""
    from lab.corpus import is_report_only

    out: dict[str, str] = {}
    by_family: dict[str, list[str]] = defaultdict(list)
    for family, codebase in codebases:
        if is_report_only(codebase):
            out[codebase] = REPORT
        elif codebase in PINNED:
            out[codebase] = PINNED[codebase]
        else:
            by_family[family].append(codebase)
    for names in by_family.values():
        for position, codebase in enumerate(sorted(set(names), key=_rank)):
            out[codebase] = CHOICE if position % 2 == 0 else TRAIN
    return out


def folder_groups(folder: Path) -> dict[str, str]:
    """The groups of every mined file in `folder` (a codebase's group depends on its
    family's other codebases there)."""
    from lab.corpus import corpus_files

    return groups(codebase_of(path) for path in corpus_files(folder))


def group_of(path: str | Path) -> str:
    path = Path(path).resolve()
    return folder_groups(path.parent)[codebase_of(path)[1]]


def load(path: str | Path) -> list[dict]:
    """The rows of one mined file, labelled by site, with the split of its codebase's group."""
    from lab.corpus import read_rows, site_label

    split = SPLIT_OF_GROUP[group_of(path)]
    return [{**row, "bug": site_label(row), "split": split} for row in read_rows(Path(path))]


def describe(paths: Iterable[str | Path]) -> dict[str, list[str]]:
    """group → the codebases of `paths` in it (for manifests and reports)."""
    out: dict[str, list[str]] = {TRAIN: [], CHOICE: [], REPORT: []}
    for path in paths:
        if is_mined(path):
            out[group_of(path)].append(Path(path).name.removesuffix(SUFFIX))
    return {group: sorted(names) for group, names in out.items()}
