"""lab.never_seen --replay: a report-only mined codebase through the real pipeline (lab.replay)
groups its events as lab's simulation from the served model's vectors says it does, the
manifest's thresholds, key rules and text shape applied by both."""

import dataclasses

import pytest

from lab.corpus import HERE, is_report_only

pytestmark = pytest.mark.django_db

CODEBASE = HERE / "python-release-bot.jsonl.zst"  # report-only; its Python text shape differs
SAMPLE = 40  # its first events, in arrival order


def partition(clusters) -> set[frozenset[int]]:
    groups: dict = {}
    for index, cluster in enumerate(clusters):
        groups.setdefault(cluster, set()).add(index)
    return {frozenset(g) for g in groups.values()}


def test_the_live_pipeline_groups_a_never_seen_codebase_as_the_simulation_does():
    from embeddings.encoder import Encoder, shipped_spec
    from embeddings.shipped import MANIFEST, SHIPPED_DIR
    from grouping import rules as grouping_rules
    from lab.never_seen import live_table, load_rules, rule_for, shape_for
    from lab.replay import replay_codebase
    from lab.select import Runs, build_codebases, rows_by_codebase

    assert is_report_only("release-bot")
    sources = rows_by_codebase([], [CODEBASE])
    sources = {name: [(source, rows[:SAMPLE]) for source, rows in parts]
               for name, parts in sources.items()}
    chosen = load_rules(SHIPPED_DIR / MANIFEST)
    frames, line, message = shape_for(chosen, "python", grouping_rules.CURRENT)
    assert (frames, line, message) != (grouping_rules.CURRENT.frames_for("python"),
                                       grouping_rules.CURRENT.line, grouping_rules.CURRENT.message)
    shaped = dataclasses.replace(grouping_rules.CURRENT, frames=frames, line=line,
                                 message=message)
    [codebase] = build_codebases(sources, Encoder(shipped_spec()).encode, shaped)
    simulated = Runs().clusters(codebase, *rule_for(chosen, "python"))

    live = replay_codebase(sources["release-bot"])

    assert len(live) == SAMPLE
    assert len(set(live)) < len(set(codebase.data.hashes))  # ML joined fingerprints
    assert partition(live) == partition(simulated)
    # the scores lab.never_seen prints: a second replay (fresh project), the same grouping
    table, differ = live_table([codebase], {"release-bot": sources["release-bot"]}, chosen)
    assert table["python"]["release-bot"].issues == len(set(live))
    assert table["python"]["all"] == table["python"]["release-bot"]
    assert differ == {"release-bot": 0}


def test_moved_counts_the_events_grouped_otherwise_whatever_the_ids():
    from lab.never_seen import moved

    assert moved([7, 7, 9], ["a", "a", "b"]) == 0
    # event 0 joins 1 live, alone simulated; 1 and 2 likewise differ; 3 is alone in both
    assert moved([7, 7, 9, 4], [1, 2, 2, 3]) == 3
