"""invoice-desk (lab/corpus/python-invoice-desk.jsonl.zst, lab.mine.appcode), a report-only
codebase whose faults are its own code: tests.helpers.appcode_corpus's checks, and its status."""

from __future__ import annotations

import pytest

from lab.corpus import is_report_only
from lab.mine.appcode.bugs import APP
from lab.mine.appcode.capture import APPLICATION
from tests.helpers.appcode_corpus import *  # noqa: F403 - the fixture `rows` and the tests


@pytest.fixture(scope="module")
def application():
    return APPLICATION


def test_report_only(application):
    assert is_report_only(APP) and application.report_only
