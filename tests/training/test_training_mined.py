"""The mined real-code corpus as training input (training.mined): whole codebases go to one
group per platform family, report-only codebases never train or choose, mined bugs count by
call site; and the hard negatives training mines from any corpus include one message raised at
two sites. Pure functions on small samples, no database, no model."""

import random

from lab.corpus import HERE, is_report_only, write_rows
from tests.helpers.events import event
from training import lifecycle, metrics, mined, pairs

REPORT_ONLY = "build-config"  # lab.corpus.is_report_only by its name's hash
CHOOSING = ["alpha", "bravo", "echo", "foxtrot", "juliet"]


def test_the_sample_names_are_what_the_tests_assume():
    assert is_report_only(REPORT_ONLY)
    assert not any(is_report_only(name) for name in CHOOSING + ["hotel", "india"])


def test_whole_codebases_per_family_and_report_only_never_chosen():
    names = [("python", n) for n in CHOOSING] + [("python", REPORT_ONLY),
                                                 ("go", "hotel"), ("go", "india")]
    first = mined.groups(names)
    assert first == mined.groups(list(reversed(names)))  # deterministic, order-free
    assert first[REPORT_ONLY] == mined.REPORT
    python = [first[n] for n in CHOOSING]
    assert python.count(mined.CHOICE) == 3 and python.count(mined.TRAIN) == 2  # alternating
    go = sorted(first[n] for n in ("hotel", "india"))
    assert go == [mined.CHOICE, mined.TRAIN]  # each family split on its own


def test_the_mined_corpus_groups():
    files = sorted(HERE.glob("*.jsonl.zst"))
    found = mined.folder_groups(HERE)
    assert len(found) == len(files)
    for path in files:
        family, codebase = mined.codebase_of(path)
        assert (found[codebase] == mined.REPORT) == is_report_only(codebase)
    by_family: dict[str, set] = {}
    for path in files:
        family, codebase = mined.codebase_of(path)
        by_family.setdefault(family, set()).add(found[codebase])
    for family, present in by_family.items():  # every family both trains and chooses
        assert {mined.TRAIN, mined.CHOICE} <= present, family


def sample_folder(tmp_path):
    """A mined folder of six Python codebases, two bugs each, labelled the miners' way (one
    site, two raising library functions: one bug by site)."""
    for codebase in CHOOSING + [REPORT_ONLY]:
        rows = []
        for site in ("load", "save"):
            for raiser in ("parse_a", "parse_b"):
                payload = event(crash_function=f"{site}_{codebase}", value=f"{raiser} failed",
                                crash_line=f"return {raiser}(text)")
                rows.append({"bug": f"{codebase}/{site}:ValueError@{raiser}", "app": codebase,
                             "platform": "python", "split": "mined", "release": "1",
                             "event": payload})
        write_rows(tmp_path / f"python-{codebase}.jsonl.zst", rows, level=1)
    return sorted(tmp_path.glob("*.jsonl.zst"))


def codebases_in(data: metrics.Dataset) -> set[str]:
    return {label.split(":", 1)[1].split("/", 1)[0] for label in data.labels}


def test_training_reads_only_the_train_group(tmp_path):
    paths = sample_folder(tmp_path)
    groups = mined.folder_groups(tmp_path)
    splits = lifecycle.load_splits([str(p) for p in paths])
    assert codebases_in(splits["train"]) == {n for n, g in groups.items() if g == mined.TRAIN}
    assert codebases_in(splits["validation"]) == {n for n, g in groups.items()
                                                  if g == mined.CHOICE}
    assert codebases_in(splits["heldout_app"]) == {REPORT_ONLY}
    assert not splits["test"].labels
    # one bug per call site: the two raising functions of one site are one bug
    assert len(set(splits["train"].labels)) == 2 * len(codebases_in(splits["train"]))
    described = mined.describe(paths)
    assert described[mined.REPORT] == [f"python-{REPORT_ONLY}"]
    assert sorted(described[mined.TRAIN] + described[mined.CHOICE]) == sorted(
        f"python-{n}" for n in CHOOSING)


def test_one_message_at_two_sites_is_a_hard_negative():
    """Two faults that raise one message from different functions are a negative pair for
    every seed, among many bugs of the same exception type with other messages."""
    rows = []
    for number in range(30):
        word = "".join("ghijklmnopqrstuvwxyz"[d] for d in divmod(number, 20))  # no digits
        for caller in ("view_a", "view_b"):
            rows.append({"bug": f"other-{number}", "event": event(
                caller=caller, crash_function=f"step_{word}", value=f"no such key {word}",
                crash_line=f"return check_{word}(x)")})
    for bug, function in (("twin-1", "parse_header"), ("twin-2", "parse_footer")):
        for caller in ("view_a", "view_b"):
            rows.append({"bug": bug, "event": event(
                caller=caller, crash_function=function, value="unexpected end of input",
                crash_line="return decode(x)")})
    data = metrics.prepare(rows)
    texts = {bug: {t for b, t in zip(data.labels, data.texts, strict=True) if b == bug}
             for bug in ("twin-1", "twin-2")}
    for seed in range(5):
        chosen = pairs.corpus_pairs(data, random.Random(seed), 400)
        assert any(not p.same and ({p.a, p.b} & texts["twin-1"]) and ({p.a, p.b} & texts["twin-2"])
                   for p in chosen), seed


def test_lab_select_leaves_out_what_trained(tmp_path):
    from lab.select import untrained

    paths = sample_folder(tmp_path)
    groups = mined.folder_groups(tmp_path)
    kept = untrained([tmp_path])
    assert kept and set(kept) < set(paths)
    assert {mined.codebase_of(p)[1] for p in kept} == {
        n for n, g in groups.items() if g != mined.TRAIN}


def test_the_product_imports_no_lab_module():
    """lab/ is not in the product image (Dockerfile): training imports it only when it is
    given a mined file."""
    import subprocess
    import sys

    script = ("import sys; import training.corpus, training.mined; "
              "print(sorted(m for m in sys.modules if m == 'lab' or m.startswith('lab.')))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True, cwd=HERE.parent.parent)
    assert out.stdout.strip() == "[]"
