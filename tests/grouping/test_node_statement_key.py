"""Node's "statement" key (grouping.clean.statement_key), a key rule lab.select tries (tried
as a join by key with the veto on the Node choice codebases, not chosen and not served:
docs/ml-grouping.md, "Node's crash statement"): a fault of the application's own code keeps
one key when a release renames its function, moves it to another module or into a class, or
an ES module or another entry point reaches it, because the key is the crash statement as
written and the type, with no function and no file; two statements, two types of one
statement, and one library call failing in two ways keep their own keys."""

from __future__ import annotations

import json
from pathlib import Path

from grouping.clean import match_key, statement_key
from grouping.policy import JOIN, GroupingPolicy, frames_of, shaped, shapes_of
from grouping.rules import Rules
from lab.select import Candidate, Selection, Verdict, as_rules
from tests.helpers.events import normalize

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "embeddings/shipped/faultline-grouping/manifest.json"
LINE = "const patientId = Number(input.patient.id);"


def crash(function: str, file: str, line: str = LINE, type_: str = "TypeError",
          value: str = "Cannot read properties of undefined (reading 'id')",
          entry: str = "web.js", callee: dict | None = None) -> dict:
    """A Node fault at `line` of `function` in `file`, reached from `entry`."""
    frames = [
        {"filename": f"/srv/app/{entry}", "function": "handle", "lineno": 12, "in_app": True,
         "context_line": "const result = await operation(name)(body);"},
        {"filename": f"/srv/app/{file}", "function": function, "lineno": 40, "in_app": True,
         "context_line": line},
    ]
    if callee:
        frames.append(callee)
    return normalize({"platform": "node", "exception": {"values": [{
        "type": type_, "value": value, "stacktrace": {"frames": frames}}]}})


def library(function: str) -> dict:
    return {"filename": "/srv/node_modules/cookie/index.js", "function": function,
            "lineno": 150, "in_app": False, "context_line": "throw new TypeError(msg);"}


def test_a_renamed_moved_or_otherwise_reached_function_keeps_its_statement_key():
    before = crash("bookAppointment", "schedule/bookings.js")
    renamed = crash("createBooking", "schedule/bookings.js")
    moved = crash("ReminderService.render", "notify/reminders.mjs", entry="koa.js")
    assert statement_key(before) == statement_key(renamed) == statement_key(moved)
    # the served Node rule before (the site's function) parted them
    assert match_key(before, "site+callee") != match_key(renamed, "site+callee")


def test_two_statements_or_two_types_of_one_statement_keep_their_own_keys():
    one = crash("registerPatient", "patients/registry.js", line="const name = input.name.trim();")
    other = crash("registerPatient", "patients/registry.js",
                  line="const email = input.contact.email.toLowerCase();")
    assert statement_key(one) != statement_key(other)
    note = "const note = input.note.normalize(input.form || 'NFC');"
    missing = crash("renderReminder", "notify/reminders.js", line=note)
    bad_form = crash("renderReminder", "notify/reminders.js", line=note, type_="RangeError",
                     value="The normalization form should be one of NFC, NFD, NFKC, NFKD.")
    assert statement_key(missing) != statement_key(bad_form)


def test_a_library_call_failing_two_ways_keeps_the_librarys_words_apart():
    line = 'return cookie.serialize("sid", "x", { maxAge: input.maxAge, sameSite: input.s });'
    max_age = crash("cookieOptions", "session.js", line=line, value="option maxAge is invalid",
                    callee=library("serialize"))
    same_site = crash("cookieOptions", "session.js", line=line,
                      value="option sameSite is invalid", callee=library("serialize"))
    assert statement_key(max_age) != statement_key(same_site)
    # the application's own statement: the values in its message do not part one fault
    one = crash("getPatient", "patients/registry.js", value="patient 1234 not found",
                type_="MissingRecordError")
    two = crash("getPatient", "patients/registry.js", value="patient 98 not found",
                type_="MissingRecordError")
    assert statement_key(one) == statement_key(two)


def test_a_site_without_a_code_line_falls_back_to_the_site_key():
    bare = crash("createBooking", "dist/server.js", line="")
    assert statement_key(bare) == match_key(bare, "site")


def test_a_manifest_choosing_the_statement_join_for_node_serves_it_to_node_alone():
    """A manifest choosing it (as lab.select wrote one before the choice group was corrected;
    not served) read as production reads a model's manifest."""
    choices = json.loads(MANIFEST.read_text())["choices"]
    for table, value in (("key_rules", "statement"), ("thresholds", JOIN),
                         ("conflict_thresholds", 0.0), ("frames", 6),
                         ("lines", "operations"), ("messages", "raw")):
        choices[table] = {**choices[table], "node": value}
    policy = GroupingPolicy(
        rules=shaped(Rules(), frames_of(choices), shapes_of(choices)),
        thresholds=choices["thresholds"], conflict_thresholds=choices["conflict_thresholds"],
        key_rules=choices["key_rules"])
    assert policy.key_rule("node") == "statement"
    assert policy.threshold("node") == JOIN and policy.conflict_threshold("node") == 0.0
    assert policy.rules.line_for("node") == "operations" and policy.rules.frames_for("node") == 6
    renamed = crash("createBooking", "schedule/bookings.js")
    assert policy.key(renamed) == policy.key(crash("bookAppointment", "schedule/bookings.js"))
    assert policy.key(renamed).startswith("stmt|")
    # browser JavaScript keeps its own rule
    assert policy.key_rule("javascript") == "site+callee"
    assert policy.threshold("javascript") == 0.02


def test_a_join_with_the_veto_is_written_in_the_text_shape_it_was_scored_in():
    chosen = Verdict(Candidate("statement", True, 1.0, frames=6, join=True, line="operations"),
                     (), JOIN)
    plain = Verdict(Candidate("site", False, 1.0, frames=6, join=True, line="operations"),
                    (), JOIN)
    selection = Selection(chosen={"node": chosen, "go": plain}, fallback=None,
                          fallback_today=None, verdicts={}, today={})
    rules = as_rules(selection, lambda family: ("site+callee", 0.02, True), 2)
    assert rules["lines"]["node"] == "operations" and rules["frames"]["node"] == 6
    assert rules["key"]["node"] == "statement"
    assert rules["conflict_thresholds"]["node"] == 0.0
    assert rules["lines"]["go"] == "raw" and rules["frames"]["go"] == 0
