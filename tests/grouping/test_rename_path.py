"""The rename path (grouping.rename): a fault whose function a release renamed joins its issue
by its crash statement, and the release evidence keeps a second site of the same statement
apart. Events are returns-desk's, as mined (lab/corpus), through the real pipeline (ingest,
processing, the embeddings worker's decision) and the shipped model."""

from __future__ import annotations

import pytest

from grouping.models import FingerprintRelease
from grouping.policy import RENAME_PATH, policy_for
from grouping.rename import digest, release_of, renamed, site_of, statement
from monitor.models import GroupHash
from tests.helpers.events import normalize
from tests.helpers.returns_desk import FINAL_SALE, HAZMAT, NO_ADDRESS, arrive, mined

pytestmark = pytest.mark.django_db


def test_the_statement_is_the_crash_line_as_written_with_the_type_and_message_template():
    before, after = normalize(mined(NO_ADDRESS, "2.0.0")), normalize(mined(NO_ADDRESS, "2.1.0"))
    assert (site_of(before), site_of(after)) == ("make_label", "build_label")
    assert statement(before) == statement(after) == (
        'TypeError|carrier = CARRIERS[address["country"]]|<str> object is not subscriptable')
    assert release_of(after) == "returns-desk@2.1.0"
    assert len(digest(statement(after))) == 32 and digest("") == ""
    # a site without a code line has no statement to compare
    lineless = normalize(mined(NO_ADDRESS, "2.0.0"))
    for exc in lineless["exception"]:
        for frame in (exc.get("stacktrace") or {}).get("frames") or []:
            frame.pop("context_line", None)
    assert statement(lineless) == ""


def test_release_evidence():
    sites = {("1.0", "open_return"), ("1.1", "put_away")}
    assert renamed(sites, "create_return", "1.2", "site")  # nothing of 1.2 in the issue
    assert not renamed(sites, "create_return", "1.1", "site")  # put_away still crashes in 1.1
    assert renamed({("1.1", "create_return")}, "create_return", "1.1", "site")  # same site
    assert renamed(sites, "create_return", "1.2", "release")
    assert not renamed({("1.2", "create_return")}, "create_return", "1.2", "release")


def test_a_renamed_function_keeps_its_issue(ml_project):
    first = arrive(ml_project, mined(NO_ADDRESS, "2.0.0"))
    later = arrive(ml_project, mined(NO_ADDRESS, "2.1.0"))  # make_label → build_label
    assert later.issue_id == first.issue_id
    joined = GroupHash.objects.get(project=ml_project, hash=later.grouping_hash)
    assert joined.decided_by == GroupHash.DecidedBy.ML
    assert joined.ml_rule == RENAME_PATH.source
    assert joined.ml_distance <= RENAME_PATH.tight
    # the key alone would have opened a second issue: the two keys differ
    policy = policy_for(ml_project)
    assert policy.key(first.data) != policy.key(later.data)
    # what the installation keeps for the path
    assert joined.site_function == "build_label"
    assert set(FingerprintRelease.objects.filter(group_hash__project=ml_project)
               .values_list("group_hash__site_function", "release")) == {
        ("make_label", "returns-desk@2.0.0"), ("build_label", "returns-desk@2.1.0")}


def test_a_second_live_site_of_one_statement_stays_apart(ml_project):
    """The same statement in a function of another name is a second site, not a rename, when
    the candidate issue's own site still crashes in the new event's release."""
    first = arrive(ml_project, mined(NO_ADDRESS, "2.0.0"))
    still_there = dict(mined(NO_ADDRESS, "2.0.0"), release="returns-desk@2.1.0")
    assert arrive(ml_project, still_there).issue_id == first.issue_id  # its fingerprint
    other_site = arrive(ml_project, mined(NO_ADDRESS, "2.1.0"))  # build_label, in 2.1.0 too
    assert other_site.issue_id != first.issue_id
    decided = GroupHash.objects.get(project=ml_project, hash=other_site.grouping_hash)
    assert decided.ml_state == GroupHash.MLState.DONE and decided.ml_rule != RENAME_PATH.source


def test_of_two_sites_of_one_statement_the_renamed_one_joins_its_own(ml_project):
    """restock.put_away and rma.open_return raise one statement; open_return is renamed
    create_return in 2.1.0 while put_away still crashes there."""
    hazmat = arrive(ml_project, mined(HAZMAT, "2.0.0", "django"))  # restock.put_away
    final_sale = arrive(ml_project, mined(FINAL_SALE, "2.0.0", "django"))  # rma.open_return
    assert statement(hazmat.data) == statement(final_sale.data)
    assert final_sale.issue_id != hazmat.issue_id  # both sites crash in 2.0.0: two sites
    assert arrive(ml_project, mined(HAZMAT, "2.1.0", "django")).issue_id == hazmat.issue_id
    renamed_site = arrive(ml_project, mined(FINAL_SALE, "2.1.0", "django"))  # create_return
    # put_away's issue has an event of 2.1.0 at another site: refused; open_return's has none
    assert renamed_site.issue_id == final_sale.issue_id
    decided = GroupHash.objects.get(project=ml_project, hash=renamed_site.grouping_hash)
    assert decided.ml_rule == RENAME_PATH.source and decided.ml_distance <= RENAME_PATH.tight


def test_without_the_path_the_renamed_function_opens_a_new_issue(ml_project, monkeypatch):
    """The control: the same events, the policy without the rename path."""

    from grouping import ml

    monkeypatch.setattr(ml, "rename_query", lambda policy, event: None)
    first = arrive(ml_project, mined(NO_ADDRESS, "2.0.0"))
    later = arrive(ml_project, mined(NO_ADDRESS, "2.1.0"))
    assert later.issue_id != first.issue_id


def test_the_path_follows_an_unmerge(ml_project):
    """The evidence is read through the issue's fingerprints: unmerged, a fingerprint takes its
    releases with it."""
    from grouping.merge import unmerge_hash

    first = arrive(ml_project, mined(NO_ADDRESS, "2.0.0"))
    later = arrive(ml_project, mined(NO_ADDRESS, "2.1.0"))
    assert later.issue_id == first.issue_id
    unmerge_hash(GroupHash.objects.get(project=ml_project, hash=later.grouping_hash))
    moved = GroupHash.objects.get(project=ml_project, hash=later.grouping_hash)
    assert moved.issue_id != first.issue_id
    assert FingerprintRelease.objects.filter(group_hash=moved,
                                             release="returns-desk@2.1.0").exists()


def test_deleting_the_issue_deletes_what_the_path_kept(ml_project):
    from embeddings.models import IssueEmbedding
    from monitor.models import Issue

    first = arrive(ml_project, mined(NO_ADDRESS, "2.0.0"))
    embedding = IssueEmbedding.objects.get(issue_id=first.issue_id)
    assert embedding.statement == digest(statement(first.data, RENAME_PATH.signature))
    assert embedding.site_function == "make_label"
    Issue.objects.filter(pk=first.issue_id).delete()
    assert not FingerprintRelease.objects.filter(group_hash__project=ml_project).exists()
    assert not IssueEmbedding.objects.filter(project=ml_project).exists()
