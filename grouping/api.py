"""REST endpoints of grouping: similar issues, merge, unmerge. Every lookup is scoped to the
organisations the user is a member of; anything else is a 404, never a hint that it exists."""

from __future__ import annotations

from django.db import transaction
from django.shortcuts import get_object_or_404
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from access import visible_issues
from embeddings import store
from grouping.merge import MergeRefused, NothingToUnmerge, merge_by_user, unmerge_hash
from grouping.policy import reading_policy
from monitor import limits
from monitor.models import GroupHash, Issue


def issue_summary(issue: Issue) -> dict:
    return {"id": issue.id, "title": issue.title, "culprit": issue.culprit,
            "status": issue.status, "times_seen": issue.times_seen,
            "users_seen": issue.users_seen, "last_seen": issue.last_seen}


@api_view(["GET"])
def similar(request, issue_id: int):
    """The nearest issues of the same project by stack-trace embedding, with cosine distances."""
    issue = get_object_or_404(visible_issues(request.user), pk=issue_id)
    try:
        limit = max(1, min(limits.SIMILAR_ISSUES_LISTED, int(request.GET.get("limit", 10))))
    except ValueError as exc:
        raise ValidationError({"limit": "an integer"}) from exc
    model = reading_policy(issue.project).model
    neighbours = store.similar_issues(issue.id, issue.project_id, model, limit) if model else []
    issues = Issue.objects.in_bulk([n.issue_id for n in neighbours])
    return Response({
        "issue": issue.id,
        "model": model.label if model else None,
        "results": [{**issue_summary(issues[n.issue_id]), "distance": round(n.distance, 4)}
                    for n in neighbours if n.issue_id in issues],
    })


class MergeSerializer(serializers.Serializer):
    issues = serializers.ListField(child=serializers.IntegerField(), min_length=1, max_length=100)


@api_view(["POST"])
def merge(request, issue_id: int):
    """Merge the listed issues of the same project into this one."""
    body = MergeSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    with transaction.atomic():
        target = get_object_or_404(visible_issues(request.user), pk=issue_id)
        sources = list(
            visible_issues(request.user)
            .filter(pk__in=body.validated_data["issues"], project_id=target.project_id)
            .exclude(pk=target.pk)
            .values_list("pk", flat=True)
        )
        if len(sources) != len(set(body.validated_data["issues"]) - {target.pk}):
            raise ValidationError({"issues": "every issue must exist in the same project"})
        try:
            merged = merge_by_user(target.pk, sources, by=request.user)
        except MergeRefused as refused:
            raise ValidationError({"issues": str(refused)}) from None
    return Response({**issue_summary(merged), "merged": sources})


@api_view(["POST"])
def unmerge(request, issue_id: int, hash: str):
    """Give one fingerprint of this issue (and its events) an issue of its own."""
    with transaction.atomic():
        issue = get_object_or_404(visible_issues(request.user), pk=issue_id)
        group_hash = get_object_or_404(GroupHash, issue=issue, hash=hash)
        try:
            new_issue = unmerge_hash(group_hash, by=request.user)
        except NothingToUnmerge as refused:
            raise ValidationError({"hash": str(refused)}) from None
    return Response(issue_summary(new_issue), status=201)
