""""Not the same" holds through the real embeddings worker (Celery, the real model), and through
a retrained model's promotion and a backfill: the next release's variant of an unmerged fault is
never joined back into the issue it was split from."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from embeddings import registry
from embeddings.models import IssueEmbedding
from grouping import ml
from grouping.merge import unmerge_hash
from grouping.models import KeptApart
from monitor.models import GroupHash, Issue
from tests.conftest import wait_for
from tests.helpers.events import B_NEXT, MECHANISM_THRESHOLD, B, event, ingest
from tests.helpers.training import train

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def decided(project, count: int, what: str) -> None:
    done = GroupHash.objects.filter(project=project).exclude(ml_state="pending")
    wait_for(lambda: done.count() == count, timeout=240, message=what)


def test_not_the_same_survives_the_worker_a_promotion_and_a_backfill(
        project, embeddings_worker, redis_client, tmp_path):
    redis_client.delete(ml.BREAKER_KEY)
    alice = get_user_model().objects.create_user("alice", password="pw-alice-123")
    project.grouping_threshold = MECHANISM_THRESHOLD
    project.save()
    ingest(project, event())
    decided(project, 1, "the first decision")
    ingest(project, event(**B, user="2"))
    decided(project, 2, "the second decision")
    first = Issue.objects.get(project=project)
    b_hash = GroupHash.objects.get(project=project, decided_by="ml")  # joined by the worker
    unmerge_hash(b_hash, by=alice)
    assert KeptApart.objects.filter(project=project, lifted_at=None).count() == 1

    ingest(project, event(**B_NEXT, user="3"))  # the next release's variant of B's fault
    decided(project, 3, "the variant's decision")
    variant = GroupHash.objects.filter(project=project).latest("id")
    # Never joined back into the issue it was split from. Where the served text shape leaves the
    # caller out (the shipped model's Python: the crash frame alone), the variant is as near the
    # split issue as the first one, and the constraint keeps it apart from both: its own issue.
    assert variant.issue_id != first.id
    assert Issue.objects.get(pk=first.id).times_seen == 1

    model = train(tmp_path, training_set=None).embedding_model
    registry.promote(model, user=alice)
    call_command("backfill_embeddings", verbosity=0)
    assert IssueEmbedding.objects.filter(model=model).count() == Issue.objects.filter(
        project=project).count()
    ingest(project, event(caller="nightly_report", caller_line="total = cart.average() + 0",
                          user="4"))
    decided(project, 4, "the promoted model's decision")
    newest = GroupHash.objects.filter(project=project).latest("id")
    assert newest.ml_model == model.label  # the promoted model decided it
    assert newest.issue_id != first.id
    assert Issue.objects.get(pk=first.id).times_seen == 1
    assert KeptApart.objects.filter(project=project, lifted_at=None).count() == 1
