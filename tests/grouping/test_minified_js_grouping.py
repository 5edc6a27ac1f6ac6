"""Minified browser JavaScript without source maps (real @sentry/browser events of the mined
browser codebases, lab/corpus: every release an esbuild bundle named by content hash): two
different faults of one bundle stay apart, one fault across releases stays one issue, through
the real processing stage, the shipped model and pgvector."""

from pathlib import Path

import pytest
from django.test import Client

from grouping.clean import minified_unresolved
from grouping.fingerprint import DEFAULT_CONFIG, FP1, group
from grouping.policy import MINIFIED_GATE, gate_key, policy_for
from ingest.normalize import normalize_event
from lab import corpus as lab_corpus
from monitor.models import GroupHash, Issue
from tests.helpers.cast import join, make_user
from tests.helpers.events import decide, ingest
from tests.helpers.processing import fingerprint_mode, served_config

CORPUS = Path(__file__).resolve().parents[2] / "lab" / "corpus"


def mined(codebase: str, label: str, release: str) -> dict:
    """The first event of a bug (lab.corpus.site_label) in a release built without maps."""
    for row in lab_corpus.read_rows(CORPUS / f"javascript-{codebase}.jsonl.zst"):
        if (lab_corpus.site_label(row) == label and row["release"] == release
                and "sourcemaps" not in row):
            return row["event"]
    raise LookupError(label)


def normalized(payload: dict) -> dict:
    return normalize_event(payload, 1_700_000_000.0, "0" * 32)


# Two faults of signup-web's one bundle (1.1.0): zod's `ZodError` thrown under `safeParse`, one
# from `form/readAge`, one from `form/readWebsite`; the texts differ only by those two names.
AGE = ("signup-web", "signup-web/form/readAge:age:ZodError", "signup-web@1.1.0")
WEBSITE = ("signup-web", "signup-web/form/readWebsite:url:ZodError", "signup-web@1.1.0")
# One fault of storefront-web (big.js refusing a price) in two releases: app.<hash>.js differs,
# and so do the mangled names around `cart/unitPrice`.
UNIT_PRICE = [("storefront-web", "storefront-web/cart/unitPrice:grams:Error", release)
              for release in ("storefront-web@1.1.0", "storefront-web@1.3.0")]


@pytest.mark.django_db
def test_two_faults_in_one_bundle_without_maps_stay_apart(project, no_breaker):
    age, website = mined(*AGE), mined(*WEBSITE)
    assert all(minified_unresolved(normalized(e)) for e in (age, website))
    ingest(project, age)
    decide()
    ingest(project, website)
    decide()
    assert Issue.objects.count() == 2
    later = GroupHash.objects.order_by("id").last()
    assert later.ml_state == GroupHash.MLState.DONE and later.ml_matched_issue is None
    assert later.ml_rule == MINIFIED_GATE.source  # the issue page's "decided under"
    rule = policy_for(project).rule_for_event(normalized(website))
    joins = "+join" if MINIFIED_GATE.join else ""
    assert rule.source == MINIFIED_GATE.source
    assert rule.key == f"minified:{gate_key(MINIFIED_GATE.key, normalized(website))}{joins}"
    user, member = make_user("dev"), Client()
    join(user, project.organization)
    member.force_login(user)
    page = member.get(f"/{project.organization.slug}/{project.slug}/issues/{later.issue_id}/",
                      {"tab": "grouping"}).content.decode()
    assert 'id="grouping-rule"' in page and MINIFIED_GATE.source in page  # "which rule decided"


@pytest.mark.django_db
def test_one_fault_across_two_releases_with_different_bundle_hashes_stays_one_issue(
        project, no_breaker):
    first, second = (mined(*bug) for bug in UNIT_PRICE)
    bundles = {frame["filename"].rsplit("/", 1)[-1]
               for e in (first, second) for frame in e["exception"]["values"][0]["stacktrace"]
               ["frames"] if "/app." in frame["filename"]}
    assert len(bundles) == 2  # app.<hash>.js of each release
    for payload in (first, second):
        ingest(project, payload)
        decide()
    assert Issue.objects.count() == 1
    assert Issue.objects.get().times_seen == 2


def frame(filename: str, function: str) -> dict:
    return {"filename": filename, "function": function, "lineno": 1, "colno": 100,
            "in_app": True}


def browser_event(bundle: str, names: tuple[str, str]) -> dict:
    return normalized({"platform": "javascript", "exception": {"values": [{
        "type": "TypeError", "value": "t.split is not a function",
        "stacktrace": {"frames": [
            frame(f"https://shop.example/assets/{bundle}", names[0]),
            frame(f"https://shop.example/assets/{bundle}",
                  f"Object.{names[1]} [as fields/canonicalEmail]"),
            frame(f"https://shop.example/assets/{bundle}", "t.split")]}}]}})


@pytest.mark.parametrize("bundles", [("app.3f9a1c.js", "app.7b20e4.js"),
                                     ("app.U2NJAFAF.js", "app.PLHXOXRE.js"),
                                     ("index-Dx3kq9Aa.js", "index-B7cZ0pQe.js")])
def test_the_fingerprint_reads_neither_bundle_hashes_nor_mangled_names(bundles):
    one, other = browser_event(bundles[0], ("Fr", "cs")), browser_event(bundles[1], ("Hr", "hs"))
    assert group(one).hash == group(other).hash
    assert group(one, FP1).hash != group(other, FP1).hash  # the first configuration split them
    assert "frame:app.<hash>.js|fields/canonicalEmail" in group(one).components \
        or "frame:index-<hash>.js|fields/canonicalEmail" in group(one).components


def test_names_outside_minified_bundles_keep_their_fingerprint():
    """Only a minified bundle's unresolved frames lose short names: `f` in `src/app.js`, or in a
    bundle a source map resolved, is a name, and every other event hashes as before."""
    plain = normalized({"platform": "javascript", "exception": {"values": [{
        "type": "TypeError", "value": "x",
        "stacktrace": {"frames": [frame("https://shop.example/src/app.js", "f")]}}]}})
    resolved = browser_event("app.3f9a1c.js", ("Fr", "cs"))
    for f in resolved["exception"][0]["stacktrace"]["frames"]:
        f["data"] = {"function_from": "scope", "resolved_with": "debug_id"}
    assert not minified_unresolved(plain) and not minified_unresolved(resolved)
    for event in (plain, resolved):
        assert group(event).components == group(event, FP1).components


@pytest.mark.django_db
def test_an_issue_made_under_the_previous_configuration_keeps_its_events(project):
    """An installation that grouped under faultline-fp-1 keeps its issues when it moves to the
    new configuration: a new hash falls back to the issue its previous-configuration hash has."""
    first, second = (mined(*bug) for bug in UNIT_PRICE)
    fingerprint_mode(project)
    with served_config(FP1):
        ingest(project, first)
    (issue,) = Issue.objects.all()
    assert GroupHash.objects.get().fingerprint_config == FP1
    ingest(project, first)  # the same event again, now hashed by the default configuration
    ingest(project, second)  # the next release's bundle
    assert list(Issue.objects.values_list("id", flat=True)) == [issue.id]
    assert Issue.objects.get().times_seen == 3
    configs = sorted(GroupHash.objects.values_list("fingerprint_config", "issue_id"))
    # faultline-fp-3 and later hash a bundle's event as faultline-fp-2 does: the fallback
    # walks on to the faultline-fp-1 hash (grouping.fingerprint.earlier_hash)
    assert configs == [(FP1, issue.id), (DEFAULT_CONFIG, issue.id)]
