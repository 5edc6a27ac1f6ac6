""""Likely the same — merge?": a new fingerprint that did not join, whose nearest admissible
candidate is within the policy's suggestion band above the threshold, is offered to a person with
the evidence; nothing merges until they answer. *Merge* merges the two issues (a user merge);
*not the same* keeps them apart for good (grouping.constraints). Either answer is a labelled
pair of the project (grouping.adapt) and, like user merges and unmerges, a GroupingFeedback row
that training reads only with the organisation's consent. Answering again with the same answer
changes nothing."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from grouping import adapt, constraints
from grouping.conflict import sites
from grouping.families import family_of
from grouping.merge import merge_by_user, record_feedback
from grouping.models import GroupingFeedback, KeptApart, MergeSuggestion, ProjectLabel
from grouping.policy import GroupingPolicy, event_text
from monitor.models import Event, GroupHash, Issue


class AnswerRefused(Exception):
    """The suggestion was answered otherwise already, or one of its issues is gone."""


def offer(group_hash: GroupHash, candidate, policy: GroupingPolicy, family: str) -> None:
    """Called by the decision (grouping.ml) for a fingerprint that did not join."""
    MergeSuggestion.objects.get_or_create(
        group_hash=group_hash, candidate_id=candidate.issue_id,
        defaults={"project_id": group_hash.project_id, "family": family,
                  "distance": candidate.distance, "threshold": policy.threshold(family),
                  "model": policy.model.label if policy.model else ""})


def open_suggestions(project_id: int):
    """Unanswered suggestions whose two issues are still two."""
    return (MergeSuggestion.objects.filter(project_id=project_id, answer="")
            .exclude(group_hash__issue_id=F("candidate_id"))
            .select_related("group_hash", "candidate").order_by("distance", "id"))


def for_issue(issue: Issue):
    return open_suggestions(issue.project_id).filter(
        Q(group_hash__issue_id=issue.id) | Q(candidate_id=issue.id))


def issues_with_open(issue_ids: list[int]) -> set[int]:
    """Of these issues, those with an open suggestion (the stream's marker)."""
    rows = (MergeSuggestion.objects.filter(answer="")
            .filter(Q(group_hash__issue_id__in=issue_ids) | Q(candidate_id__in=issue_ids))
            .exclude(group_hash__issue_id=F("candidate_id"))
            .values_list("group_hash__issue_id", "candidate_id"))
    return {i for pair in rows for i in pair} & set(issue_ids)


@dataclass(frozen=True)
class Side:
    issue: Issue
    message: str  # the root cause's header (cleaned: numbers and ids are placeholders)
    crash_site: str  # the nearest named function to the crash
    lines: list[str]  # the cleaned frames


@dataclass(frozen=True)
class Evidence:
    new: Side
    candidate: Side
    matching: list[str]  # frames both stacks hold


def _side(issue: Issue, grouping_hash: str | None = None) -> Side:
    events = Event.objects.filter(issue=issue)
    if grouping_hash:
        events = events.filter(grouping_hash=grouping_hash)
    first = events.order_by("timestamp", "id").only("id", "received").first()
    text = event_text(first.data) if first else ""
    frames = [line.strip() for line in text.split("\n")[1:] if line.startswith("  ")]
    return Side(issue, text.split("\n", 1)[0] if text else issue.title,
                sites(text)[0] if text else "", frames)


def evidence(suggestion: MergeSuggestion) -> Evidence:
    new = _side(suggestion.group_hash.issue, suggestion.group_hash.hash)
    candidate = _side(suggestion.candidate)
    theirs = set(candidate.lines)
    return Evidence(new, candidate, [line for line in new.lines if line in theirs])


def answer(suggestion: MergeSuggestion, given: str, by=None) -> tuple[MergeSuggestion, bool]:
    """Apply an answer; (the suggestion, whether anything changed). A repeat of the recorded
    answer changes nothing; another answer after it, or an answer to a suggestion whose issues
    were merged meanwhile, raises AnswerRefused."""
    if given not in MergeSuggestion.Answer.values:
        raise ValueError(given)
    with transaction.atomic():
        row = MergeSuggestion.objects.select_for_update().get(pk=suggestion.pk)
        if row.answer:
            if row.answer == given:
                return row, False
            raise AnswerRefused(f"already answered: {row.get_answer_display()}")
        group_hash = GroupHash.objects.get(pk=row.group_hash_id)
        source, target = group_hash.issue_id, row.candidate_id
        if source == target or not Issue.objects.filter(pk=target).exists():
            raise AnswerRefused("the two issues are one now, or the candidate is gone")
        project = group_hash.project
        # the family the issue's events are decided by now, not the one recorded at the offer
        # (before the merge below removes the issue): one offered for a Node issue before Node
        # was its own family says "javascript"
        platform = Issue.objects.values_list("platform", flat=True).get(pk=source)
        family = family_of(platform or project.platform)
        if given == MergeSuggestion.Answer.MERGE:
            merge_by_user(target, [source], by=by, labelled=False)
        else:
            others = GroupHash.objects.filter(issue_id=target).values_list("hash", flat=True)
            constraints.keep_apart(project.id, [group_hash.hash], others,
                                   KeptApart.Source.ANSWER, by)
            record_feedback(GroupingFeedback.Kind.UNMERGE, source, target)
        adapt.record(project, family, given == MergeSuggestion.Answer.MERGE,
                     ProjectLabel.Source.ANSWER, row.distance, row.model,
                     (group_hash.hash, ""), by)
        row.answer, row.answered_by, row.answered_at = given, by, timezone.now()
        row.save(update_fields=["answer", "answered_by", "answered_at"])
    return row, True
