"""REST endpoints of the grouping a project learns from its triage: suggestions and their
answers, "not the same" constraints, the adaptive threshold's state and history. Lookups go
through `access`: another organisation's project, suggestion or constraint is a 404."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.exceptions import APIException
from rest_framework.response import Response

from access import project_by_id, visible_projects
from grouping import adapt, constraints, suggestions
from grouping.models import KeptApart, MergeSuggestion, ThresholdChange
from grouping.policy import reading_policy
from grouping.rules import CURRENT
from monitor import limits


class Conflict(APIException):
    status_code = 409
    default_detail = "The suggestion was answered otherwise, or its issues are one now."


class SideSerializer(serializers.Serializer):
    issue = serializers.IntegerField(source="issue.id")
    title = serializers.CharField(source="issue.title")
    message = serializers.CharField()
    crash_site = serializers.CharField()


class EvidenceSerializer(serializers.Serializer):
    new = SideSerializer()
    candidate = SideSerializer()
    matching_frames = serializers.ListField(child=serializers.CharField(), source="matching")


class SuggestionSerializer(serializers.ModelSerializer):
    fingerprint = serializers.CharField(source="group_hash.hash")
    issue = serializers.IntegerField(source="group_hash.issue_id")
    candidate = serializers.IntegerField(source="candidate_id")
    answered_by = serializers.CharField(source="answered_by.username", default=None)
    evidence = serializers.SerializerMethodField()

    class Meta:
        model = MergeSuggestion
        fields = ["id", "fingerprint", "issue", "candidate", "family", "distance", "threshold",
                  "model", "created_at", "answer", "answered_by", "answered_at", "evidence"]

    @extend_schema_field(EvidenceSerializer)
    def get_evidence(self, row) -> dict:
        return EvidenceSerializer(suggestions.evidence(row)).data


class AnswerSerializer(serializers.Serializer):
    answer = serializers.ChoiceField(choices=MergeSuggestion.Answer.choices)


class AnswerResultSerializer(serializers.Serializer):
    suggestion = SuggestionSerializer()
    changed = serializers.BooleanField(help_text="False: the same answer was recorded before.")


class KeptApartSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username", default=None)
    lifted_by = serializers.CharField(source="lifted_by.username", default=None)

    class Meta:
        model = KeptApart
        fields = ["id", "hash_a", "hash_b", "source", "created_by", "created_at", "lifted_by",
                  "lifted_at", "lifted_because"]


class ThresholdChangeSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="by.username", default=None)
    labels = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = ThresholdChange
        fields = ["id", "family", "previous", "threshold", "cause", "reverts", "labels", "by",
                  "at"]


class FamilyThresholdSerializer(serializers.Serializer):
    threshold = serializers.FloatField()
    base = serializers.FloatField()
    bounds = serializers.ListField(child=serializers.FloatField())
    suggestion_band = serializers.FloatField()


class ThresholdsSerializer(serializers.Serializer):
    adapting = serializers.BooleanField()
    min_labels = serializers.IntegerField()
    thresholds = serializers.DictField(child=FamilyThresholdSerializer())
    history = ThresholdChangeSerializer(many=True)


class SuggestionListSerializer(serializers.Serializer):
    results = SuggestionSerializer(many=True)


class KeptApartListSerializer(serializers.Serializer):
    results = KeptApartSerializer(many=True)


def _listed(rows, serializer) -> Response:
    return Response({"results": serializer(rows[:limits.TRIAGE_LISTED], many=True).data})


@extend_schema(responses={200: SuggestionListSerializer})
@api_view(["GET"])
def suggestion_list(request, project_pk: int):
    """Open "likely the same — merge?" suggestions of the project, nearest first, with evidence."""
    project = project_by_id(request.user, project_pk)
    return _listed(suggestions.open_suggestions(project.id), SuggestionSerializer)


@extend_schema(request=AnswerSerializer, responses={200: AnswerResultSerializer})
@api_view(["POST"])
def suggestion_answer(request, pk: int):
    """Answer a suggestion: `merge` merges the two issues, `apart` keeps them apart for good.
    The same answer again changes nothing (200, changed false); another answer is a 409."""
    body = AnswerSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    row = get_object_or_404(MergeSuggestion, pk=pk,
                            project__in=visible_projects(request.user))
    try:
        row, changed = suggestions.answer(row, body.validated_data["answer"], by=request.user)
    except suggestions.AnswerRefused as refused:
        raise Conflict(str(refused)) from None
    return Response({"suggestion": SuggestionSerializer(row).data, "changed": changed})


@extend_schema(responses={200: KeptApartListSerializer})
@api_view(["GET"])
def kept_apart_list(request, project_pk: int):
    """The project's "not the same" constraints, active first, newest first (audit included)."""
    project = project_by_id(request.user, project_pk)
    rows = KeptApart.objects.filter(project=project).select_related("created_by", "lifted_by")
    return _listed(rows.order_by("-lifted_at", "-created_at", "-id"), KeptApartSerializer)


@extend_schema(request=None, responses={200: KeptApartSerializer})
@api_view(["POST"])
def kept_apart_lift(request, pk: int):
    """Undo a constraint: automatic decisions may join the two fingerprints again."""
    row = get_object_or_404(KeptApart, pk=pk, project__in=visible_projects(request.user))
    constraints.lift(row, by=request.user)
    row.refresh_from_db()
    return Response(KeptApartSerializer(row).data)


def threshold_state(project) -> dict:
    policy = reading_policy(project)
    families = sorted({*CURRENT.thresholds, *policy.adapted_thresholds} - {"default"}
                      | {policy.family(None)})
    return {
        "adapting": adapt.state(project).enabled,
        "min_labels": adapt.MIN_LABELS,
        "thresholds": {family: {"threshold": policy.threshold(family),
                                "base": policy.base_threshold(family),
                                "bounds": list(policy.bounds(family)),
                                "suggestion_band": policy.suggestion_band(family)}
                       for family in families},
        "history": ThresholdChange.objects.filter(project=project).select_related("by")
        .prefetch_related("labels")[:limits.TRIAGE_LISTED],
    }


@extend_schema(responses={200: ThresholdsSerializer})
@api_view(["GET"])
def thresholds(request, project_pk: int):
    """The project's thresholds per family (base, adapted, bounds) and every change."""
    project = project_by_id(request.user, project_pk)
    return Response(ThresholdsSerializer(threshold_state(project)).data)


@extend_schema(request=None, responses={200: ThresholdChangeSerializer})
@api_view(["POST"])
def threshold_revert(request, project_pk: int, pk: int):
    """Revert one change of the adapted threshold (owners and admins)."""
    project = project_by_id(request.user, project_pk, manage=True)
    change = get_object_or_404(ThresholdChange, project=project, pk=pk)
    return Response(ThresholdChangeSerializer(adapt.revert(change, by=request.user)).data)
