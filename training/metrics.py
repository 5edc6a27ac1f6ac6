"""Grouping quality on labelled events: issues created, pairwise and B-cubed precision/recall.

`simulate_ml` replays events in order the way production decides them (fingerprint first; a new
eligible fingerprint joins the nearest issue vector within the threshold, else it creates an
issue whose vector is its first event's), with exact nearest neighbours; `grouping_eval --replay`
runs the real pipeline and database for the same numbers.
"""

from __future__ import annotations

import dataclasses
import pickle
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from grouping import rules as grouping_rules
from grouping.conflict import first_match
from grouping.families import family_of
from grouping.fingerprint import group
from grouping.ml import MATCH_CANDIDATES, eligible
from grouping.policy import (
    MINIFIED_GATE,
    RENAME_PATH,
    STACKLESS_GATE,
    Limits,
    MinifiedGate,
    replay_policy,
)
from grouping.rename import RenamePath, crash_site, moved_site, release_of, statement
from grouping.rename import renamed as renamed_site
from grouping.rules import Rules
from ingest.normalize import normalize_event
from monitor import limits


@dataclass(frozen=True)
class Scores:
    events: int
    bugs: int
    issues: int
    pairwise_precision: float
    pairwise_recall: float
    bcubed_precision: float
    bcubed_recall: float
    bcubed_f1: float

    @property
    def issues_per_bug(self) -> float:
        return self.issues / self.bugs if self.bugs else 0.0


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


@dataclass(frozen=True)
class Tally:
    """The sums scores are made of. Tallies of projects whose bugs and issues are disjoint add
    up to the tally of them pooled (lab/select.py pools codebases this way)."""

    events: int
    bugs: int
    issues: int
    true_pairs: int
    cluster_pairs: int
    label_pairs: int
    bcubed_precision_sum: float
    bcubed_recall_sum: float

    def __add__(self, other: Tally) -> Tally:
        return Tally(*(a + b for a, b in zip(dataclasses.astuple(self),
                                             dataclasses.astuple(other), strict=True)))


def tally(labels: list[str], clusters: list[object]) -> Tally:
    both = Counter(zip(clusters, labels, strict=True))
    by_cluster = Counter(clusters)
    by_label = Counter(labels)
    pairs = zip(clusters, labels, strict=True)
    return Tally(
        events=len(labels), bugs=len(by_label), issues=len(by_cluster),
        true_pairs=sum(_pairs(n) for n in both.values()),
        cluster_pairs=sum(_pairs(n) for n in by_cluster.values()),
        label_pairs=sum(_pairs(n) for n in by_label.values()),
        bcubed_precision_sum=sum(both[(c, lab)] / by_cluster[c] for c, lab in pairs),
        bcubed_recall_sum=sum(both[(c, lab)] / by_label[lab]
                              for c, lab in zip(clusters, labels, strict=True)),
    )


def scores_of(t: Tally) -> Scores:
    b3_p = t.bcubed_precision_sum / t.events
    b3_r = t.bcubed_recall_sum / t.events
    return Scores(
        events=t.events,
        bugs=t.bugs,
        issues=t.issues,
        pairwise_precision=t.true_pairs / t.cluster_pairs if t.cluster_pairs else 1.0,
        pairwise_recall=t.true_pairs / t.label_pairs if t.label_pairs else 1.0,
        bcubed_precision=b3_p,
        bcubed_recall=b3_r,
        bcubed_f1=2 * b3_p * b3_r / (b3_p + b3_r) if b3_p + b3_r else 0.0,
    )


def score(labels: list[str], clusters: list[object]) -> Scores:
    return scores_of(tally(labels, clusters))


@dataclass
class Dataset:
    labels: list[str]
    events: list[dict]  # normalized
    hashes: list[str]
    eligible: list[bool]
    texts: list[str]
    families: list[str]
    keys: list[str]
    # the project each event arrives in: candidates and fingerprints never cross it (several
    # corpus files pooled, each its own project); empty: one project
    scopes: list[str] = field(default_factory=list)


def prepare(rows: list[dict], rules: Rules | None = None, scope: str = "") -> Dataset:
    """Normalize, fingerprint, clean and key the rows with `rules` (default: the current).
    With `scope`, the rows are one project among several pooled ones (`concat`): bug labels and
    fingerprints are prefixed with it, so equal ids of two corpora stay two bugs."""
    rules = rules or grouping_rules.CURRENT
    policy = replay_policy(rules.thresholds, rules=rules)  # its text shape and key rules
    prefix = f"{scope}:" if scope else ""
    labels, events, hashes, flags, texts, families, keys = [], [], [], [], [], [], []
    for index, row in enumerate(rows):
        event = row["event"] if row.get("normalized") else \
            normalize_event(row["event"], 1_700_000_000.0 + index, f"{index:032x}")
        grouping = group(event)
        labels.append(prefix + str(row["bug"]))
        events.append(event)
        hashes.append(prefix + grouping.hash)
        text = policy.text(event)
        flags.append(eligible(grouping) and bool(text))
        texts.append(text)
        families.append(family_of(event.get("platform")))
        keys.append(policy.key(event))
    return Dataset(labels, events, hashes, flags, texts, families, keys,
                   [scope] * len(labels) if scope else [])


def concat(datasets: list[Dataset]) -> Dataset:
    """Several projects' datasets as one (each keeps its scope)."""
    fields = [f.name for f in dataclasses.fields(Dataset)]
    out = {name: [] for name in fields}
    for data in datasets:
        for name in fields:
            values = getattr(data, name)
            out[name] += values or ([""] * len(data.labels) if name == "scopes" else [])
    if not any(out["scopes"]):
        out["scopes"] = []
    return Dataset(**out)


def scope_of(data: Dataset, index: int) -> str:
    return data.scopes[index] if data.scopes else ""


def encode(texts: list[str], cache: Path | None = None) -> np.ndarray:
    """Embed each distinct text once (events of one bug and release often clean alike); with
    `cache`, vectors persist across runs in a file keyed by the model's version."""
    from embeddings.encoder import get_encoder

    encoder = get_encoder()
    known: dict[str, np.ndarray] = {}
    if cache is not None:
        cache = cache.with_name(f"{cache.stem}-{encoder.spec.version[:12]}{cache.suffix}")
        if cache.exists():
            with open(cache, "rb") as handle:
                known = pickle.load(handle)
    missing = sorted({t for t in texts if t not in known})
    if missing:
        known.update(zip(missing, encoder.encode(missing), strict=True))
        if cache is not None:
            cache.parent.mkdir(parents=True, exist_ok=True)
            with open(cache, "wb") as handle:
                pickle.dump(known, handle)
    if not texts:
        return np.zeros((0, encoder.dimension), dtype=np.float32)
    return np.stack([known[t] for t in texts])


def naive_texts(data: Dataset) -> list[str]:
    """The baseline the cleaning must beat: raw in-app frames (file:line function), no cleaning."""
    texts = []
    for event in data.events:
        lines = []
        for exc in event.get("exception") or []:
            frames = (exc.get("stacktrace") or {}).get("frames") or []
            chosen = [f for f in frames if f.get("in_app")] or frames
            lines += [f"{f.get('abs_path') or f.get('filename')}:{f.get('lineno')} "
                      f"{f.get('function')}" for f in chosen]
        texts.append("\n".join(lines))
    return texts


@dataclass(frozen=True)
class _Candidate:
    issue: int
    distance: float
    text: str


def nearest_within(candidates: list[tuple[int, np.ndarray, str]], vector: np.ndarray,
                   limit: float) -> list[_Candidate]:
    """The (issue, vector, text) candidates within `limit` of `vector`, nearest first, as many
    as production reads (MATCH_CANDIDATES): what the decision's conflict check is given."""
    distances = 1.0 - np.stack([v for _, v, _ in candidates]) @ vector
    within = np.flatnonzero(distances <= limit)
    order = within[np.argsort(distances[within], kind="stable")]
    return [_Candidate(candidates[i][0], float(distances[i]), candidates[i][2])
            for i in order[:MATCH_CANDIDATES]]


def simulate_ml(data: Dataset, vectors: np.ndarray, threshold: Limits, gate: bool = True,
                conflict: Limits | None = None,
                minified: MinifiedGate | None = MINIFIED_GATE,
                rename: RenamePath | None = RENAME_PATH,
                renamed: list[int] | None = None) -> list[int]:
    """Issue id per event, deciding in arrival order as production does. `threshold` may map
    platform families to thresholds ("default" for the rest); `conflict` likewise, for pairs
    whose texts conflict (grouping.conflict; none: the threshold); `gate=False` drops the
    crash-site key (the naive baseline, with no rename path). The limits are read as production
    reads them (grouping.policy); `minified`: the gate of minified JavaScript without a source
    map (its keys are the dataset's: training.evaluate.keyed; none without a key: nothing joins
    by a key the baseline does not have); `rename`: the rename path where the key finds no issue
    (grouping.rename; None: none), reading what the installation records: each fingerprint's
    site function and file from its first event, the releases its events came in, each issue
    vector's statement (and line as written, where moves count). `renamed`, when given,
    receives the index of each event the path joined."""
    policy = replay_policy(threshold, conflict, minified=minified if gate else None,
                           stackless=STACKLESS_GATE if gate else None,
                           rename=rename if gate else None)
    path = policy.rename
    issue_of_hash: dict[str, int] = {}
    site_of_hash: dict[str, tuple[str, str]] = {}
    by_key: dict[tuple[str, str], list[tuple[int, np.ndarray, str]]] = {}  # (scope, key) → issues
    by_statement: dict[tuple[str, str], list] = {}  # … → (issue, vector, site, line)
    sites_of: dict[int, set] = {}  # issue → (release, (site function, file))
    hashes_in: dict[int, int] = {}  # issue → its fingerprints
    clusters: list[int] = []
    next_issue = 0
    for index, hash_ in enumerate(data.hashes):
        event = data.events[index]
        if hash_ not in issue_of_hash:
            joined = None
            scope = scope_of(data, index)
            key = (scope, data.keys[index] if gate else "")
            family = data.families[index]
            limit = policy.event_threshold(event, family)
            conflict_limit = policy.event_conflict_threshold(event, family)
            candidates = by_key.get(key, []) if data.eligible[index] else []
            if candidates:
                nearest = nearest_within(candidates, vectors[index], limit)
                match = first_match(data.texts[index], nearest, limit, conflict_limit)
                joined = match.issue if match else None
            site = site_of_hash[hash_] = _site(event, path)
            said = (scope, statement(event, path.signature)) \
                if path and data.eligible[index] else (scope, "")
            line = statement(event, "line") if said[1] and path.moves else ""
            if joined is None and said[1]:
                joined = _renamed_issue(by_statement.get(said, []), sites_of, hashes_in,
                                        vectors[index], site, line, release_of(event), path)
                if joined is not None and renamed is not None:
                    renamed.append(index)
            if joined is None:
                joined = next_issue
                next_issue += 1
                if data.eligible[index]:
                    by_key.setdefault(key, []).append((joined, vectors[index],
                                                       data.texts[index]))
                    if said[1]:
                        by_statement.setdefault(said, []).append(
                            (joined, vectors[index], site, line))
            issue_of_hash[hash_] = joined
            hashes_in[joined] = hashes_in.get(joined, 0) + 1
        clusters.append(issue_of_hash[hash_])
        if path:
            sites_of.setdefault(clusters[-1], set()).add((release_of(event), site_of_hash[hash_]))
    return clusters


def _site(event: dict, path: RenamePath | None) -> tuple[str, str]:
    """(site function, file) as the installation records it for the path; the file counts
    only where the path's moves do ("" otherwise)."""
    if path is None:
        return "", ""
    function, file = crash_site(event)
    return function, file if path.moves else ""


def _renamed_issue(candidates: list[tuple[int, np.ndarray, tuple[str, str], str]],
                   sites_of: dict[int, set[tuple[str, tuple[str, str]]]],
                   hashes_in: dict[int, int], vector: np.ndarray, site: tuple[str, str],
                   line: str, release: str, path: RenamePath) -> int | None:
    """The rename path's issue among the (issue, vector, site, line as written) of one
    statement, as embeddings.store.lookup finds it live: another site (grouping.rename
    .moved_site), within the path's distance, of those the RENAME_CANDIDATES_CHECKED nearest, an
    issue of at most RENAME_FINGERPRINTS_READ fingerprints (`hashes_in`), the releases saying
    "renamed"; the nearest, then the oldest."""
    found = sorted((float(1.0 - old_vector @ vector), issue)
                   for issue, old_vector, old_site, old_line in candidates
                   if moved_site(old_site, site, old_line == line, path.moves))
    checked = [issue for distance, issue in found
               if distance <= path.tight][:limits.RENAME_CANDIDATES_CHECKED]
    return next((issue for issue in checked
                 if hashes_in.get(issue, 0) <= limits.RENAME_FINGERPRINTS_READ
                 and renamed_site(sites_of.get(issue, ()), site, release, path.evidence)),
                None)


@dataclass(frozen=True)
class PairScores:
    pairs: int
    precision: float  # of the pairs called "same", the share labelled same
    recall: float  # of the pairs labelled same, the share called "same"


def score_pairs(labels: list[bool], keys_equal: list[bool], distances: np.ndarray,
                thresholds: list[float],
                conflict_limits: np.ndarray | None = None) -> list[PairScores]:
    """Labelled pairs: ML calls a pair "same" when the crash-site keys match and the distance is
    within the threshold (a per-pair threshold array is allowed) and, for a pair whose texts
    conflict (grouping.conflict), within its conflict limit (per pair; inf: not conflicting)."""
    truth = np.array(labels)
    limits = np.full(len(labels), np.inf) if conflict_limits is None else conflict_limits
    out = []
    for threshold in thresholds:
        said = np.array(keys_equal) & (distances <= threshold) & (distances <= limits)
        hits = int((said & truth).sum())
        out.append(PairScores(
            pairs=len(labels),
            precision=hits / int(said.sum()) if said.any() else 1.0,
            recall=hits / int(truth.sum()) if truth.any() else 1.0,
        ))
    return out


def subset(data: Dataset, family: str) -> tuple[Dataset, list[int]]:
    keep = [i for i, f in enumerate(data.families) if f == family]
    pick = lambda values: [values[i] for i in keep]  # noqa: E731
    return (
        Dataset(pick(data.labels), pick(data.events), pick(data.hashes), pick(data.eligible),
                pick(data.texts), pick(data.families), pick(data.keys),
                pick(data.scopes) if data.scopes else []),
        keep,
    )
