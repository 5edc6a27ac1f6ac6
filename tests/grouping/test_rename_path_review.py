"""Review of the rename path's live lookup (embeddings.store.lookup): every decision's evidence
reading is bounded whatever an SDK sent, and the simulation bounds it as the lookup does."""

from __future__ import annotations

import numpy as np
import pytest
from django.utils import timezone

from embeddings import store
from grouping.models import FingerprintRelease
from grouping.policy import RENAME_PATH, policy_for
from monitor import limits
from monitor.models import GroupHash, Issue
from training.metrics import _renamed_issue

pytestmark = pytest.mark.django_db
STATEMENT = "d" * 32


def unit(vector: np.ndarray) -> np.ndarray:
    return (vector / np.linalg.norm(vector)).astype(np.float32)


def near(base: np.ndarray, step: float, seed: int) -> np.ndarray:
    """A vector `step` away from `base` in a random direction (distances grow with step)."""
    noise = np.random.default_rng(seed).standard_normal(base.shape)
    noise -= (noise @ base) * base
    return unit(base + step * unit(noise))


def candidate(project, model, vector, site: str, fingerprints: int = 1,
              releases: tuple[str, ...] = ()) -> int:
    """An issue whose vector has the statement at `site`, with `fingerprints` fingerprints at
    that site and `releases` recorded on the first."""
    now = timezone.now()
    issue = Issue.objects.create(project=project, title=site, first_seen=now, last_seen=now)
    hashes = [GroupHash.objects.create(project=project, hash=f"{issue.id:08x}{n:024x}",
                                       issue=issue, site_function=site)
              for n in range(fingerprints)]
    for release in releases:
        FingerprintRelease.objects.create(group_hash=hashes[0], release=release)
    store.save(issue.id, project.id, model, vector, site, f"key-{site}", None,
               statement=STATEMENT, site_function=site)
    return issue.id


def renamed(project, model, vector) -> list[int]:
    query = store.RenameQuery(STATEMENT, "renamed_site", "2.0", "site", RENAME_PATH.tight)
    return [n.issue_id for n in store.lookup(project.id, model, vector, renamed=query)[1]]


@pytest.fixture
def space(project):
    model = policy_for(project).model
    base = unit(np.random.default_rng(7).standard_normal(int(model.dimension)))
    return model, base


def test_the_evidence_is_read_for_the_nearest_candidates_only(project, space, monkeypatch):
    """Issues of one statement at other sites grow with what SDKs send (each function name that
    crashes beside another in one release is refused, so stays an issue of its own); the
    release evidence is read for the RENAME_CANDIDATES_CHECKED nearest within the distance."""
    monkeypatch.setattr(limits, "RENAME_CANDIDATES_CHECKED", 3, raising=False)
    model, base = space
    refused = [candidate(project, model, near(base, 0.05 + 0.01 * i, i), f"site_{i}",
                         releases=("2.0",)) for i in range(3)]
    further = candidate(project, model, near(base, 0.2, 99), "far_site")
    assert refused and renamed(project, model, base) == []
    # within the bound the evidence finds it
    monkeypatch.setattr(limits, "RENAME_CANDIDATES_CHECKED", 4)
    assert renamed(project, model, base) == [further]


def test_an_issue_with_too_many_fingerprints_is_not_a_candidate(project, space, monkeypatch):
    """The evidence reads every fingerprint of a candidate issue; one that has more than
    RENAME_FINGERPRINTS_READ (merges, joins) is left alone rather than read whole."""
    monkeypatch.setattr(limits, "RENAME_FINGERPRINTS_READ", 3, raising=False)
    model, base = space
    small = candidate(project, model, near(base, 0.05, 1), "small_site", fingerprints=3)
    big = candidate(project, model, near(base, 0.1, 2), "big_site", fingerprints=4)
    assert big and renamed(project, model, base) == [small]


def test_the_simulation_bounds_the_evidence_as_the_lookup_does(monkeypatch):
    monkeypatch.setattr(limits, "RENAME_CANDIDATES_CHECKED", 2, raising=False)
    monkeypatch.setattr(limits, "RENAME_FINGERPRINTS_READ", 3, raising=False)
    base = unit(np.random.default_rng(3).standard_normal(16))
    candidates = [(issue, near(base, 0.05 * (issue + 1), issue), (f"site_{issue}", "a.py"), "")
                  for issue in range(3)]
    # the two nearest refuse it
    sites = {0: {("2.0", ("site_0", "a.py"))}, 1: {("2.0", ("site_1", "a.py"))}}
    hashes = {0: 1, 1: 1, 2: 1}
    new = ("new", "a.py")
    assert _renamed_issue(candidates, sites, hashes, base, new, "", "2.0", RENAME_PATH) is None
    monkeypatch.setattr(limits, "RENAME_CANDIDATES_CHECKED", 3)
    assert _renamed_issue(candidates, sites, hashes, base, new, "", "2.0", RENAME_PATH) == 2
    assert _renamed_issue(candidates, sites, {**hashes, 2: 4}, base, new, "", "2.0",
                          RENAME_PATH) is None


def test_an_admins_threshold_for_the_project_bounds_the_rename_path(ml_project):
    """`grouping_threshold` is the distance under which a new fingerprint joins (0: nothing
    joins): the rename path joins no further than an admin set it."""
    from tests.helpers.returns_desk import NO_ADDRESS, arrive, mined

    ml_project.grouping_threshold = 0.0
    ml_project.save()
    first = arrive(ml_project, mined(NO_ADDRESS, "2.0.0"))
    later = arrive(ml_project, mined(NO_ADDRESS, "2.1.0"))  # make_label → build_label
    assert later.issue_id != first.issue_id
    decided = GroupHash.objects.get(project=ml_project, hash=later.grouping_hash)
    assert decided.ml_rule != RENAME_PATH.source


def test_a_rename_join_records_the_distance_it_was_allowed(ml_project):
    """The decision record keeps the threshold applied, and the issue page says "distance d ≤
    threshold t" from it: for a rename join, the path's distance, not the family's threshold."""
    from grouping.models import DecisionRecord
    from tests.helpers.returns_desk import NO_ADDRESS, arrive, mined
    from web.explain import why_grouped
    from web.issue_page import decided_threshold

    first = arrive(ml_project, mined(NO_ADDRESS, "2.0.0"))
    later = arrive(ml_project, mined(NO_ADDRESS, "2.1.0"))
    assert later.issue_id == first.issue_id
    joined = GroupHash.objects.get(project=ml_project, hash=later.grouping_hash)
    record = DecisionRecord.objects.get(group_hash=joined)
    assert joined.ml_distance <= record.threshold == pytest.approx(RENAME_PATH.tight)
    assert f"≤ threshold {RENAME_PATH.tight:.3f}" in why_grouped(
        joined, decided_threshold(record, 0.0))


def test_the_evidence_is_read_by_index_probes_whatever_the_planner_estimates(project, space):
    """The releases table holds every tenant's (fingerprint, release) pairs; a lookup reads a
    bounded number of its rows by the unique pair's index, never the table (a NOT EXISTS the
    planner made an anti join read it whole where it guessed a release rare)."""
    from django.db import connection

    model, base = space
    big = candidate(project, model, near(base, 0.05, 1), "big_site")
    for i in range(30):
        candidate(project, model, near(base, 0.06 + 0.001 * i, 10 + i), f"site_{i}")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO monitor_grouphash (project_id, hash, issue_id, created_at, decided_by, "
            "ml_state, ml_model, ml_rule, fingerprint_config, site_function) "
            "SELECT %s, md5(g::text), %s, now(), 'fingerprint', 'none', '', '', 'fp1', 'x' "
            "FROM generate_series(1, 20000) g", [project.id, big])
        cursor.execute("INSERT INTO grouping_fingerprintrelease (group_hash_id, release) "
                       "SELECT id, 'other' FROM monitor_grouphash WHERE issue_id = %s", [big])
        cursor.execute("ANALYZE monitor_grouphash, grouping_fingerprintrelease, "
                       "embeddings_issueembedding")
        for evidence, moves in (("site", ""), ("release", ""), ("site", "line")):
            query = store.RenameQuery(STATEMENT, "renamed_site", "2.0", evidence, 0.3, moves,
                                      "a.py", "line-digest")
            cursor.execute("EXPLAIN " + store._renamed_sql(model, project.id, query),
                           store._renamed_params(store._literal(base), query, (), 5))
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "Seq Scan on grouping_fingerprintrelease" not in plan, plan
            assert "Seq Scan on monitor_grouphash" not in plan, plan
            # no hashed subplan or join over the release's rows of every fingerprint: each
            # read of the releases' index is a probe by the fingerprint
            assert "hashed SubPlan" not in plan and "Hash Join" not in plan, plan
            conditions = [line for line in plan.splitlines() if "Index Cond" in line
                          and "release =" in line]
            assert conditions and all("group_hash_id" in line for line in conditions), plan
    assert big not in renamed(project, model, base)  # 20,001 fingerprints: not read


def test_the_candidates_are_read_by_the_statement_index_whatever_counts_as_a_site(project,
                                                                                   space):
    """The moves' OR sits beside the statement's equality: on a project of 6,000 issue vectors
    over 2,000 statements the candidates are read by the statement's partial index, moves
    counted or not (guard: found fine in review)."""
    from django.db import connection

    model, base = space
    now = timezone.now()
    issues = Issue.objects.bulk_create([Issue(project=project, title=f"t{i}", first_seen=now,
                                              last_seen=now) for i in range(6000)])
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO embeddings_issueembedding (issue_id, project_id, model_id, vector, "
            "text, match_key, statement, line_statement, site_function, site_file, created_at) "
            "SELECT i, %s, %s, %s::vector, 't', 'k', md5((i %% 2000)::text), md5(i::text), "
            "'f' || (i %% 300), 'file' || (i %% 50) || '.js', now() FROM unnest(%s) i",
            [project.id, model.id, store._literal(base), [issue.id for issue in issues]])
        cursor.execute("ANALYZE embeddings_issueembedding")
        for moves in ("", "line"):
            query = store.RenameQuery("c4ca4238a0b923820dcc509a6f75849b", "f1", "2.0", "site",
                                      RENAME_PATH.tight, moves, "file1.js", "e" * 32)
            cursor.execute("EXPLAIN " + store._renamed_sql(model, project.id, query),
                           store._renamed_params(store._literal(base), query, (), 5))
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "Index Scan using issueembedding_statement_idx" in plan, (moves, plan)


def test_hostile_release_and_function_names_are_recorded_bounded(ml_project):
    """A release PostgreSQL would refuse as sent (a NUL, a lone surrogate, past 200 characters)
    and a huge function and file name reach the path's tables bounded, and the batch and the
    decision go through (guard: found fine in review)."""
    import json
    import uuid

    from ingest.accept import store_raw_event
    from ingest.models import RawEvent
    from tests.helpers.events import decide, event, ingest

    hostile = event(crash_function="f\x00" + "x" * 5000 + "\u202e")
    # a Windows path whose base name has a NUL, a lone surrogate and more characters than the
    # column
    hostile["exception"]["values"][0]["stacktrace"]["frames"][-1]["filename"] = (
        "C:\\app\\" + "d\\" * 20 + "c\x00\ud800" + "é" * 300 + ".py")
    hostile["release"] = "r\x00" + "\ud800" + "é" * 300 + "\U0001F600" * 50
    # json.dumps escapes the NUL and the lone surrogate, as an SDK's JSON may
    store_raw_event(ml_project.id, uuid.uuid4(), "event", json.dumps(hostile).encode())
    ingest(ml_project, {**event(), "release": "x" * 400})
    decide()
    assert not RawEvent.objects.filter(project=ml_project).exists()  # none left to retry
    rows = list(FingerprintRelease.objects.filter(group_hash__project=ml_project)
                .values_list("release", flat=True))
    assert len(rows) == 2 and all(len(r) <= 200 and "\x00" not in r for r in rows)
    hashes = GroupHash.objects.filter(project=ml_project)
    assert all(len(h.site_function) <= 255 for h in hashes)
    assert sorted(len(h.site_file) for h in hashes) == [0, 255]
    assert all("\x00" not in h.site_file and "\\" not in h.site_file for h in hashes)
    assert not GroupHash.objects.filter(project=ml_project, ml_state="failed").exists()
