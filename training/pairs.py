"""Labelled text pairs for contrastive training, from three sources:

- the corpus's train split: two different texts of one bug (same), and texts of different bugs,
  hard ones first (same exception type or crash-site key);
- augmentations of train events that model a new release (training.augment);
- the consenting organisations' training rows (export_training_data: two fingerprints of one
  issue, user merges and unmerges), checked again here through consent.policy at training time.
"""

from __future__ import annotations

import hashlib
import itertools
import random
from collections import defaultdict
from dataclasses import dataclass

from consent import policy
from consent.models import Category, Purpose
from evaluation.metrics import Dataset
from grouping.clean import clean_event, match_key
from training.augment import release_variant
from training.models import TrainingPair, TrainingSet


@dataclass(frozen=True)
class Pair:
    a: str
    b: str
    same: bool
    source: str  # "corpus", "augment" or "org:<id>"
    row_id: int | None = None  # the TrainingPair it came from


def corpus_pairs(data: Dataset, rng: random.Random, limit: int) -> list[Pair]:
    """Same-bug pairs (two different texts of one bug) and different-bug pairs, at most `limit`,
    about half each. Negatives come hardest first, because those are what the threshold must
    separate: every pair of bugs that share the exception type and crash function (the twins
    the candidate key lets through: another field read on the same line shape, another value in
    the same message), then two of the same exception type per text, then one at random."""
    texts: dict[str, list[str]] = defaultdict(list)
    site: dict[str, str] = {}
    for label, text, ok, event in zip(data.labels, data.texts, data.eligible, data.events,
                                      strict=True):  # fmt: skip
        if ok and text not in texts[label]:
            texts[label].append(text)
            site[text] = match_key(event, "function")
    positives = [Pair(a, b, True, "corpus") for bug in sorted(texts)
                 for a, b in itertools.combinations(texts[bug], 2)]  # fmt: skip
    everything = [(bug, text) for bug in sorted(texts) for text in texts[bug]]
    by_site: dict[str, list[tuple[str, str]]] = defaultdict(list)
    by_type: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for bug, text in everything:
        by_site[site[text]].append((bug, text))
        by_type[site[text].split("|", 1)[0]].append((bug, text))
    twins = [Pair(a, b, False, "corpus") for group in by_site.values()
             for (bug_a, a), (bug_b, b) in itertools.combinations(group, 2) if bug_a != bug_b]
    rng.shuffle(twins)
    others = []
    for bug, text in everything:
        same_type = [t for b, t in by_type[site[text].split("|", 1)[0]] if b != bug]
        others += [Pair(text, t, False, "corpus")
                   for t in rng.sample(same_type, min(2, len(same_type)))]  # fmt: skip
        other = rng.choice(everything)
        if other[0] != bug:
            others.append(Pair(text, other[1], False, "corpus"))
    rng.shuffle(positives)
    rng.shuffle(others)
    half = min(limit // 2, len(positives))
    return positives[:half] + (twins + others)[: limit - half]


def augmented_pairs(data: Dataset, rng: random.Random, limit: int) -> list[Pair]:
    """(original, release variant) of eligible train events: the same bug by construction."""
    indexes = [i for i, ok in enumerate(data.eligible) if ok]
    rng.shuffle(indexes)
    pairs = []
    for index in indexes:
        if len(pairs) >= limit:
            break
        variant = clean_event(release_variant(data.events[index], rng))
        if variant and variant != data.texts[index]:
            pairs.append(Pair(data.texts[index], variant, True, "augment"))
    return pairs


def consented_rows(training_set: TrainingSet | None) -> list[TrainingPair]:
    """The set's rows whose organisation consents now (stack traces; messages when a row has
    them). Asked through consent.policy only; the set may predate a withdrawal."""
    if training_set is None:
        return []
    organizations = policy.consenting_organizations(Purpose.TRAINING, Category.STACK_TRACES)
    with_messages = {org for org in organizations
                     if policy.allowed(org, Purpose.TRAINING, Category.ERROR_MESSAGES)}  # fmt: skip
    rows = TrainingPair.objects.filter(training_set=training_set, organization_id__in=organizations)
    return [row for row in rows.order_by("id")
            if not row.with_messages or row.organization_id in with_messages]  # fmt: skip


def organisation_pairs(rows: list[TrainingPair], rng: random.Random, limit: int) -> list[Pair]:
    rows = rows[:]
    rng.shuffle(rows)
    return [Pair(r.text_a, r.text_b, r.same_issue, f"org:{r.organization_id}", r.id)
            for r in rows[:limit]]  # fmt: skip


def data_hash(pairs: list[Pair], corpus_digest: str) -> str:
    digest = hashlib.sha256(corpus_digest.encode())
    for pair in sorted(pairs, key=lambda p: (p.a, p.b, p.same, p.source)):
        digest.update(f"{pair.a}\x00{pair.b}\x00{int(pair.same)}\x00{pair.source}\n".encode())
    return digest.hexdigest()
