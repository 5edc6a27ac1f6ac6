"""A "not the same" constraint a person makes while a batch runs (the project had
none when the batch began) must still keep the split fault's next variant out of the issue."""

import pytest

from grouping import ml, shadow
from grouping.merge import unmerge_hash
from grouping.models import KeptApart
from monitor.models import GroupHash, Issue
from tests.helpers.events import B_NEXT, B, decide, event, ingest, loosen

pytestmark = pytest.mark.django_db


def _joined_then_split_during_batch(project, monkeypatch, during: bool):
    loosen(project)
    ingest(project, event())
    decide()
    first = Issue.objects.get(project=project)
    ingest(project, event(**B, user="2"))
    decide()
    b_hash = GroupHash.objects.get(project=project, decided_by="ml")
    assert b_hash.issue_id == first.id
    if not during:
        unmerge_hash(b_hash)
    ingest(project, event(**B_NEXT, user="3"))
    if during:
        original = shadow.decide_all

        def person_unmerges_meanwhile(*args, **kwargs):
            unmerge_hash(GroupHash.objects.get(pk=b_hash.pk))  # committed mid-batch
            return original(*args, **kwargs)

        monkeypatch.setattr(ml.shadow, "decide_all", person_unmerges_meanwhile)
    decide()
    assert KeptApart.objects.filter(project=project, lifted_at=None).exists()
    variant = GroupHash.objects.filter(project=project).latest("id")
    return first, variant


def test_constraint_made_before_the_batch(project, no_breaker, monkeypatch):
    first, variant = _joined_then_split_during_batch(project, monkeypatch, during=False)
    assert variant.issue_id != first.id


def test_constraint_made_while_the_batch_runs(project, no_breaker, monkeypatch):
    first, variant = _joined_then_split_during_batch(project, monkeypatch, during=True)
    assert variant.issue_id != first.id, (variant.decided_by, variant.ml_distance)
