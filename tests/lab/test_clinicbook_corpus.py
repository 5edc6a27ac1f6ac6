"""The clinicbook codebase (lab.mine.js.clinicbook): a Node choice codebase whose faults are its
own code. Reads the committed file (no capture here): it is a choice codebase, its rows are the
bugs the generator defines and raise their types (and causes), its releases really refactor
(renamed, moved and extracted functions, a class rewrite, an ES module, a renamed file), and
its hard negatives are there (one message from several bugs, one line raising two types)."""

from __future__ import annotations

import random
from collections import defaultdict

import pytest

from lab.corpus import is_report_only, read_rows
from lab.mine.js.clinicbook.__main__ import OUTPUT, SEED, plan
from lab.mine.js.clinicbook.app import files
from lab.mine.js.clinicbook.bugs import BUGS
from tests.helpers.node_service_corpus import assert_rows_are_the_bugs_and_raise_their_types
from training import mined


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return list(read_rows(OUTPUT))


def message(row: dict) -> str:
    return row["event"]["exception"]["values"][-1].get("value", "")


def test_it_is_a_choice_codebase_pinned_so_no_earlier_codebase_moves():
    assert not is_report_only("clinicbook")
    assert mined.PINNED["clinicbook"] == mined.CHOICE


def test_rows_are_the_defined_bugs_and_raise_their_types(rows):
    assert_rows_are_the_bugs_and_raise_their_types("clinicbook", rows, BUGS)
    assert len(rows) >= 280


def test_releases_refactor_the_raising_code(rows):
    frames = defaultdict(set)
    for row in rows:
        frames[row["bug"]].add(row["crash_frame"])
    assert sum(len(f) > 1 for f in frames.values()) >= 12, dict(frames)
    assert frames["clinicbook/schedule/bookAppointment:when:TypeError"] == {
        "schedule/bookings.js:bookAppointment", "schedule/bookings.js:parseWhen"}
    assert frames["clinicbook/billing/invoiceVisit:code:TypeError"] == {
        "billing/invoices.js:invoiceVisit", "billing/fees.js:feeFor"}
    assert "insurance/claims.mjs:checkEligibility" in frames[
        "clinicbook/insurance/checkEligibility:policy:SyntaxError"]


def test_hard_negatives_are_present(rows):
    by_message = defaultdict(set)
    entries = defaultdict(set)
    for row in rows:
        by_message[message(row)].add(row["bug"])
        entries[row["bug"]].add(row["entry"])
    assert len(by_message["Cannot read properties of undefined (reading 'trim')"]) == 3
    assert len(by_message["patient id must be a number"]) == 2
    assert sum(len(e) > 1 for e in entries.values()) >= 25


def test_the_generator_is_seeded_and_renders_each_release_alike():
    assert plan(random.Random(SEED)) == plan(random.Random(SEED))
    assert files(2) == files(2)
    assert "schedule/slots.js" in files(3) and "schedule/availability.js" in files(4)
    assert "insurance/claims.js" in files(1) and "insurance/claims.mjs" in files(2)
    assert "class ReminderService" in files(3)["notify/reminders.js"]
    assert "lib/phone.js" in files(3) and "billing/fees.js" in files(3)
