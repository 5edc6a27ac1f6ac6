"""The site+line candidate key (grouping.clean.line_operations): what the crash line does keeps
one bug's key across the releases of the mined corpus (renamed locals, a longer line cut at the
read bound) and parts two faulting expressions of one function."""

from pathlib import Path

from grouping.clean import app_site, code_line, line_operations, match_key
from ingest.normalize import normalize_event
from lab import corpus as lab_corpus
from monitor import limits
from tests.helpers.events import normalized

CORPUS = Path(__file__).resolve().parents[2] / "lab" / "corpus"


def events_of(codebase: str, label: str) -> list[dict]:
    """Every event of a bug (lab.corpus.site_label), normalized as ingestion does."""
    return [normalize_event(row["event"], 1_700_000_000.0 + i, f"{i:032x}")
            for i, row in enumerate(lab_corpus.read_rows(CORPUS / f"python-{codebase}.jsonl.zst"))
            if lab_corpus.site_label(row) == label]


def test_renamed_locals_literals_spacing_and_comments_leave_the_operations():
    assert (line_operations("return yaml.safe_load(payload)")
            == line_operations("return  yaml.safe_load( value )  # the manifest")
            == ".safe_load,safe_load()")
    assert (line_operations("return croniter('*/5 * * * *', data).get_next(datetime)")
            == line_operations('return croniter("0 0 * * *", incoming).get_next(datetime)'))


def test_two_faulting_expressions_of_one_function_differ():
    assert (line_operations("return sum(self.items) / len(self.items)")
            != line_operations("return self.discount / sum(self.items)"))
    assert (line_operations("const wanted = new semver.Range(input.range);")
            != line_operations("const given = new semver.SemVer(input.version);"))


def test_a_name_cut_at_the_read_bound_is_left_out():
    head = "x = f(" + "a, " * (limits.CONFLICT_LINE_CHARS // 3)
    assert line_operations(head + "g.PhoneNumberFormat)") == line_operations(head + "g.Ph)")


def test_the_lookalike_twin_gets_another_key_and_an_edited_line_keeps_it():
    first = match_key(normalized(), "site+line")
    assert first == "site|ZeroDivisionError|average|.items,len(),sum()"
    twin = normalized(crash_line="return self.discount / sum(self.items)")
    assert match_key(twin, "site+line") != first
    assert match_key(twin, "site") == match_key(normalized(), "site")  # the site key joins them
    edited = normalized(crash_line="avg = sum(self.items) / len(self.items)  # mean price",
                        caller="nightly_report")
    assert match_key(edited, "site+line") == first


def test_one_bug_keeps_one_key_across_the_releases_of_a_mined_codebase():
    # the local the line passes is renamed between releases, and the line is longer than the
    # text's context bound by as much as the name grew
    events = events_of("phone-directory", "phone-directory/lookup.example_for/TypeError")
    assert len({code_line(app_site(e)[0]) for e in events}) >= 2  # the edit is in the data
    assert len({match_key(e, "site+line") for e in events}) == 1
    loads = events_of("config-loader", "config-loader/fixtures.load_seed_data/ParserError")
    assert {match_key(e, "site+line") for e in loads} == {
        "site|ParserError|load_seed_data|.full_load,full_load()"}


def test_python_floor_division_is_code_not_a_comment():
    """`//` starts a comment in JavaScript, Go and Java, and divides in Python: two Python twins
    that floor-divide different sums kept only `.total` and got one key."""
    assert (line_operations("return self.total // len(self.items)", "python")
            != line_operations("return self.total // sum(self.items)", "python"))
    assert (line_operations("return total / n; // len(items)", "javascript")
            == line_operations("return total / n;", "javascript"))
