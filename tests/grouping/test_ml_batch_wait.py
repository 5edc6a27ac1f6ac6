"""The embeddings drain decides a lone new fingerprint at once, and waits for a batch to fill only
once a full batch has shown a flood (grouping.ml.drain)."""

import pytest

from grouping import ml
from monitor.models import GroupHash
from tests.helpers.events import event, ingest

pytestmark = pytest.mark.django_db


@pytest.fixture
def sleeps(monkeypatch) -> list[float]:
    """The drain's waits, recorded instead of slept."""
    waited: list[float] = []
    monkeypatch.setattr(ml.time, "sleep", waited.append)
    return waited


def pending() -> int:
    return GroupHash.objects.filter(ml_state=GroupHash.MLState.PENDING).count()


def test_a_lone_new_fingerprint_is_decided_without_waiting(project, no_breaker, sleeps):
    ingest(project, event())
    assert pending() == 1
    assert ml.drain(wait_ms=20) == 1
    assert sleeps == [] and pending() == 0


def test_after_a_full_batch_the_next_waits_to_fill(project, no_breaker, sleeps):
    for n in range(3):  # three faults, three new fingerprints
        ingest(project, event(crash_function=f"average_{n}", exc_type=f"Error{n}"))
    assert pending() == 3
    assert ml.drain(limit=2, wait_ms=20) == 3
    assert sleeps == [0.02] and pending() == 0
