"""lab.select with the crash-line and message shapes in its grid: a shape whose text leaves a
renamed local where it was wins over the raw line that splits it, the choice carries the shape
(its `lines` and `messages` per family, what the manifest takes and grouping.policy serves), and
a previous rule kept keeps the shape it serves in. Real events, cleaning and keys; the vectors
are placed by hand so the distances are known."""

from __future__ import annotations

import json

from grouping import rules
from lab import select
from tests.helpers.select_codebases import crash_event, placed_codebase

GRID = [0.02, 0.04, 0.06]


def codebase(name: str, renamed_at: float) -> select.Codebase:
    """One bug whose crash line a release edited (a renamed local) `renamed_at` from it, and
    the lookalike twin of the same function 0.08 from it."""
    groups = [("mean", "return sum(items) / len(items)", 0.0),
              ("mean", "return sum(prices) / len(prices)", renamed_at),
              ("discount", "return self.discount / sum(self.items)", 0.08)]
    # each row called from its own view: its own fingerprint
    return placed_codebase(name, groups, lambda line, n: crash_event("average", line, f"view_{n}"))


def today(family: str) -> tuple[str, float, bool]:
    return "site+callee", 0.04, False


RAW, NORMALIZED = select.Shape(1), select.Shape(1, "normalized")


def selections(rules_of) -> dict:
    # the raw line puts the renamed local 0.50 away (0.20 from the twin); the normalized line
    # writes one text
    worlds = {RAW: 0.50, NORMALIZED: 0.0}
    return {shape: select.select(select.Runs(), [codebase(n, at) for n in "abc"],
                                 rules_of(shape), today, GRID, capped=True)
            for shape, at in worlds.items()}


def test_the_shape_that_folds_a_renamed_local_is_chosen_and_carried():
    chosen = select.merge(selections(lambda shape: select.candidates(
        ["site+callee"], [1.0], frames=shape.frames, line=shape.line, message=shape.message)),
        RAW, lambda family: RAW)
    python = chosen.chosen["python"]
    assert (python.candidate.line, python.worst_issues_per_bug,
            python.worst_join_precision) == ("normalized", 1.0, 1.0)
    assert chosen.today["python"].worst_issues_per_bug > 1.0  # the raw line splits the bug
    result = select.as_rules(chosen, today, 1)
    assert result["lines"]["python"] == "normalized" and result["messages"]["python"] == "raw"
    assert "its crash line as normalized" in result["sources"]["python"]


def test_a_kept_rule_keeps_the_shape_it_serves_in(tmp_path):
    served = select.todays_shape({"frames": {"python": 1}, "lines": {"python": "normalized"}},
                                 rules.Rules(frames=2))
    assert served("python") == NORMALIZED and served("go") == (2, "raw", "raw")
    worse = select.merge(selections(lambda shape: [select.Candidate(
        "type", False, 1.0, shape.frames, line=shape.line)]), RAW, served)
    kept = worse.chosen["python"]
    assert kept.kept and (kept.candidate.key, kept.candidate.line) == ("site+callee",
                                                                       "normalized")
    assert select.as_rules(worse, today, 1)["lines"]["python"] == "normalized"


def test_the_manifest_takes_the_shape(tmp_path, monkeypatch):
    from embeddings import shipped

    folder = tmp_path / "shipped"
    folder.mkdir()
    for name in (shipped.DELTA, shipped.MANIFEST):
        (folder / name).write_bytes((shipped.SHIPPED_DIR / name).read_bytes())
    monkeypatch.setattr(shipped.load, "cache_clear", lambda: None)
    result = {"thresholds": {"python": 0.04}, "key_rules": {"python": "site+callee"},
              "conflict_thresholds": {"python": 2.0}, "frames": {"python": 1},
              "lines": {"python": "normalized"}, "messages": {"python": "template"},
              "sources": {"python": "python: chosen"},
              "provenance": {"command": "c", "date": "d", "corpus_sha256": "s",
                             "choosing_codebases": []}}
    select.write_manifest_choices(folder, result, ["python"])
    choices = json.loads((folder / shipped.MANIFEST).read_text())["choices"]
    assert choices["lines"]["python"] == "normalized"
    assert choices["messages"]["python"] == "template"
    # the families chosen before and not anew keep the record of what chose them
    before = shipped.load().choices["chosen_by"]["lab.select"]
    record = choices["chosen_by"]["lab.select"]
    assert record["families"] == ["python"] and record["command"] == "c"
    earlier = {f: r["command"] for r in record["earlier"] for f in r["families"]}
    decided = {*before["families"], *(f for r in before.get("earlier", []) for f in r["families"])}
    assert "python" not in earlier and set(earlier) == decided - {"python"}
