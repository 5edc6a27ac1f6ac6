"""Evaluation metrics, the dev-set generator, grouping_eval and label_pairs."""

import io
import json

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from consent.models import OrganizationConsent
from grouping.models import LabelledPair
from lab.generate.devset.generate import generate
from monitor.models import Issue
from tests.helpers.events import event, ingest
from training import metrics as evaluation


def test_scores_match_hand_computed_values():
    labels = ["a", "a", "a", "b", "b"]
    clusters = [1, 1, 2, 2, 2]
    scores = evaluation.score(labels, clusters)
    # pairs in clusters: (0,1) a-a ✓, (2,3) a-b ✗, (2,4) a-b ✗, (3,4) b-b ✓ → precision 2/4
    # pairs in labels: a: 3 pairs, b: 1 pair; found 2 → recall 2/4
    assert (scores.pairwise_precision, scores.pairwise_recall) == (0.5, 0.5)
    # B-cubed precision per event: 1, 1, 1/3, 2/3, 2/3 → 11/15; recall: 2/3, 2/3, 1/3, 1, 1 → 11/15
    assert scores.bcubed_precision == pytest.approx(11 / 15)
    assert scores.bcubed_recall == pytest.approx(11 / 15)
    assert (scores.issues, scores.bugs) == (2, 2)
    perfect = evaluation.score(labels, ["x", "x", "x", "y", "y"])
    assert perfect.bcubed_f1 == 1.0 and perfect.pairwise_precision == 1.0


def test_pair_scores():
    scores = evaluation.score_pairs(
        [True, True, False, False],
        [True, True, True, False],
        np.array([0.05, 0.2, 0.1, 0.0]),
        [0.15],
    )[0]
    assert (scores.precision, scores.recall) == (0.5, 0.5)
    # the wrong "same" (0.1) conflicts: within the threshold, not within its conflict limit
    vetoed = evaluation.score_pairs(
        [True, True, False, False],
        [True, True, True, False],
        np.array([0.05, 0.2, 0.1, 0.0]),
        [0.15],
        np.array([np.inf, np.inf, 0.06, np.inf]),
    )[0]
    assert (vetoed.precision, vetoed.recall) == (1.0, 0.5)


def test_simulation_joins_only_within_key_and_threshold():
    data = evaluation.Dataset(
        labels=["a", "a", "b"], events=[{}, {}, {}], hashes=["h1", "h2", "h3"],
        eligible=[True, True, True], texts=["", "", ""], families=["python"] * 3,
        keys=["k", "k", "other"],
    )
    vectors = np.array([[1, 0], [0.995, 0.0998], [1, 0]], dtype=np.float32)
    assert evaluation.simulate_ml(data, vectors, 0.01) == [0, 0, 1]  # same vector, other key
    assert evaluation.simulate_ml(data, vectors, 0.001) == [0, 1, 2]


def test_dev_set_is_real_sdk_events_with_every_kind_of_variation():
    rows = generate(seed=3)
    bugs = {row["bug"] for row in rows}
    assert len(bugs) == 25 and len(rows) > 400
    python = [row for row in rows if row["bug"].startswith("py.")]
    assert all(row["event"]["sdk"]["name"] == "sentry.python" for row in python)
    config = [row["event"] for row in python if row["bug"] == "py.config.missing_file"]
    chains = {len(e["exception"]["values"]) for e in config}
    assert chains == {1, 2}  # wrapped and unwrapped
    releases = {e["release"] for e in config}
    assert len(releases) == 4
    lines = {f["lineno"] for e in config for x in e["exception"]["values"]
             for f in x["stacktrace"]["frames"] if f["function"] == "read_file"}
    assert len(lines) > 1  # line shifts across releases
    data = evaluation.prepare(rows)
    fingerprint = evaluation.score(data.labels, data.hashes)
    assert fingerprint.issues > 1.5 * len(bugs)  # fingerprints split the bugs, as in production


@pytest.mark.django_db
def test_grouping_eval_command_reports_and_plots(tmp_path, settings):
    settings.EMBEDDING_MODEL = "stock"  # the rules file's thresholds are the stock model's
    rows = [row for row in generate(seed=5) if row["bug"].startswith(("py.cart", "py.users"))]
    dataset = tmp_path / "set.jsonl"
    dataset.write_text("".join(json.dumps(row) + "\n" for row in rows))
    out = io.StringIO()
    plot = tmp_path / "pr.png"
    call_command("grouping_eval", str(dataset), thresholds="0.05,0.12", plot=str(plot),
                 replay=True, stdout=out)
    text = out.getvalue()
    assert "fingerprint" in text and "ml            platform" in text and "naive" in text
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    replay = [line for line in text.splitlines() if line.startswith("ml-replay")][0].split()
    simulated = [line for line in text.splitlines() if line.startswith("ml            platform")]
    assert replay[2] == simulated[0].split()[2]  # the database replay creates as many issues


@pytest.mark.django_db
def test_label_pairs_stores_answers_and_exports_them(project, tmp_path):
    from grouping import ml
    from tests.helpers.events import loosen

    loosen(project)
    ingest(project, event())
    ml.drain(wait_ms=0)
    ingest(project, event(caller="nightly_report", caller_line="total = cart.average()"))
    ml.drain(wait_ms=0)
    assert Issue.objects.count() == 1
    out = io.StringIO()
    call_command("label_pairs", project=project.id, stdin=io.StringIO("y\n"), stdout=out)
    assert "joined by ML" in out.getvalue()
    pair = LabelledPair.objects.get()
    assert pair.same_issue is True
    target = tmp_path / "pairs.jsonl"
    slug = project.organization.slug
    with pytest.raises(CommandError, match="consented"):  # consent before export
        call_command("label_pairs", export=str(target), organization=slug)
    OrganizationConsent.objects.create(organization=project.organization,
                                       training_stack_traces=True)
    call_command("label_pairs", export=str(target), organization=slug, stdout=io.StringIO())
    exported = [json.loads(line) for line in target.read_text().splitlines()]
    assert exported[0]["same"] is True and exported[0]["a"]["exception"]
    assert "value" not in exported[0]["a"]["exception"][0]  # no consent to messages
    out = io.StringIO()
    call_command("grouping_eval", str(target), pairs=True, thresholds="0.12", stdout=out)
    assert "1 labelled pairs (1 same, 0 conflicting)" in out.getvalue()
