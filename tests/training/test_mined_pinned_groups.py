"""Codebases mined after the shipped model was trained (training.mined.MINED_AFTER_SHIPPED)
choose, outside the hash ranking: adding them moves no older codebase between train and choice,
so the shipped model's training corpus and the choice it was scored on stay what they were.
Pure functions on names and the committed file names; no database, no model."""

from lab.corpus import HERE, corpus_files, is_report_only
from training import mined


def test_a_pinned_codebase_chooses_and_moves_nobody():
    older = [("go", name) for name in ("hotel", "india", "juliet", "kilo", "lima")]
    before = mined.groups(older)
    for new in sorted(mined.MINED_AFTER_SHIPPED):
        after = mined.groups([*older, ("go", new)])
        assert {name: after[name] for name in before} == before
        assert after[new] == (mined.REPORT if is_report_only(new) else mined.CHOICE)


def test_an_unpinned_newcomer_would_have_moved_older_codebases():
    """Why the pin exists: ranked with the others, a newcomer that sorts first shifts every
    later codebase of its family (what the test above would catch without the pin)."""
    older = [("go", name) for name in ("hotel", "india", "juliet", "kilo", "lima")]
    before = mined.groups(older)
    first = min((name for _, name in older), key=mined._rank)
    newcomer = next(f"new{n}" for n in range(1000) if not is_report_only(f"new{n}")
                    and mined._rank(f"new{n}") < mined._rank(first))
    after = mined.groups([*older, ("go", newcomer)])
    assert any(after[name] != before[name] for name in before)


def test_the_committed_corpus_keeps_the_older_codebases_groups():
    pairs = [mined.codebase_of(path) for path in corpus_files(HERE)]
    pinned = [pair for pair in pairs if pair[1] in mined.MINED_AFTER_SHIPPED]
    assert pinned, "the pinned codebases are committed"
    everything = mined.groups(pairs)
    older = mined.groups([pair for pair in pairs if pair[1] not in mined.MINED_AFTER_SHIPPED])
    assert {name: everything[name] for name in older} == older
    for _, name in pinned:
        assert everything[name] == (mined.REPORT if is_report_only(name) else mined.CHOICE)
