"""A project's threshold adapts to its own triage: each answer to a suggestion and each user
merge or unmerge is a labelled pair of the project (ProjectLabel: same or not, at the served
model's distance). Once a family has MIN_LABELS of them, its threshold is the one that best
separates them, precision first (a pair wrongly joined costs APART_WEIGHT pairs left apart),
nearest the policy's own on a tie, and never outside the policy's bounds (the suggestion band
around the threshold the project would otherwise have: grouping.policy.GroupingPolicy.bounds).
Every move is recorded with the labels since the last one (ThresholdChange) and can be reverted,
which also discounts those labels. A project can turn adaptation off; grouping.policy then
ignores it. It uses only the project's own decisions, so it needs no training consent.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from grouping.families import for_family
from grouping.models import ProjectAdaptation, ProjectLabel, ThresholdChange
from grouping.policy import GroupingPolicy, reading_policy
from monitor.models import Project

MIN_LABELS = 5  # labelled pairs of a family before its threshold moves at all
APART_WEIGHT = 10  # a wrong join costs ten splits: the precision-first choice the policy makes
EPSILON = 1e-4  # just nearer than a "not the same" pair


def choose(labels: Iterable[tuple[float, bool]], base: float, low: float, high: float) -> float:
    """The threshold in [low, high] that scores best: +1 per same pair within it, -APART_WEIGHT
    per different pair within it; the one nearest `base` on a tie (pure)."""
    labels = list(labels)
    points = {base, low, high}
    points |= {d for d, same in labels if same} | {d - EPSILON for d, same in labels if not same}
    points = {min(high, max(low, p)) for p in points}

    def score(t: float) -> tuple[int, float]:
        gained = sum(1 if same else -APART_WEIGHT for d, same in labels if d <= t)
        return gained, -abs(t - base)

    return round(max(sorted(points), key=score), 4)


def record(project: Project, family: str, same: bool, source: str, distance: float | None,
           model: str = "", hashes: tuple[str, str] = ("", ""), by=None) -> ProjectLabel:
    """Record one labelled pair and let the family's threshold follow."""
    label = ProjectLabel.objects.create(project=project, family=family, same=same, source=source,
                                        distance=distance, model=model, hash_a=hashes[0],
                                        hash_b=hashes[1], by=by)
    readapt(project, family)
    return label


def _adaptation(project: Project) -> ProjectAdaptation:
    row, _ = ProjectAdaptation.objects.select_for_update().get_or_create(project=project)
    return row


@transaction.atomic
def readapt(project: Project, family: str, policy: GroupingPolicy | None = None
            ) -> ThresholdChange | None:
    """Move the family's threshold to what its labels choose, when enabled and there are enough;
    returns the recorded change, if any."""
    row = _adaptation(project)  # locked: concurrent answers adapt one after the other
    if not row.enabled:
        return None
    policy = policy or reading_policy(project)
    model = policy.model.label if policy.model else ""
    labels = list(ProjectLabel.objects.filter(project=project, family=family, discounted=False,
                                              distance__isnull=False, model=model))
    if len(labels) < MIN_LABELS:
        return None
    low, high = policy.bounds(family)
    chosen = choose([(label.distance, label.same) for label in labels],
                    policy.base_threshold(family), low, high)
    # the adapted threshold in force: a family's own, else the one it falls back to (Node's
    # adapted under "javascript" before it was a family of its own), as the policy reads it
    current = for_family(row.thresholds, family, None)
    if abs(chosen - (policy.base_threshold(family) if current is None else current)) < EPSILON:
        return None
    last = ThresholdChange.objects.filter(project=project, family=family).first()
    row.thresholds = {**row.thresholds, family: chosen}
    row.save(update_fields=["thresholds"])
    change = ThresholdChange.objects.create(project=project, family=family, previous=current,
                                            threshold=chosen, cause=ThresholdChange.Cause.LABELS)
    change.labels.set([label for label in labels if last is None or label.created_at > last.at])
    return change


@transaction.atomic
def revert(change: ThresholdChange, by=None) -> ThresholdChange:
    """Put the family's threshold back to what it was before `change`; that change's labels no
    longer count (else the next answer would move it straight back)."""
    row = _adaptation(change.project)
    thresholds = dict(row.thresholds)
    current = thresholds.get(change.family)
    if change.previous is None:
        thresholds.pop(change.family, None)
    else:
        thresholds[change.family] = change.previous
    row.thresholds = thresholds
    row.save(update_fields=["thresholds"])
    ProjectLabel.objects.filter(pk__in=change.labels.values("pk")).update(discounted=True)
    return ThresholdChange.objects.create(project=change.project, family=change.family,
                                          previous=current, threshold=change.previous,
                                          cause=ThresholdChange.Cause.REVERT, reverts=change,
                                          by=by)


def set_enabled(project: Project, enabled: bool) -> None:
    ProjectAdaptation.objects.update_or_create(project=project, defaults={"enabled": enabled})


def state(project: Project) -> ProjectAdaptation:
    """The project's adaptation row (not saved when it has none: on, nothing adapted)."""
    return (ProjectAdaptation.objects.filter(project=project).first()
            or ProjectAdaptation(project=project))
