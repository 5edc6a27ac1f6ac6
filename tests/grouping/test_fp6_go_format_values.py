"""faultline-fp-6 (served) for Go: an error's value is read without what a format verb of the
crash statement's string literal printed (grouping.fingerprint.written_format: `quotes: locale
fjord_saffron7` of `errors.Wrapf(err, "quotes: locale %s", p.Locale)` reads `quotes: locale
<arg>`), and a runtime panic without the input it prints (runtime_value: the dynamic type a
failed type assertion met, a bounds error's index and length). Under faultline-fp-5 an input
printed with `%s` or `%v`, not `%q`, made a fingerprint per input. What the code writes stays:
two errors of one function are still two fingerprints. Other platforms hash as before, and an
installation keeps its issues (PREVIOUS).

The synthetic events are sentry-go's shape (the chain innermost first, the stack on the
outermost exception, pkg/errors' wrappers); the corpus events are of the mined Go choice
codebases (lab/corpus; never a report-only one)."""

from __future__ import annotations

import time

import pytest

from grouping.fingerprint import (
    FP5,
    FP6,
    go_literals,
    group,
    runtime_value,
    written_format,
)
from ingest.normalize import normalize_event
from monitor.models import GroupHash, Issue
from tests.helpers.corpus_fingerprints import choice_codebases, merged_and_split
from tests.helpers.events import ingest

LOCALE = '\t\treturn nil, errors.Wrapf(err, "quotes: locale %s", p.Locale)'
MEDIA = '\t\treturn errors.Errorf("media: %s over the image limit", name)'
TOO_BIG = '\t\treturn errors.Errorf("media: %s is %d bytes too big", name, size)'


def frames(line: str, function: str = "createQuote") -> list[dict]:
    return [
        {"module": "main", "function": "serveCall", "abs_path": "/srv/rates/rpc.go",
         "lineno": 88, "in_app": True, "context_line": "\treply(w, dispatch(r.Context(), c))"},
        {"module": "main", "function": function, "abs_path": "/srv/rates/quotes.go",
         "lineno": 41, "in_app": True, "context_line": line},
    ]


def go_event(chain: list[tuple[str, str]], line: str, function: str = "createQuote",
             platform: str = "go") -> dict:
    values = [{"type": t, "value": v} for t, v in chain]
    values[-1]["stacktrace"] = {"frames": frames(line, function)}
    return normalize_event({"platform": platform, "exception": {"values": values}},
                           1_700_000_000.0, "0" * 32)


def wrapped(inner: str, own: str, line: str = LOCALE) -> dict:
    """pkg/errors' Wrapf: the inner error, withMessage and withStack each repeating it."""
    text = f"{own}: {inner}"
    return go_event([("*errors.errorString", inner), ("*errors.withMessage", text),
                     ("*errors.withStack", text)], line)


def test_inputs_a_wrapper_prints_with_s_are_one_fingerprint():
    first = wrapped("unknown locale", "quotes: locale grace-quartz7")
    second = wrapped("unknown locale", "quotes: locale fjord_saffron12")
    assert group(first, FP5).hash != group(second, FP5).hash  # one per input before
    assert group(first, FP6).hash == group(second, FP6).hash
    assert "value:quotes: locale <arg>: " in group(first, FP6).components


def test_an_unwrapped_formatted_error_is_one_fingerprint_whatever_it_printed():
    names = ("xenon.png", "willow.png", "saffron.png")
    events = [go_event([("*errors.fundamental", f"media: {n} over the image limit")], MEDIA,
                       "classifyMedia") for n in names]
    assert len({group(e, FP5).hash for e in events}) == 3
    assert len({group(e, FP6).hash for e in events}) == 1


def test_two_errors_of_one_function_stay_two_fingerprints():
    limit = go_event([("*errors.fundamental", "media: a.png over the image limit")], MEDIA,
                     "classifyMedia")
    size = go_event([("*errors.fundamental", "media: a.png is 12 bytes too big")], TOO_BIG,
                    "classifyMedia")
    assert group(limit, FP6).hash != group(size, FP6).hash
    # one line whose format the value is not (a library's error passed through) keeps it
    other = go_event([("*errors.fundamental", "media: decoder gave up")], MEDIA, "classifyMedia")
    assert "value:media: decoder gave up" in group(other, FP6).components
    assert group(other, FP6).hash != group(limit, FP6).hash


def test_a_bare_format_and_a_caller_s_format_mask_nothing():
    capture = "\t\tsentry.CaptureException(fmt.Errorf(\"%s: %v\", op, err))"
    events = [go_event([("*errors.errorString", f"{op}: gave up")], capture) for op in "ab"]
    assert len({group(e, FP6).hash for e in events}) == 2
    assert go_literals([capture]) == []  # no word of its own: it would fit any value
    assert go_literals(['\treturn errors.Wrapf(err, "match: %s", t.Pattern)']) == ["match: %s"]
    assert written_format("quotes: locale x: ", "quotes: locale %s") == "quotes: locale <arg>: "
    assert written_format("convert: to \"ZZ\": ", "convert: to %q") == "convert: to <str>: "
    assert written_format("other text", "quotes: locale %s") is None


def test_a_type_assertion_keeps_the_type_asserted_not_the_one_met():
    line = '\tversion := item["version"].(float64)'
    met = [go_event([("*runtime.TypeAssertionError",
                      f"interface conversion: interface {{}} is {t}, not float64")], line)
           for t in ("nil", "string", "map[string]interface {}")]
    assert len({group(e, FP5).hash for e in met}) == 3
    assert len({group(e, FP6).hash for e in met}) == 1
    assert runtime_value("interface conversion: interface {} is nil, not string",
                         "*runtime.TypeAssertionError") == \
        "interface conversion: interface {} is <type>, not string"


def test_a_bounds_error_keeps_its_kind_not_its_index():
    line = "\twait := schedule[task.Attempt] + backoff"
    negative = go_event([("runtime.boundsError", "runtime error: index out of range [-1]")],
                        line)
    past = go_event([("runtime.boundsError",
                      "runtime error: index out of range [5] with length 3")], line)
    sliced = go_event([("runtime.boundsError",
                        "runtime error: slice bounds out of range [:5] with capacity 3")], line)
    assert group(negative, FP5).hash != group(past, FP5).hash
    assert group(negative, FP6).hash == group(past, FP6).hash
    assert group(sliced, FP6).hash != group(past, FP6).hash
    # another type's value of the same text is not the runtime's
    assert runtime_value("index out of range [5]", "*errors.errorString") == \
        "index out of range [5]"


def test_other_platforms_hash_as_before():
    for platform in ("python", "node", "php", "java"):
        first = go_event([("ValueError", "quotes: locale grace-quartz7")], LOCALE,
                         platform=platform)
        second = go_event([("ValueError", "quotes: locale fjord_saffron12")], LOCALE,
                          platform=platform)
        for event in (first, second):
            assert group(event, FP6).hash == group(event, FP5).hash
            assert group(event, FP6).previous_hash == group(event, FP5).previous_hash


def test_a_moved_go_hash_falls_back_to_its_faultline_fp_5_hash():
    event = wrapped("unknown locale", "quotes: locale grace-quartz7")
    assert group(event, FP6).hash != group(event, FP5).hash
    assert group(event, FP6).previous_hash == group(event, FP5).hash


def test_matching_a_format_stays_linear_on_hostile_values():
    literal = "a %s b %s c %s d %s e %s f %s g %s h"
    value = "a " + "b " * 200_000 + "c"
    started = time.perf_counter()
    assert written_format(value, literal) is None
    assert written_format(value[:4096], literal) is None
    line = f'\treturn errors.Errorf("{literal}")'
    event = go_event([("*errors.fundamental", "a " + "b " * 30_000)], line)
    group(event, FP6)
    assert time.perf_counter() - started < 1.0


def test_mined_go_choice_codebases_lose_splits_and_merge_no_bugs():
    codebases = choice_codebases("go-")
    if not codebases:
        pytest.skip("no mined Go choice codebase in lab/corpus")
    before = after = 0
    for rows in codebases.values():
        merged5, split5 = merged_and_split(rows, FP5)
        merged6, split6 = merged_and_split(rows, FP6)
        assert merged6 == merged5  # no two bugs share a fingerprint they did not share
        assert all(split6[bug] <= split5[bug] for bug in split5)  # fp-6 only joins
        before += sum(split5.values()) - len(split5)
        after += sum(split6.values()) - len(split6)
    assert after < before


@pytest.mark.django_db
def test_issues_made_under_faultline_fp_5_keep_their_events(project, monkeypatch):
    """An installation moving to faultline-fp-6 keeps its issues: a Go event whose hash moved
    joins the issue its faultline-fp-5 hash has."""
    from ingest import processing

    def payload(locale: str) -> dict:
        text = f"quotes: locale {locale}: unknown locale"
        values = [{"type": "*errors.errorString", "value": "unknown locale"},
                  {"type": "*errors.withMessage", "value": text},
                  {"type": "*errors.withStack", "value": text,
                   "stacktrace": {"frames": frames(LOCALE)}}]
        return {"platform": "go", "exception": {"values": values}}

    project.grouping_mode = project.GroupingMode.FINGERPRINT
    project.save(update_fields=["grouping_mode"])
    monkeypatch.setattr(processing, "fingerprint_config_for", lambda project: FP5)
    ingest(project, payload("grace-quartz7"))
    (issue,) = Issue.objects.all()
    monkeypatch.setattr(processing, "fingerprint_config_for", lambda project: FP6)
    ingest(project, payload("grace-quartz7"))
    ingest(project, payload("fjord_saffron12"))  # a new input: the fp-6 hash, one issue
    assert list(Issue.objects.values_list("id", flat=True)) == [issue.id]
    assert Issue.objects.get().times_seen == 3
    configs = sorted(GroupHash.objects.values_list("fingerprint_config", "issue_id"))
    assert configs == [(FP5, issue.id), (FP6, issue.id)]
