"""The Go and Ruby choice codebases whose faults are in their own code (lab.mine.owncode:
go-cronhook, ruby-tallyhouse): the checks of the report-only pair (test_owncode_corpus), and
their pins, so that adding them moved no earlier codebase between train and choice."""

from __future__ import annotations

import pytest

from lab.corpus import HERE, corpus_files, is_report_only
from lab.mine.owncode import CHOICE, CODEBASES
from tests.lab.test_owncode_corpus import (  # noqa: F401  (collected here with this fixture)
    assert_row_format,
    rows,
    test_bugs_span_four_releases_and_several_entry_points,
    test_each_event_crashes_on_its_labelled_line_of_the_app,
    test_events_go_through_normalisation_and_fingerprinting,
    test_releases_refactor_the_code,
    test_the_generator_writes_the_same_bytes,
    test_the_hard_negatives,
)
from training import mined

CHOSEN = [c for c in CODEBASES if c.name in CHOICE]


@pytest.fixture(scope="module", params=CHOSEN, ids=lambda c: f"{c.language}-{c.name}")
def codebase(request):
    return request.param


def test_one_choice_codebase_a_family_of_each_language():
    assert sorted(c.language for c in CHOSEN) == ["go", "ruby"]


def test_choice_codebases_are_pinned_to_choice_and_the_row_format(codebase, rows):  # noqa: F811
    assert not is_report_only(codebase.name)
    assert mined.PINNED[codebase.name] == mined.CHOICE
    groups = mined.groups(mined.codebase_of(path) for path in corpus_files(HERE))
    assert groups[codebase.name] == mined.CHOICE
    assert_row_format(codebase, rows)
