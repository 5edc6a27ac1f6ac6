"""Numbers an SDK sends as text, or past what a reader takes, must not make an accepted event
fail in the worker: each such failure is retried and the event ends as a dead letter, lost
after its 200. `str.isdigit` is true of `²`, which int() refuses; `lstrip("-")` let `--5`
through to int(); int() refuses more than 4,300 digits; symbolic reads positions as uint32."""

import json
import uuid

import pytest

from ingest.models import RawEvent
from monitor.models import Event
from sourcemaps.parsed import ParsedMaps
from sourcemaps.symbolicate import Artifact, resolve_event
from tests.helpers.processing import drain, raw

pytestmark = pytest.mark.django_db


def frame_event(lineno) -> dict:
    return {"platform": "python", "exception": {"values": [{"type": "E", "value": "v",
            "stacktrace": {"frames": [{"function": "f", "module": "m", "lineno": lineno}]}}]}}


@pytest.mark.parametrize("event", [
    frame_event("²"), frame_event("--5"), frame_event("9" * 5000),
    {"logentry": {"message": "x {²} y", "params": ["a"]}},
    {"logentry": {"message": "x {" + "9" * 5000 + "} y", "params": ["a"]}},
], ids=["superscript", "two-minus", "5000-digits", "brace-superscript", "brace-digits"])
def test_an_event_with_odd_numbers_is_stored_not_dead_lettered(project, event):
    raw(project, event)
    drain()
    assert list(RawEvent.objects.values_list("last_error", flat=True)) == []
    assert Event.objects.filter(project=project).count() == 1


def test_numbers_an_sdk_sends_as_text_are_still_read(project):
    raw(project, frame_event(" -12 "))
    raw(project, {"logentry": {"message": "{1} {0}", "params": ["a", "b"]}})
    drain()
    frames = [e.data["exception"][0]["stacktrace"]["frames"][0]
              for e in Event.objects.filter(project=project) if "exception" in e.data]
    assert frames[0]["lineno"] == -12
    assert Event.objects.filter(project=project, title="b a").exists()


class Loader:
    def by_debug_id(self, debug_id, kind, content=True):
        if kind != "source_map":
            return None
        source_map = json.dumps({"version": 3, "sources": ["a.ts"], "names": [],
                                 "mappings": "AAAA"}).encode()
        return Artifact("~/app.js.map", source_map if content else b"", {}, 1, 1)

    def by_url(self, urls, release, dist):
        return None

    def fetch(self, url, kind):
        return None, ""


@pytest.mark.parametrize("position", [(2**32 + 1, 1), (1, 2**40), (10**30, 10**30)])
def test_a_frame_position_past_uint32_is_left_as_sent(position):
    lineno, colno = position
    debug_id = uuid.UUID(int=3)
    event = {"platform": "javascript",
             "debug_meta": {"images": [{"type": "sourcemap", "code_file": "https://x/app.js",
                                        "debug_id": str(debug_id)}]},
             "exception": [{"type": "Error", "value": "x", "stacktrace": {"frames": [
                 {"abs_path": "https://x/app.js", "lineno": lineno, "colno": colno},
                 {"abs_path": "https://x/app.js", "lineno": 1, "colno": 1}]}}]}
    resolve_event(event, Loader(), 20, ParsedMaps(1 << 20), 1 << 20)
    odd, ordinary = event["exception"][0]["stacktrace"]["frames"]
    assert odd["lineno"] == lineno and "filename" not in odd
    assert ordinary["filename"] == "a.ts"
