"""clinic-desk (lab.mine.clinicapp), the choice group's application-code codebase: the checks
of tests.helpers.appcode_corpus on lab/corpus/python-clinic-desk.jsonl.zst, and that lab.select
may choose on it."""

from __future__ import annotations

import pytest

from lab.corpus import is_report_only
from lab.mine.clinicapp.bugs import APP
from lab.mine.clinicapp.capture import APPLICATION
from tests.helpers.appcode_corpus import *  # noqa: F403 - the fixture `rows` and the tests


@pytest.fixture(scope="module")
def application():
    return APPLICATION


def test_a_choice_codebase(application):
    assert not is_report_only(APP)  # chosen on: lab.select leaves it out in turn
    assert not application.report_only
