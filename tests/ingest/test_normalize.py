"""Normalization of real and hostile event shapes (pure)."""

import json
import time

import pytest

from ingest.normalize import (
    normalize_event,
    parse_timestamp,
)
from monitor import limits
from tests.helpers.sdk_payloads import STORE_EVENTS, require_corpus, store_event

NOW = 1_700_000_000.0


def norm(event, **kwargs):
    return normalize_event(event, NOW, "0" * 32, **kwargs)


def test_corpus_is_present():
    require_corpus()
    assert len(STORE_EVENTS) >= 14


@pytest.mark.parametrize("name", STORE_EVENTS)
def test_every_sdk_payload_normalizes_to_json_safe_data(name):
    event = norm(store_event(name))
    json.dumps(event, ensure_ascii=False).encode("utf-8")  # storable as jsonb
    assert (
        event["title"]
        and event["title"] != "<unlabeled event>"
        or name.endswith("very_small_event.json")
    )
    assert event["level"] in {"debug", "info", "warning", "error", "fatal"}


def test_python_zero_division_shape():
    require_corpus()
    event = norm(store_event("incoming_events__python_zero_division.json"))
    assert event["title"].startswith("ZeroDivisionError: division by zero")
    assert event["type"] == "error"
    frames = event["exception"][-1]["stacktrace"]["frames"]
    assert all("lineno" in f for f in frames)
    assert event["culprit"]


def test_message_with_params_is_formatted_and_template_kept():
    event = norm({"logentry": {"message": "user %s failed %d times", "params": ["bob", 3]}})
    assert event["message"] == "user bob failed 3 times"
    assert event["logentry"]["message"] == "user %s failed %d times"
    assert event["type"] == "default"
    assert event["title"] == "user bob failed 3 times"


def test_legacy_interfaces_and_single_exception():
    event = norm(
        {
            "sentry.interfaces.Exception": {"type": "ValueError", "value": "bad"},
            "sentry.interfaces.Message": {"message": "hi"},
            "sentry.interfaces.User": {"id": 7},
        }
    )
    assert event["exception"][0]["type"] == "ValueError"
    assert event["message"] == "hi"
    assert ["user", "id:7"] in event["tags"]


def test_timestamps():
    assert parse_timestamp("2020-04-25T19:36:56.584908333Z") == pytest.approx(1587843416.584908)
    assert parse_timestamp(1587843416584) == pytest.approx(1587843416.584)  # milliseconds
    assert parse_timestamp("1587843416.5") == pytest.approx(1587843416.5)
    assert parse_timestamp("yesterday") is None
    assert norm({"timestamp": NOW + 3600})["timestamp"] == NOW  # future clamps to received
    assert norm({"timestamp": "garbage"})["timestamp"] == NOW


def test_levels_and_tags_in_every_form():
    assert norm({"level": "warn"})["level"] == "warning"
    assert norm({"level": 50})["level"] == "fatal"
    assert norm({"level": "nonsense"})["level"] == "error"
    for tags in ({"a": "1"}, [["a", "1"]], ["a:1"]):
        assert ["a", "1"] in norm({"tags": tags})["tags"]
    assert ["b", "x"] not in norm({"tags": {"b": {"nested": "x"}}})["tags"]


def test_nul_and_lone_surrogates_are_removed():
    event = norm({"message": "a\x00b\ud800c", "extra": {"k\x00": "v\udfff"}})
    assert event["message"] == "ab\ufffdc"
    json.dumps(event, ensure_ascii=False).encode("utf-8")


def recursion_event(depth: int) -> dict:
    frames = [
        {
            "filename": "app.py",
            "function": "walk",
            "lineno": 10,
            "in_app": True,
            "context_line": "return walk(node.child)",
            "vars": {"node": "x" * 50},
        }
        for _ in range(depth)
    ]
    return {
        "exception": {
            "values": [
                {
                    "type": "RecursionError",
                    "value": "maximum recursion",
                    "stacktrace": {"frames": frames},
                }
            ]
        }
    }


def test_ten_thousand_frame_recursion_is_bounded_quickly():
    event = recursion_event(10_000)
    started = time.perf_counter()
    out = norm(event)
    elapsed = time.perf_counter() - started
    stacktrace = out["exception"][0]["stacktrace"]
    assert len(stacktrace["frames"]) == limits.EVENT_FRAMES_PER_STACK
    assert stacktrace["frames_omitted"] == [50, 10_000 - 200]
    assert elapsed < 5  # generous: bounded work, not a benchmark
    assert len(json.dumps(out)) < 1_000_000


def test_source_context_keeps_the_lines_next_to_the_crash_line():
    lines = [f"line {i}" for i in range(1_000)]
    frame = {"function": "f", "context_line": "x(", "pre_context": lines, "post_context": lines}
    out = norm({"exception": {"values": [{"type": "E", "stacktrace": {"frames": [frame]}}]}})
    kept = out["exception"][0]["stacktrace"]["frames"][0]
    assert kept["pre_context"] == lines[-10:] and kept["post_context"] == lines[:10]


def test_chained_exceptions_are_bounded_to_the_most_recent():
    values = [{"type": f"E{i}", "value": str(i)} for i in range(100)]
    out = norm({"exception": {"values": values}})
    assert [e["type"] for e in out["exception"]][-1] == "E99"
    assert len(out["exception"]) == 25


def test_deep_and_wide_extra_data_is_bounded():
    deep: dict = {}
    node = deep
    for _ in range(50):
        node["x"] = {}
        node = node["x"]
    out = norm({"extra": {"deep": deep, "wide": list(range(10_000)), "long": "y" * 100_000}})
    assert len(json.dumps(out["extra"])) < 20_000


def test_csp_report():
    out = norm(
        {
            "csp-report": {
                "blocked-uri": "http://evil.example/x.js",
                "effective-directive": "script-src-elem",
                "document-uri": "https://app.example/",
            }
        },
        kind="csp",
    )
    assert out["title"] == "Blocked 'script' from 'evil.example'"
    assert out["type"] == "csp"
    assert out["culprit"] == "script-src-elem"


def test_unlabeled_event():
    out = norm({})
    assert out["title"] == "<unlabeled event>"
    assert out["platform"] == "other" and out["level"] == "error"


@pytest.mark.parametrize(
    "event",
    [
        {"exception": "boom"},
        {"exception": {"values": "nope"}},
        {"exception": {"values": [{"type": 5, "value": {"a": 1}, "stacktrace": {"frames": {}}}]}},
        {"exception": [{"stacktrace": {"frames": ["x", None, 3, {"lineno": "12"}]}}]},
        {"tags": 7, "user": ["x"], "request": "GET /", "breadcrumbs": "crumbs"},
        {"contexts": [], "extra": "x", "sdk": 1, "fingerprint": "not-a-list"},
        {"level": None, "platform": 3, "timestamp": True, "message": ["a", "list"]},
        {"threads": {"values": [{"id": True, "stacktrace": {"frames": [{"function": None}]}}]}},
        {"logentry": {"message": "%s %s", "params": ["only one"]}},
        {"logentry": {"message": "{0} and {1}", "params": ["a"]}},
    ],
)
def test_wrongly_typed_fields_never_crash(event):
    out = norm(event)
    json.dumps(out, ensure_ascii=False).encode("utf-8")
    assert out["title"]


def frames_of(*frames: dict) -> list[dict]:
    event = norm({"exception": {"values": [{"type": "E", "stacktrace": {"frames": list(frames)}}]}})
    return event["exception"][0]["stacktrace"]["frames"]


def test_a_frame_with_only_abs_path_gets_its_filename_as_sentry_go_sends_it():
    """sentry-go sends `abs_path` without `filename`; Sentry's server fills the filename."""
    (frame,) = frames_of({"module": "main", "function": "checkout", "lineno": 27,
                          "abs_path": "/src/shop/main.go", "in_app": True})
    assert frame["filename"] == "/src/shop/main.go"
    assert frame["abs_path"] == "/src/shop/main.go"
    assert (frame["module"], frame["function"], frame["lineno"]) == ("main", "checkout", 27)


@pytest.mark.parametrize(
    ("sent", "filename", "abs_path"),
    [
        ({"filename": "http://foo.com/foo.js"}, "/foo.js", "http://foo.com/foo.js"),
        ({"abs_path": "https://cdn.example/js/app.min.js?v=3#x"}, "/js/app.min.js",
         "https://cdn.example/js/app.min.js?v=3#x"),
        ({"abs_path": "file:///tmp/app.js"}, "/tmp/app.js", "file:///tmp/app.js"),
        ({"filename": "foo.js", "abs_path": "http://foo.com/foo.js"}, "foo.js",
         "http://foo.com/foo.js"),
        ({"filename": "", "abs_path": "http://foo.com/foo.js"}, "/foo.js", "http://foo.com/foo.js"),
        ({"abs_path": "http://foo.com"}, "http://foo.com", "http://foo.com"),
        ({"abs_path": "http://foo.com/"}, "http://foo.com/", "http://foo.com/"),
        ({"abs_path": "http://[broken/x.js"}, "/x.js", "http://[broken/x.js"),
        ({"abs_path": "applewebdata://1F2E-3D"}, "applewebdata://1F2E-3D", "applewebdata://1F2E-3D"),
        ({"filename": "HTTPS://Foo.com/b.js"}, "HTTPS://Foo.com/b.js", "HTTPS://Foo.com/b.js"),
        ({"filename": "app:///index.bundle"}, "app:///index.bundle", "app:///index.bundle"),
        ({"filename": "webpack:///./src/a.jsx"}, "webpack:///./src/a.jsx",
         "webpack:///./src/a.jsx"),
        ({"filename": "app/models/order.rb"}, "app/models/order.rb", "app/models/order.rb"),
    ],
)
def test_filename_and_abs_path_fill_each_other_as_relay_does(sent, filename, abs_path):
    (frame,) = frames_of({"function": "f", **sent})
    assert (frame["filename"], frame["abs_path"]) == (filename, abs_path)


def test_in_app_is_the_sdks_boolean_and_frame_platforms_are_lowercase():
    """A missing flag stays missing: fingerprints read it as not in-app (as Sentry does) and the
    ML text infers it from the path and module (grouping.clean.is_in_app)."""
    first, second, third = frames_of({"function": "a", "in_app": False},
                                     {"function": "b", "in_app": "yes", "platform": "Python"},
                                     {"function": "c", "in_app": True})
    assert [first["in_app"], "in_app" in second, third["in_app"]] == [False, False, True]
    assert second["platform"] == "python"


def test_a_frame_without_any_location_or_name_is_dropped():
    """Nothing to show or group on (a lineno alone, or only nulls); the rest are kept."""
    frames = frames_of({"lineno": 3}, {"function": None, "filename": ""}, {"function": "kept"})
    assert [f["function"] for f in frames] == ["kept"]


def test_every_sdk_payload_frame_has_a_filename_where_it_has_a_path():
    require_corpus()
    seen = 0
    for name in STORE_EVENTS:
        event = norm(store_event(name))
        stacks = [exc.get("stacktrace") or {} for exc in event.get("exception") or []]
        stacks += [t.get("stacktrace") or {} for t in event.get("threads") or []]
        stacks.append(event.get("stacktrace") or {})
        for frame in (f for stack in stacks for f in stack.get("frames") or []):
            if frame.get("abs_path") or frame.get("filename"):
                seen += 1
                assert frame["filename"] and frame["abs_path"], (name, frame)
    assert seen > 50
