"""Learning the severity head from consenting organisations' triage: train, register in shadow,
promote, and keep it honest when data goes.

- `train_head` builds the examples (priority.examples), embeds them with the served grouping
  model, and fits the same logistic form as the default head (384 weights and a bias, so
  scoring stays one dot product), regularised towards the committed default head: with few
  labels it stays the default. It is measured on held-out organisations (a head fitted without
  them) against the default head and the head served now, then fitted on every organisation
  and registered in shadow with a manifest (data hash, how many organisations, label counts,
  metrics): nothing is served until it is promoted.
- `promote` serves it (the one it replaces is kept as `previous`; `rollback` brings that back);
  `promote_if_better` does so only when it beat the served head on held-out organisations.
- `reconcile` (on a withdrawal of consent, and after every deletion: training.staleness) marks
  stale every head whose examples were deleted or whose organisation no longer consents: it
  stops serving at once (the default head serves, it needs no data), its weights are emptied,
  and an active one is scheduled for `retrain_stale` (beat), which trains without that data.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
import zlib

import numpy as np
from django.db import transaction
from django.utils import timezone

from priority import examples, severity
from priority.models import SeverityExample, SeverityHead

log = logging.getLogger(__name__)

PRIOR_STRENGTH = 1.0  # L2 pull towards the default head's weights, per example
HELD_OUT_EVERY = 4  # organisation id's crc32 % 4 == 0: measured on, never fitted on
MIN_HELD_OUT = 20  # examples a promotion needs to have been measured on
MARGIN = 0.02  # balanced accuracy a candidate must gain over the served head to be promoted
Kept = (SeverityHead.State.SHADOW, SeverityHead.State.SERVED, SeverityHead.State.PREVIOUS)


def fit(x: np.ndarray, y: np.ndarray, prior: severity.Head,
        strength: float = PRIOR_STRENGTH,
        groups: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """(weights, bias) minimising the class-balanced log loss plus strength·‖w − prior‖²/2·n:
    the default head is the prior, moved only as far as the labels argue. With `groups` (each
    example's organisation), every organisation weighs the same in the loss however many
    examples it has: one busy or hostile organisation cannot tilt the head every organisation
    is scored with."""
    from scipy.optimize import minimize

    n = len(y)
    balance = example_weights(y, groups)
    w0 = np.concatenate([prior.weights.astype(np.float64), [prior.bias]])
    xb = np.hstack([x.astype(np.float64), np.ones((n, 1))])

    def loss(w):
        z = xb @ w
        p = 1 / (1 + np.exp(-np.clip(z, -50, 50)))
        eps = 1e-12
        value = -np.sum(balance * (y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps))) / n
        gap = w - w0
        value += strength * gap[:-1] @ gap[:-1] / 2
        grad = xb.T @ (balance * (p - y)) / n
        grad[:-1] += strength * gap[:-1]
        return value, grad

    result = minimize(loss, w0, jac=True, method="L-BFGS-B", options={"maxiter": 500})
    return result.x[:-1].astype(np.float32), float(result.x[-1])


def example_weights(y: np.ndarray, groups: np.ndarray | None = None) -> np.ndarray:
    """Each example's weight in the loss (they sum to n): every organisation in `groups` the
    same total, then severe and not severe the same total."""
    n = len(y)
    weights = np.ones(n)
    if groups is not None and n:
        names, index, counts = np.unique(groups, return_inverse=True, return_counts=True)
        weights = n / (len(names) * counts[index])
    severe = weights[y == 1].sum()
    other = weights[y == 0].sum()
    return np.where(y == 1, weights * n / (2 * max(severe, 1e-9)),
                    weights * n / (2 * max(other, 1e-9)))


def measure(scores: np.ndarray, y: np.ndarray, threshold: float) -> dict:
    """Balanced accuracy, precision and recall of *severe* at the head's threshold."""
    said = scores >= threshold
    positives, negatives = max(1, int(y.sum())), max(1, int((1 - y).sum()))
    tp, tn = int((said & (y == 1)).sum()), int((~said & (y == 0)).sum())
    return {"examples": int(len(y)), "balanced_accuracy": round((tp / positives + tn / negatives)
                                                                / 2, 4),
            "precision": round(tp / max(1, int(said.sum())), 4), "recall": round(tp / positives, 4)}


def scores_of(head: severity.Head, x: np.ndarray) -> np.ndarray:
    z = np.clip(x @ head.weights + head.bias, -50, 50)
    return 1 / (1 + np.exp(-z))


def held_out(organization_id: int) -> bool:
    return zlib.crc32(str(organization_id).encode()) % HELD_OUT_EVERY == 0


def data_hash(rows: list[SeverityExample]) -> str:
    digest = hashlib.sha256()
    for row in sorted(rows, key=lambda r: r.id):
        digest.update(json.dumps([row.text, row.severe]).encode() + b"\n")
    return digest.hexdigest()


def encode(texts: list[str], model) -> np.ndarray:
    from embeddings.encoder import encoder_for

    return np.asarray(encoder_for(model).encode(texts), dtype=np.float32)


def train_head() -> SeverityHead | None:
    """A new head in shadow from the organisations that consent now, or None when their triage
    labels nothing yet (or only one kind)."""
    from embeddings import registry

    model = registry.served()
    prior = severity.default_head_for(model.version)
    if prior is None:
        log.info("no default severity head for %s: nothing to learn from", model.label)
        return None
    batch = uuid.uuid4().hex
    examples.build(batch)
    rows = list(SeverityExample.objects.filter(batch=batch).order_by("id"))
    y = np.array([int(r.severe) for r in rows])
    if len(set(y.tolist())) < 2:
        SeverityExample.objects.filter(batch=batch).delete()
        return None
    x = encode([r.text for r in rows], model)
    orgs = np.array([r.organization_id for r in rows])
    test = np.array([held_out(int(o)) for o in orgs])
    metrics: dict = {}
    current = severity.head_for(model.version) or prior
    if test.any() and (~test).any() and len(set(y[~test].tolist())) == 2:
        weights, bias = fit(x[~test], y[~test], prior, groups=orgs[~test])
        candidate = severity.Head(model.version, weights, bias, prior.threshold, "")
        metrics = {
            "held_out_organisations": len(set(orgs[test].tolist())),
            "candidate": measure(scores_of(candidate, x[test]), y[test], prior.threshold),
            "default": measure(scores_of(prior, x[test]), y[test], prior.threshold),
            "served": measure(scores_of(current, x[test]), y[test], current.threshold),
        }
    weights, bias = fit(x, y, prior, groups=orgs)
    per_org: dict[str, list[int]] = {}
    for row in rows:
        per_org.setdefault(str(row.organization_id), []).append(row.id)
    signals: dict[str, int] = {}
    for row in rows:
        signals[row.signal] = signals.get(row.signal, 0) + 1
    manifest = {
        "embedding_model": {"name": model.name, "version": model.version},
        "prior": "the default head (priority/severity_head*.json), strength "
                 f"{PRIOR_STRENGTH}",
        "data_hash": data_hash(rows),
        "organisations": len(per_org),
        "labels": {"severe": int(y.sum()), "not_severe": int(len(y) - y.sum()),
                   "by_signal": dict(sorted(signals.items()))},
        "metrics": metrics or {"note": "no held-out organisation with labels: not measured"},
        "trained_on": f"{len(rows)} issues' triage of {len(per_org)} consenting organisations, "
                      "regularised towards the default head",
        "trained_at": timezone.now().isoformat(),
    }
    head = SeverityHead.objects.create(
        embedding_version=model.version, weights=[round(float(w), 6) for w in weights],
        bias=bias, threshold=prior.threshold, batch=batch, manifest=manifest,
        rows={org: ids for org, ids in sorted(per_org.items())})
    forget_unused()
    return head


def learn_from_triage() -> SeverityHead | None:
    """Beat: a new head from today's triage, served when it beats the served one on held-out
    organisations, else left in shadow for an admin."""
    head = train_head()
    if head is not None:
        promote_if_better(head)
    return head


def beats_served(head: SeverityHead) -> bool:
    """Measured on enough held-out examples, and better than the head served when it trained."""
    metrics = head.manifest.get("metrics") or {}
    if "candidate" not in metrics or metrics["candidate"]["examples"] < MIN_HELD_OUT:
        return False
    return (metrics["candidate"]["balanced_accuracy"]
            >= metrics["served"]["balanced_accuracy"] + MARGIN)


def promote(head: SeverityHead) -> SeverityHead:
    """Serve `head` for its embedding model; the head it replaces becomes `previous`."""
    with transaction.atomic():
        head = SeverityHead.objects.select_for_update().get(pk=head.pk)
        if head.stale or not head.weights:
            raise ValueError(f"{head} is stale: its data was withdrawn or deleted")
        same_model = SeverityHead.objects.filter(embedding_version=head.embedding_version)
        same_model.filter(state=SeverityHead.State.PREVIOUS).update(
            state=SeverityHead.State.RETIRED)
        same_model.filter(state=SeverityHead.State.SERVED).update(
            state=SeverityHead.State.PREVIOUS)
        head.state, head.promoted_at = SeverityHead.State.SERVED, timezone.now()
        head.save(update_fields=["state", "promoted_at"])
    return head


def promote_if_better(head: SeverityHead) -> bool:
    if beats_served(head):
        promote(head)
        return True
    return False


def rollback(embedding_version: str) -> SeverityHead | None:
    """The previous head serves again (None: the default head serves)."""
    with transaction.atomic():
        same_model = SeverityHead.objects.select_for_update().filter(
            embedding_version=embedding_version)
        same_model.filter(state=SeverityHead.State.SERVED).update(
            state=SeverityHead.State.RETIRED)
        previous = same_model.filter(state=SeverityHead.State.PREVIOUS, stale=False).first()
        if previous:
            previous.state = SeverityHead.State.SERVED
            previous.save(update_fields=["state"])
    return previous


def reasons_for(head: SeverityHead) -> list[str]:
    """Why the head is stale, in counts only: staff read it, and it never names which
    organisations withdrew or deleted."""
    withdrawn = deleted = 0
    for org, ids in sorted(head.rows.items()):
        if not examples.consents(int(org)):
            withdrawn += 1
            continue
        deleted += len(ids) - SeverityExample.objects.filter(id__in=ids).count()
    reasons = []
    if withdrawn:
        reasons.append(f"{withdrawn} organisation(s) withdrew consent")
    if deleted:
        reasons.append(f"{deleted} example(s) were deleted")
    return reasons


def reconcile() -> list[int]:
    """Mark stale every head trained on examples now gone or no longer consented; it stops
    serving and loses its weights at once; an active one is scheduled for retraining."""
    marked = []
    for head in SeverityHead.objects.filter(stale=False).exclude(rows={}):
        reasons = reasons_for(head)
        if not reasons:
            continue
        was = head.state
        head.stale, head.stale_since = True, timezone.now()
        head.stale_reason = f"{'; '.join(reasons)} ({timezone.now():%Y-%m-%d %H:%M} UTC)"
        head.weights, head.state = [], SeverityHead.State.RETIRED
        head.retrain = SeverityHead.Retrain.SCHEDULED if was in Kept else ""
        head.save(update_fields=["stale", "stale_since", "stale_reason", "weights", "state",
                                 "retrain"])
        marked.append(head.id)
    if marked:
        forget_unused()
    return marked


def forget_unused() -> int:
    """Delete the examples no kept head needs (an older build, a stale head's)."""
    needed = set(SeverityHead.objects.filter(state__in=Kept).values_list("batch", flat=True))
    return SeverityExample.objects.exclude(batch__in=needed).delete()[0]


def retrain_stale() -> list[int]:
    """Train anew for every head scheduled for a retrain (without the withdrawn or deleted
    examples); the new head serves when the stale one did and it beats the served head on
    held-out organisations, else it waits in shadow. Returns the new heads' ids."""
    examples.enforce_consent()
    reconcile()
    due = list(SeverityHead.objects.filter(retrain__in=[SeverityHead.Retrain.SCHEDULED,
                                                        SeverityHead.Retrain.FAILED]))
    if not due:
        return []
    try:
        new = train_head()
    except Exception:
        log.exception("severity retrain failed")
        SeverityHead.objects.filter(pk__in=[h.pk for h in due]).update(
            retrain=SeverityHead.Retrain.FAILED)
        return []
    if new is not None and any(h.promoted_at for h in due):
        promote_if_better(new)
    SeverityHead.objects.filter(pk__in=[h.pk for h in due]).update(
        retrain=SeverityHead.Retrain.DONE, replaced_by=new)
    forget_unused()
    return [new.id] if new else []
