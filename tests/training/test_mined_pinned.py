"""Codebases mined after the shipped model was trained are pinned to a group
(training.mined.PINNED): they join it without moving any earlier codebase between train and
choice, and a pin never pulls a report-only codebase into choosing. Pure functions on the
committed corpus and manifest, no database, no model."""

import json
from pathlib import Path

from lab.corpus import HERE, corpus_files, is_report_only
from training import mined

MANIFEST = (Path(__file__).resolve().parents[2]
            / "embeddings/shipped/faultline-grouping/manifest.json")


def corpus_groups() -> dict[str, str]:
    return mined.groups(mined.codebase_of(path) for path in corpus_files(HERE))


def test_pinned_codebases_are_mined_and_in_their_group():
    found = corpus_groups()
    assert mined.PINNED, "nothing pinned"
    for codebase, group in mined.PINNED.items():
        assert codebase in found, f"{codebase} is pinned but has no mined file"
        assert not is_report_only(codebase)
        assert found[codebase] == group


def test_earlier_codebases_keep_the_groups_their_choice_was_made_on():
    """The shipped manifest records which codebases chose its rules, now and in each earlier
    choice; pinning new codebases leaves exactly those earlier ones (and no other) in choice."""
    chosen_by = json.loads(MANIFEST.read_text())["choices"]["chosen_by"]["lab.select"]
    recorded = set().union(*(set(choice["choosing_codebases"])
                             for choice in [chosen_by, *chosen_by.get("earlier", [])]))
    found = corpus_groups()
    earlier_choice = {n for n, g in found.items() if g == mined.CHOICE and n not in mined.PINNED}
    assert earlier_choice == recorded - set(mined.PINNED)


def test_the_earlier_groups_do_not_depend_on_the_pinned_codebases():
    pairs = [mined.codebase_of(path) for path in corpus_files(HERE)]
    alone = mined.groups(p for p in pairs if p[1] not in mined.PINNED)
    together = mined.groups(pairs)
    assert {n: together[n] for n in alone} == alone


def test_a_pin_never_overrides_report_only(monkeypatch):
    report_only = "build-config"
    assert is_report_only(report_only)
    monkeypatch.setitem(mined.PINNED, report_only, mined.CHOICE)
    assert mined.groups([("python", report_only)])[report_only] == mined.REPORT


def test_a_pinned_codebase_stays_out_of_the_ranking(monkeypatch):
    """Ranked, a codebase takes a place in its family's alternation; pinned, it takes none."""
    names = [("ruby", n) for n in ("alpha", "bravo", "echo", "foxtrot")]
    unpinned = mined.groups(names)
    trained = next(n for _, n in names if unpinned[n] == mined.TRAIN)
    monkeypatch.setitem(mined.PINNED, trained, mined.CHOICE)
    pinned = mined.groups(names)
    assert pinned[trained] == mined.CHOICE
    rest = [p for p in names if p[1] != trained]
    assert {n: pinned[n] for _, n in rest} == mined.groups(rest)
