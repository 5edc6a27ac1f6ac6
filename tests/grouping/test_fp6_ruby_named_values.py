"""faultline-fp-6 (served): a Ruby event also reads the names its error's message quotes that
its crash statement writes (grouping.fingerprint.named_components), so two faults of one line
and one exception class are two fingerprints: which call of the line met nil (`undefined
method `fetch' for nil:NilClass` against `undefined method `min_by'`), or which lookup of the
line missed (`key not found: "user"`, a key the code writes, against the unknown keys an input
brings). Names an input brings are not written in the code: one fault's inputs stay one
fingerprint. Other platforms hash as under faultline-fp-5 (but Go, whose printed inputs
faultline-fp-6 masks: test_fp6_go_format_values).

The synthetic events are sentry-ruby's shape (frames outermost first, code lines, in_app); the
corpus events are of the mined Ruby choice codebases (lab/corpus; never a report-only one)."""

from __future__ import annotations

import pytest

from grouping.fingerprint import (
    DEFAULT_CONFIG,
    FP5,
    FP6,
    group,
    quoted_names,
    written_names,
)
from ingest.normalize import normalize_event
from monitor.models import GroupHash, Issue
from tests.helpers.corpus_fingerprints import choice_codebases, merged_and_split
from tests.helpers.events import ingest
from tests.helpers.processing import fingerprint_mode, served_config

PICK = '      choice = shelf.min_by { |book| book[:pages] }.fetch(:title)\n'
LOOKUP = '      contact = CONTACTS.fetch(message.fetch("user"))\n'


def frame(path: str, function: str, line: str, lineno: int, in_app: bool = True) -> dict:
    return {"filename": path, "abs_path": f"/srv/app/{path}", "function": function,
            "lineno": lineno, "context_line": line, "pre_context": ["    def x"],
            "post_context": ["    end"], "in_app": in_app}


def ruby_event(type_: str, value: str, line: str, platform: str = "ruby") -> dict:
    frames = [frame("rack/builder.rb", "call", "      @app.call(env)\n", 244, in_app=False),
              frame("app/router.rb", "block in call", "        body = handler.call(params)\n",
                    32),
              frame("app/books.rb", "pick", line, 53)]
    event = {"platform": platform, "exception": {"values": [
        {"type": type_, "value": value, "stacktrace": {"frames": frames}}]}}
    return normalize_event(event, 1_700_000_000.0, "0" * 32)


def nil_method(name: str, line: str = PICK) -> str:
    """Ruby 3.1-3.3's NoMethodError message, error_highlight's code line and caret below it."""
    return f"undefined method `{name}' for nil:NilClass\n\n{line.rstrip()}\n        ^^^^^^"


def test_two_calls_of_one_line_that_met_nil_are_two_fingerprints():
    fetch = ruby_event("NoMethodError", nil_method("fetch"), PICK)
    min_by = ruby_event("NoMethodError", nil_method("min_by"), PICK)
    assert group(fetch, FP5).hash == group(min_by, FP5).hash  # the merge fp-6 parts
    assert group(fetch, FP6).hash != group(min_by, FP6).hash
    assert group(fetch, FP6).components[-1] == "named:fetch"
    # Ruby 3.4 quotes 'fetch' and names the receiver `nil`: read alike
    modern = ruby_event("NoMethodError", "undefined method 'fetch' for nil", PICK)
    assert group(modern, FP6).components[-1] == "named:fetch"


def test_a_key_the_code_writes_parts_from_keys_an_input_brings():
    missing = ruby_event("KeyError", 'key not found: "user"', LOOKUP)
    unknown = [ruby_event("KeyError", f'key not found: "{name}"', LOOKUP)
               for name in ("raven5795", "lumen6915", "cobalt8805")]
    assert len({group(e, FP6).hash for e in unknown}) == 1  # one fault whatever the input
    assert group(missing, FP6).hash != group(unknown[0], FP6).hash
    assert group(missing, FP5).hash == group(unknown[0], FP5).hash


def test_only_the_messages_first_line_and_whole_names_count():
    # error_highlight's copy of the line below the message is not the error's own words
    assert quoted_names(nil_method("fetch")) == ["fetch"]
    assert written_names("undefined method `min' for nil:NilClass", PICK) == []  # not `min_by`
    assert written_names("undefined method `empty?' for nil:NilClass", "x.empty?") == ["empty?"]
    assert written_names("undefined method `[]' for nil:NilClass", 'c[:phone].strip') == []


def test_other_platforms_hash_as_under_faultline_fp_5():
    for platform in ("python", "node", "php", "go"):
        event = ruby_event("KeyError", 'key not found: "user"', LOOKUP, platform=platform)
        assert group(event, FP6).hash == group(event, FP5).hash
        assert group(event, FP6).previous_hash == group(event, FP5).previous_hash


def test_mined_ruby_choice_codebases_lose_merges_and_split_no_bug():
    codebases = choice_codebases("ruby-")
    if not codebases:
        pytest.skip("no mined Ruby choice codebase in lab/corpus")
    before = after = 0
    for rows in codebases.values():
        merged5, split5 = merged_and_split(rows, FP5)
        merged6, split6 = merged_and_split(rows, FP6)
        assert merged6 <= merged5  # fp-6 only parts fingerprints
        assert split6 == split5  # and no bug takes a fingerprint more
        before, after = before + len(merged5), after + len(merged6)
    assert after < before


@pytest.mark.django_db
def test_issues_made_under_faultline_fp_5_keep_their_events(project):
    """An installation moving to faultline-fp-6 keeps its issues: a Ruby event whose hash
    moved joins the issue its faultline-fp-5 hash has."""

    def payload(method: str) -> dict:
        frames = [frame("app/books.rb", "pick", PICK, 53)]
        return {"platform": "ruby", "exception": {"values": [
            {"type": "NoMethodError", "value": nil_method(method),
             "stacktrace": {"frames": frames}}]}}

    fingerprint_mode(project)
    with served_config(FP5):
        ingest(project, payload("fetch"))
    (issue,) = Issue.objects.all()
    ingest(project, payload("fetch"))
    assert list(Issue.objects.values_list("id", flat=True)) == [issue.id]
    assert Issue.objects.get().times_seen == 2
    configs = sorted(GroupHash.objects.values_list("fingerprint_config", "issue_id"))
    assert configs == [(FP5, issue.id), (FP6, issue.id)]


def test_faultline_fp_6_is_served():
    assert DEFAULT_CONFIG == FP6
