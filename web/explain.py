"""Plain-language grouping explanations: why a fingerprint is in its issue (ML decisions both
ways), and similar issues split by the project's threshold."""

from __future__ import annotations

from grouping.rename import decided_by_path
from monitor.models import GroupHash


def why_grouped(group_hash: GroupHash, threshold: float) -> str:
    d = group_hash.ml_distance
    shown = f"{d:.3f}" if d is not None else ""
    limit = f"{threshold:.3f}"
    by = group_hash.decided_by
    renamed = decided_by_path(group_hash.ml_rule or "")
    if by == GroupHash.DecidedBy.ML and renamed:
        return (f"Joined by ML's rename path: this issue's crash statement, in a function "
                f"renamed or moved since, at distance {shown} ≤ threshold {limit}.")
    if by == GroupHash.DecidedBy.ML:
        return f"Joined by ML: matched issue at distance {shown} ≤ threshold {limit}."
    if by == GroupHash.DecidedBy.MERGE:
        return "Merged here by a user."
    if by == GroupHash.DecidedBy.UNMERGE:
        return "Split off into its own issue by a user."
    state = group_hash.ml_state
    if state == GroupHash.MLState.PENDING:
        return "Same fingerprint; the embedder has not decided yet."
    if state == GroupHash.MLState.SKIPPED:
        return "Same fingerprint; ML was skipped (embedder unavailable or too slow)."
    if state == GroupHash.MLState.FAILED:
        return "Same fingerprint; the embedder failed on it."
    if state != GroupHash.MLState.DONE:
        return "Same fingerprint (ML grouping does not apply to this event)."
    if group_hash.ml_matched_issue_id and renamed:
        return (f"Own fingerprint; ML's rename path would join #{group_hash.ml_matched_issue_id}"
                f" (its crash statement, in a function renamed or moved since, at distance "
                f"{shown}; shadow mode, not applied).")
    if group_hash.ml_matched_issue_id:
        return (f"Own fingerprint; ML would join #{group_hash.ml_matched_issue_id} at distance "
                f"{shown} ≤ {limit} (shadow mode, not applied).")
    if d is None:
        return "Own fingerprint; ML found no earlier issue that crashed at the same place."
    if d <= threshold:
        return (f"Own fingerprint; ML declined the nearest issue (distance {shown}, within "
                f"today's threshold {limit}): its message, the data its crash line names or "
                "the function that raised differ, or the threshold was stricter when it "
                "decided.")
    return f"Own fingerprint; ML declined: the nearest issue was at distance {shown} > {limit}."


def split_similar(neighbours: list, threshold: float) -> tuple[list, list]:
    """(issue, distance) pairs → (likely the same: within the threshold, related: the rest)."""
    same = [(i, d) for i, d in neighbours if d <= threshold]
    related = [(i, d) for i, d in neighbours if d > threshold]
    return same, related
