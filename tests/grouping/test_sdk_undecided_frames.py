"""A frame sentry-python left undecided (no `in_app`) is not the application's where the SDK
marked others in-app (grouping.clean.sdk_decided, app_frame), as Sentry reads it: a library's
generated code (SQLAlchemy's `<string>` decorators, cattrs' `<cattrs generated …>` functions) or
a compiled library outside site-packages (pydantic 1) is not the crash site that the embedding
text shows and the site key reads. One release of the library has such a frame and the next
has not, so reading it as the application's split one bug per library version
(docs/ml-grouping.md, "Frames the SDK left undecided"). Real sentry-sdk events of the mined
corpus (choosing and trained-on codebases, lab/corpus), and made events for the platforms and
SDKs the rule leaves alone."""

from pathlib import Path

from embeddings import shipped
from grouping import rules as grouping_rules
from grouping.clean import (
    app_frame,
    app_site,
    clean_event,
    match_key,
    raised_by_application,
    sdk_decided,
)
from grouping.policy import frames_of, shaped, shapes_of
from ingest.normalize import normalize_event
from lab import corpus as lab_corpus

CORPUS = Path(__file__).resolve().parents[2] / "lab" / "corpus"


def served_rules() -> grouping_rules.Rules:
    """The grouping rules in the shipped model's text shape (what a fresh `make run` embeds)."""
    choices = shipped.load().choices
    return shaped(grouping_rules.CURRENT, frames_of(choices), shapes_of(choices))


def events_of(codebase: str, label: str) -> list[dict]:
    """Every event of a bug (lab.corpus.site_label), normalized as ingestion does."""
    return [normalize_event(row["event"], 1_700_000_000.0 + i, f"{i:032x}")
            for i, row in enumerate(lab_corpus.read_rows(CORPUS / f"python-{codebase}.jsonl.zst"))
            if lab_corpus.site_label(row) == label]


def undecided(event: dict) -> bool:
    return any(f.get("in_app") is None for e in event.get("exception") or []
               for f in (e.get("stacktrace") or {}).get("frames") or [])


def crash_frame_line(text: str) -> str:
    """The embedding text's first frame line (the crash frame, one frame in the served shape)."""
    return next(line.strip() for line in text.splitlines() if line.startswith("  "))


def test_sqlalchemy_generated_code_is_not_the_crash_site_the_text_shows():
    # SQLAlchemy 1.4 runs `text()` through `<string>` code the SDK leaves undecided; 2.0 does not
    events = events_of("reports-db", "reports-db/queries.run_report/TypeError")
    majors = {e["release"].split("@")[1].split(".")[0] for e in events}
    assert majors == {"1", "2"} and any(undecided(e) for e in events)  # the data holds the case
    rules = served_rules()
    lines = {crash_frame_line(clean_event(e, rules=rules)) for e in events}
    # the application's function and statement in every release (a later one renames the module)
    assert {line.split(" in ")[0] for line in lines} == {"run_report"}
    assert {line.split(": ", 1)[1] for line in lines} == {"return x.execute(x.text(x)).fetchall()"}


def test_a_commit_through_sqlalchemy_2_decorators_shows_the_applications_save():
    events = events_of("reports-db", "reports-db/writes.add_report/IntegrityError")
    assert any(undecided(e) for e in events)
    rules = served_rules()
    lines = {crash_frame_line(clean_event(e, rules=rules)) for e in events}
    assert {line.split(" in ")[0] for line in lines} == {"save"}
    assert {line.split(": ", 1)[1] for line in lines} == {"x.commit()"}


def test_pydantic_1_compiled_frames_neither_key_nor_merge_two_sites():
    # pydantic 1 raises from its compiled `BaseModel.__init__`, left undecided: read as the
    # application's, it keyed every model validation of the codebase alike (`site|…|init`)
    weight = events_of("orders-api", "orders-api/shipping.shipping_weight/ValidationError")
    zone = events_of("orders-api", "orders-api/shipping.shipping_zone/ValidationError")
    assert any(undecided(e) for e in weight + zone)
    assert {match_key(e, "site") for e in weight} == {"site|ValidationError|shipping_weight"}
    assert {match_key(e, "site") for e in zone} == {"site|ValidationError|shipping_zone"}
    # pydantic 1 raised it: the served "type" message shape shows the type alone
    for event in [e for e in weight if undecided(e)]:
        assert not raised_by_application(event["exception"][-1], sdk_decided(event))


def test_a_root_cause_in_generated_code_anchors_on_the_wrappers_site():
    # cattrs 22 raises in a generated `structure_Service` (no path, undecided), wrapped in its
    # ClassValidationError whose stack holds the application's `load_port`
    events = [e for e in events_of("typed-config", "typed-config/models.load_port/ValueError")
              if len(e["exception"]) > 1]
    assert events and all(undecided(e) for e in events)
    assert {match_key(e, "site") for e in events} == {"site|ValueError|load_port"}
    assert {(app_site(e)[0] or {}).get("function") for e in events} == {"load_port"}


def python_event(frames: list[dict], platform: str = "python") -> dict:
    return {"platform": platform, "exception": [
        {"type": "TypeError", "value": "bad", "stacktrace": {"frames": frames}}]}


APP = {"module": "shop.orders", "function": "total", "filename": "shop/orders.py",
       "abs_path": "/srv/shop/orders.py", "lineno": 3, "context_line": "return sum(x)"}
GENERATED = {"module": "lib.core", "function": "helper", "filename": "<string>",
             "abs_path": "<string>", "lineno": 2}


def test_an_sdk_that_marks_frames_decides_and_one_that_marks_none_leaves_the_path_rules():
    decided = python_event([{**APP, "in_app": True}, dict(GENERATED)])
    unmarked = python_event([dict(APP), dict(GENERATED)])
    assert sdk_decided(decided) and not sdk_decided(unmarked)
    assert not app_frame(GENERATED, decided=True)
    assert app_frame(GENERATED, decided=False)  # the path rules read it as in-app, as before
    assert crash_frame_line(clean_event(decided)).startswith("total in shop.orders")
    assert crash_frame_line(clean_event(unmarked)).startswith("helper in lib.core")
    assert match_key(decided, "function") == "TypeError|total"


def test_other_platforms_keep_the_path_rules():
    # only sentry-python's undecided frames are read this way (SDK_DECIDES_IN_APP)
    node = python_event([{**APP, "in_app": True, "filename": "app/orders.js",
                          "abs_path": "/srv/app/orders.js", "module": None},
                         {**GENERATED, "module": None, "filename": "evalmachine.js",
                          "abs_path": "evalmachine.js"}], platform="node")
    assert not sdk_decided(node)
    assert crash_frame_line(clean_event(node)).startswith("helper in ")
