"""The Node codebases' releases shipped as minified esbuild bundles (lab/corpus/minified, mined by
`lab.mine.js --bundled`): outside the corpus the readers take by default (so the shipped
model's corpus digest stays), and with `--with-minified` one project with their codebase's own
releases, labelled with the same bugs."""

from lab.corpus import HERE, MINIFIED, corpus_files, read_rows
from lab.select import rows_by_codebase

CODEBASE = "docsite"


def test_the_bundled_releases_are_not_in_the_default_corpus():
    assert MINIFIED.parent == HERE
    assert (MINIFIED / f"node-{CODEBASE}.jsonl.zst").exists()
    assert all(path.parent == HERE for path in corpus_files())
    plain = rows_by_codebase([], [HERE])
    assert not any(row.get("minified") for parts in plain.values() for _, rows in parts
                   for row in rows if row["platform"] == "node")


def test_with_minified_a_codebase_is_one_project_with_its_bundled_releases():
    base = HERE / f"node-{CODEBASE}.jsonl.zst"
    bundled = list(read_rows(MINIFIED / base.name))
    own = rows_by_codebase([], [base])[CODEBASE]
    merged = rows_by_codebase([], [base], minified=MINIFIED)[CODEBASE]
    assert len(own) == len(merged) == 1  # one source: one project
    assert len(merged[0][1]) == len(own[0][1]) + len(bundled)
    releases = {row["release"] for row in bundled}
    assert releases == {f"{CODEBASE}@1.3.1", f"{CODEBASE}@1.4.1"}  # the last two, rebuilt
    assert all(row["minified"] and row["bundle"] == "dist" for row in bundled)
    assert {row["bug"] for row in bundled} <= {row["bug"] for row in read_rows(base)}
    frames = [f for row in bundled for f in row["event"]["exception"]["values"][0][
        "stacktrace"]["frames"] if f.get("in_app")]
    assert frames and all(f["filename"].startswith(f"/srv/{CODEBASE}/dist/") for f in frames)
