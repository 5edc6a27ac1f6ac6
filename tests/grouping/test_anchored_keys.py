"""Candidate keys anchored on the application's own crash site (grouping.clean.anchored_key), on
real sentry-sdk events of the mined corpus (lab/corpus): the application's edits between
releases (a `_x_step` helper extracted from `x`, moved lines, another entry point) leave the key
alone, and different sites of one exception type keep different keys."""

from pathlib import Path

from grouping.clean import app_site, match_key, message_template, site_function
from ingest.normalize import normalize_event
from lab import corpus as lab_corpus

CORPUS = Path(__file__).resolve().parents[2] / "lab" / "corpus"


def events_of(codebase: str, label: str) -> list[dict]:
    """Every event of a bug (lab.corpus.site_label), normalized as ingestion does."""
    return [normalize_event(row["event"], 1_700_000_000.0 + i, f"{i:032x}")
            for i, row in enumerate(lab_corpus.read_rows(CORPUS / f"python-{codebase}.jsonl.zst"))
            if lab_corpus.site_label(row) == label]


def crash_function(event: dict) -> str:
    site, _ = app_site(event)
    return site.get("function") or ""


def test_the_site_key_reads_past_an_extracted_step_helper_and_the_entry_point():
    events = events_of("config-loader", "config-loader/fixtures.load_seed_data/ParserError")
    functions = {crash_function(e) for e in events}
    assert {"load_seed_data", "_load_seed_data_step"} <= functions  # the edit is in the data
    assert {match_key(e, "site") for e in events} == {"site|ParserError|load_seed_data"}
    # the crash frame's own function (the "function" rule) moves with the edit
    assert len({match_key(e, "function") for e in events}) >= 2


def test_different_sites_of_one_type_keep_different_site_keys():
    carrier = events_of("phone-directory", "phone-directory/lookup.number_carrier/TypeError")
    parse = events_of("phone-directory", "phone-directory/numbers.parse_number/TypeError")
    assert {match_key(e, "site") for e in carrier} == {"site|TypeError|number_carrier"}
    assert {match_key(e, "site") for e in parse} == {"site|TypeError|parse_number"}
    assert len({match_key(e, "type") for e in carrier + parse}) == 1  # what the type key sees


def test_a_library_error_re_raised_by_the_library_anchors_on_the_wrappers_site():
    # SQLAlchemy's AttributeError (library frames only) wrapped in its InvalidRequestError,
    # whose stack holds the application's call
    events = events_of("reports-db", "reports-db/queries.filter_reports/AttributeError")
    chained = [e for e in events if len(e["exception"]) > 1]
    assert chained
    assert {match_key(e, "site") for e in chained} == {"site|AttributeError|filter_reports"}


def test_generated_library_code_is_not_the_applications_site():
    # sqlalchemy's `text()` runs through generated code (`<string>`) that no path rule marks
    # as a library's; the site is the application's `run_report`, the callee that code
    events = events_of("reports-db", "reports-db/queries.run_report/TypeError")
    assert {crash_function(e) for e in events} == {"run_report"}
    assert {match_key(e, "site+callee") for e in events} == {"site|TypeError|run_report|text"}


def test_site_names_and_templates_as_edits_and_inputs_leave_them():
    assert site_function("_load_seed_data_step") == "load_seed_data"
    assert site_function("Object.readLink [as feed/checkFeed]") == "checkFeed"
    assert site_function("t.parseFormat") == "parseFormat"
    assert site_function("block in fetch_all") == "fetch_all"
    assert site_function("main.(*Server).handle") == "handle"
    assert site_function("bu") == "" and site_function("<lambda>") == ""
    assert (message_template("Error binding parameter 1: type 'dict' is not supported")
            == message_template("Error binding parameter 2: type 'object' is not supported"))
