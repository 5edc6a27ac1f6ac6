"""`manage.py backfill_rename_records`: an installation upgraded from before the rename path
(grouping.rename) has no site function on its older fingerprints, no release rows for them and
no statement on its older issue vectors; the command fills them from the stored events as
ingest and the ML decision write them. returns-desk's events through the real pipeline
(tests.helpers.returns_desk), then the records blanked as before the upgrade."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from embeddings.models import IssueEmbedding
from grouping.models import FingerprintRelease
from grouping.policy import RENAME_PATH
from monitor.models import Event, GroupHash, Project
from tests.helpers.events import event as shop_event
from tests.helpers.returns_desk import FINAL_SALE, HAZMAT, NO_ADDRESS, arrive, mined

pytestmark = pytest.mark.django_db


def kept(project: Project) -> tuple[set, set, set]:
    """What the installation keeps for the path in the project."""
    return (
        set(GroupHash.objects.filter(project=project)
            .values_list("hash", "site_function", "site_file")),
        set(FingerprintRelease.objects.filter(group_hash__project=project)
            .values_list("group_hash__hash", "release")),
        set(IssueEmbedding.objects.filter(project=project)
            .values_list("issue_id", "model_id", "statement", "line_statement",
                         "site_function", "site_file")),
    )


def blank(project: Project) -> None:
    """The project's records as an installation upgraded from before the path has them."""
    GroupHash.objects.filter(project=project).update(site_function="", site_file="")
    FingerprintRelease.objects.filter(group_hash__project=project).delete()
    IssueEmbedding.objects.filter(project=project).update(
        statement="", line_statement="", site_function="", site_file="")


def backfill(*args: str) -> str:
    out = StringIO()
    call_command("backfill_rename_records", *args, stdout=out)
    return out.getvalue()


def versions(project: Project) -> list[tuple]:
    """Every record row's version (xmin): a row written again, even with the same values, has
    a new one."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'f', id, xmin::text FROM monitor_grouphash WHERE project_id = %(p)s "
            "UNION ALL SELECT 'r', r.id, r.xmin::text FROM grouping_fingerprintrelease r "
            "JOIN monitor_grouphash gh ON gh.id = r.group_hash_id WHERE gh.project_id = %(p)s "
            "UNION ALL SELECT 'v', id, xmin::text FROM embeddings_issueembedding "
            "WHERE project_id = %(p)s ORDER BY 1, 2", {"p": project.id})
        return cursor.fetchall()


def returns_desk(project: Project) -> None:
    """Fingerprints of two sites of one statement over two releases, a rename that joined by
    the path, a fingerprint seen in two releases, and a fault whose site has no statement."""
    arrive(project, mined(NO_ADDRESS, "2.0.0"))
    arrive(project, dict(mined(NO_ADDRESS, "2.0.0"), release="returns-desk@2.1.0"))
    arrive(project, mined(HAZMAT, "2.0.0", "django"))
    arrive(project, mined(FINAL_SALE, "2.0.0", "django"))
    arrive(project, mined(HAZMAT, "2.1.0", "django"))
    arrive(project, mined(FINAL_SALE, "2.1.0", "django"))  # joins by the path
    arrive(project, shop_event(crash_line=""))  # a crash site without a code line


def test_the_backfill_writes_what_ingest_and_the_decisions_wrote(ml_project):
    returns_desk(ml_project)
    live = kept(ml_project)
    sites, releases, vectors = live
    assert {"make_label", "put_away", "open_return", "create_return", "average"} <= {
        site for _, site, _ in sites}
    assert {file for _, site, file in sites if site == "make_label"} == {"labels.py"}
    assert len(releases) == 7 and len(vectors) == 4
    # none without a code line; each with its line's digest (the path counts moves)
    assert sum(1 for _, _, said, line, _, file in vectors if said and line and file) == 3
    blank(ml_project)
    assert kept(ml_project) != live
    out = backfill("--batch-size", "2")  # several batches of each
    assert kept(ml_project) == live
    assert "site functions 5" in out and "statements 3" in out and "releases 7" in out


def test_a_second_run_changes_nothing(ml_project):
    returns_desk(ml_project)
    blank(ml_project)
    backfill()
    before = versions(ml_project)
    out = backfill("--batch-size", "3")
    assert versions(ml_project) == before
    assert "site functions 0" in out and "statements 0" in out and "releases 0" in out


def test_a_rename_after_the_backfill_joins_an_issue_from_before_the_upgrade(ml_project):
    first = arrive(ml_project, mined(NO_ADDRESS, "2.0.0"))
    blank(ml_project)
    backfill()
    later = arrive(ml_project, mined(NO_ADDRESS, "2.1.0"))  # make_label → build_label
    assert later.issue_id == first.issue_id
    joined = GroupHash.objects.get(project=ml_project, hash=later.grouping_hash)
    assert joined.ml_rule == RENAME_PATH.source


def test_without_the_backfill_the_rename_opens_an_issue(ml_project):
    first = arrive(ml_project, mined(NO_ADDRESS, "2.0.0"))
    blank(ml_project)
    later = arrive(ml_project, mined(NO_ADDRESS, "2.1.0"))
    assert later.issue_id != first.issue_id


def test_the_backfilled_releases_keep_a_second_live_site_apart(ml_project):
    """make_label still crashes in 2.1.0 when build_label's first event comes: a second site,
    which the backfilled (fingerprint, release) rows and site function say."""
    first = arrive(ml_project, mined(NO_ADDRESS, "2.0.0"))
    arrive(ml_project, dict(mined(NO_ADDRESS, "2.0.0"), release="returns-desk@2.1.0"))
    blank(ml_project)
    backfill()
    other_site = arrive(ml_project, mined(NO_ADDRESS, "2.1.0"))
    assert other_site.issue_id != first.issue_id


def test_without_the_releases_the_evidence_is_blind_to_older_fingerprints(ml_project):
    """The control: statements as the backfill leaves them, the fingerprint's releases and
    site function as before the upgrade: the second site joins."""
    first = arrive(ml_project, mined(NO_ADDRESS, "2.0.0"))
    arrive(ml_project, dict(mined(NO_ADDRESS, "2.0.0"), release="returns-desk@2.1.0"))
    GroupHash.objects.filter(project=ml_project).update(site_function="")
    FingerprintRelease.objects.filter(group_hash__project=ml_project).delete()
    assert arrive(ml_project, mined(NO_ADDRESS, "2.1.0")).issue_id == first.issue_id


def test_project_scopes_it(ml_project, org):
    other = Project.objects.create(organization=org, name="Other", slug="other",
                                   platform="python", grouping_mode=Project.GroupingMode.ML)
    for project in (ml_project, other):
        arrive(project, mined(NO_ADDRESS, "2.0.0"))
    live = {project.id: kept(project) for project in (ml_project, other)}
    for project in (ml_project, other):
        blank(project)
    blanked = kept(other)
    backfill("--project", str(ml_project.id))
    assert kept(ml_project) == live[ml_project.id]
    assert kept(other) == blanked != live[other.id]


def test_a_vanished_event_leaves_its_records_blank(ml_project):
    """An event deleted under the backfill (retention, an erasure) has no payload to read: its
    vector and fingerprint keep their empty records, and the rest is filled."""
    gone = arrive(ml_project, mined(HAZMAT, "2.0.0", "django"))
    kept_event = arrive(ml_project, mined(NO_ADDRESS, "2.0.0"))
    blank(ml_project)
    with connection.cursor() as cursor:  # the row alone, as a chunk of retention leaves it
        cursor.execute("DELETE FROM monitor_event WHERE id = %s", [gone.id])
    backfill()
    assert GroupHash.objects.get(project=ml_project, hash=gone.grouping_hash).site_function == ""
    assert IssueEmbedding.objects.get(issue_id=gone.issue_id).statement == ""
    assert GroupHash.objects.get(project=ml_project,
                                 hash=kept_event.grouping_hash).site_function == "make_label"
    assert IssueEmbedding.objects.get(issue_id=kept_event.issue_id).statement != ""
    assert not Event.objects.filter(pk=gone.id).exists()


def test_a_vector_stored_without_its_event_takes_its_issues_first(ml_project):
    """Vectors stored before they recorded their event were embedded from the issue's first
    event (grouping.backfill): the statement is that event's."""
    first = arrive(ml_project, mined(NO_ADDRESS, "2.0.0"))
    live = kept(ml_project)
    blank(ml_project)
    IssueEmbedding.objects.filter(project=ml_project).update(event=None)
    backfill()
    assert kept(ml_project) == live
    assert IssueEmbedding.objects.get(issue_id=first.issue_id).site_function == "make_label"


def test_records_from_before_moved_functions_get_their_files_and_lines(ml_project):
    """An installation upgraded from the rename path without moved functions has site functions
    and statements but no files or line digests: the backfill adds them, and keeps what it
    had."""
    returns_desk(ml_project)
    live = kept(ml_project)
    GroupHash.objects.filter(project=ml_project).update(site_file="")
    IssueEmbedding.objects.filter(project=ml_project).update(line_statement="", site_file="")
    assert kept(ml_project) != live
    backfill()
    assert kept(ml_project) == live
    before = versions(ml_project)
    backfill()  # rows without a file (no application frame) are read again, never written
    assert versions(ml_project) == before
