"""Labelled text pairs for contrastive training, from three sources:

- the corpus's train split: two different texts of one bug (same), and texts of different bugs,
  hard ones first (same exception type or crash-site key);
- augmentations of train events that model a new release (training.augment), and twin faults
  made by reading another field on the same line (hard negatives);
- the consenting organisations' training rows (export_training_data: two fingerprints of one
  issue, user merges and unmerges), checked again here through consent.policy at training time.
"""

from __future__ import annotations

import hashlib
import itertools
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from consent import policy
from consent.models import Category, Purpose
from grouping.clean import clean_event, exception_header, match_key
from training.augment import HARD_NEGATIVES, relabel, release_variant
from training.metrics import Dataset, scope_of
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
    separate: pairs of bugs that share the exception type and crash function (the twins the
    candidate key lets through: another field read on the same line shape, another value in the
    same message) or one exception header (type and message) raised at different sites (a
    library's one message from two call sites of a mined codebase); every one of them up to a
    third of the negatives, then two of the same exception type per text, then one at
    random."""
    texts: dict[str, list[str]] = defaultdict(list)
    site: dict[str, tuple[str, str, str]] = {}  # text → (project, exception type, function)
    header: dict[str, tuple[str, str]] = {}  # text → (project, exception type and message)
    for index, (label, text, ok, event) in enumerate(zip(data.labels, data.texts, data.eligible,
                                                         data.events, strict=True)):
        if ok and text not in texts[label]:
            texts[label].append(text)
            exc_type, _, function = match_key(event, "function").partition("|")
            site[text] = (scope_of(data, index), exc_type, function)
            header[text] = (scope_of(data, index), message_of(event))
    positives = [Pair(a, b, True, "corpus") for bug in sorted(texts)
                 for a, b in itertools.combinations(texts[bug], 2)]
    everything = [(bug, text) for bug in sorted(texts) for text in texts[bug]]
    by_site: dict[tuple, list[tuple[str, str]]] = defaultdict(list)
    by_type: dict[tuple, list[tuple[str, str]]] = defaultdict(list)
    for bug, text in everything:
        by_site[site[text]].append((bug, text))
        by_type[site[text][:2]].append((bug, text))
    by_header: dict[tuple, list[tuple[str, str]]] = defaultdict(list)
    for bug, text in everything:
        if header[text][1]:
            by_header[header[text]].append((bug, text))
    twin_keys = set()
    twins = []
    for group in itertools.chain(by_site.values(), by_header.values()):
        for (bug_a, a), (bug_b, b) in itertools.combinations(group, 2):
            if bug_a != bug_b and (a, b) not in twin_keys:
                twin_keys.add((a, b))
                twins.append(Pair(a, b, False, "corpus"))
    rng.shuffle(twins)
    others = []
    for bug, text in everything:
        same_type = [t for b, t in by_type[site[text][:2]] if b != bug]
        others += [Pair(text, t, False, "corpus")
                   for t in rng.sample(same_type, min(2, len(same_type)))]
        other = rng.choice(everything)
        if other[0] != bug:
            others.append(Pair(text, other[1], False, "corpus"))
    rng.shuffle(positives)
    rng.shuffle(others)
    half = min(limit // 2, len(positives))
    # twins at most a third of the negatives: pooled corpora hold thousands, and a model trained
    # mostly on them pushes one bug's own edited lines apart too (five seeds: 1.5x issues)
    twins = twins[: (limit - half) // 3]
    return positives[:half] + (twins + others)[: limit - half]


def message_of(event: dict) -> str:
    """The root exception's header (type and first message line, grouping.clean's), or "" when
    the event has no message to share."""
    exceptions = [e for e in event.get("exception") or [] if isinstance(e, dict)]
    if not exceptions or not (exceptions[0].get("value") or "").strip():
        return ""
    return exception_header(exceptions[0])


def augmented_pairs(data: Dataset, rng: random.Random, limit: int) -> list[Pair]:
    """(original, release variant) of eligible train events: the same bug by construction."""
    return _made_pairs(data, rng, limit, release_variant, same=True)


def swapped_pairs(data: Dataset, rng: random.Random, limit: int) -> list[Pair]:
    """(original, another fault made from it) of eligible train events: the crash line reading
    another field, or the same error raised in another function (training.augment's
    HARD_NEGATIVES), the twins and same-message-elsewhere faults the threshold must keep apart."""
    if limit <= 0:  # off (the default): leave the random draws to the other sources
        return []

    def another_fault(event: dict, rng: random.Random) -> dict | None:
        return HARD_NEGATIVES[rng.choice(sorted(HARD_NEGATIVES))](event, rng)

    return _made_pairs(data, rng, limit, another_fault, same=False)


def relabelled(chosen: list[Pair], words: list[str], share: float,
               rng: random.Random) -> list[Pair]:
    """`chosen` with about `share` of its pairs relabelled (training.augment.relabel: the
    application's words renamed alike on both sides; label and source kept)."""
    if share <= 0 or not words:
        return chosen
    return [Pair(*relabel(p.a, p.b, words, rng), p.same, p.source, p.row_id)
            if rng.random() < share else p for p in chosen]


Make = Callable[[dict, random.Random], dict | None]


def _made_pairs(data: Dataset, rng: random.Random, limit: int, make: Make,
                same: bool) -> list[Pair]:
    """Up to `limit` pairs (original text, text of `make(event)`) over the eligible events in a
    random order; a made event that cleans to nothing or to the original text is skipped."""
    indexes = [i for i, ok in enumerate(data.eligible) if ok]
    rng.shuffle(indexes)
    pairs = []
    for index in indexes:
        if len(pairs) >= limit:
            break
        made = make(data.events[index], rng)
        text = clean_event(made) if made else ""
        if text and text != data.texts[index]:
            pairs.append(Pair(data.texts[index], text, same, "augment"))
    return pairs


def consented_rows(training_set: TrainingSet | None) -> list[TrainingPair]:
    """The set's rows whose organisation consents now (stack traces; messages when a row has
    them). Asked through consent.policy only; the set may predate a withdrawal."""
    if training_set is None:
        return []
    organizations = policy.consenting_organizations(Purpose.TRAINING, Category.STACK_TRACES)
    with_messages = {org for org in organizations
                     if policy.allowed(org, Purpose.TRAINING, Category.ERROR_MESSAGES)}
    rows = TrainingPair.objects.filter(training_set=training_set, organization_id__in=organizations)
    return [row for row in rows.order_by("id")
            if not row.with_messages or row.organization_id in with_messages]


def organisation_pairs(rows: list[TrainingPair], rng: random.Random, limit: int) -> list[Pair]:
    rows = rows[:]
    rng.shuffle(rows)
    return [Pair(r.text_a, r.text_b, r.same_issue, f"org:{r.organization_id}", r.id)
            for r in rows[:limit]]


def data_hash(pairs: list[Pair], corpus_digest: str) -> str:
    digest = hashlib.sha256(corpus_digest.encode())
    for pair in sorted(pairs, key=lambda p: (p.a, p.b, p.same, p.source)):
        digest.update(f"{pair.a}\x00{pair.b}\x00{int(pair.same)}\x00{pair.source}\n".encode())
    return digest.hexdigest()
