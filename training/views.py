"""Staff page of the grouping models: each registry version with its state, the organisations
whose data it holds, its metrics beside the served model's, and the audited moves."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from embeddings import registry
from embeddings.models import EmbeddingModel, ModelChange
from grouping import shadow
from training import staleness


def _metrics(model: EmbeddingModel) -> dict:
    trained = getattr(model, "trained", None)
    return ((trained.manifest.get("metrics") or {}).get("trained") or {}) if trained else {}


@staff_member_required
def models_page(request):
    served = registry.serving()  # read only: a web process writes no model out (None before
    served_trained = getattr(served, "trained", None)  # the first decision registers one)
    rows = []
    for model in EmbeddingModel.objects.select_related("trained").order_by("-id"):
        trained = getattr(model, "trained", None)
        manifest = trained.manifest if trained else {}
        baseline = (manifest.get("metrics") or {}).get("served") or {}
        rows.append({
            "model": model, "trained": trained, "metrics": _metrics(model),
            "baseline": baseline,
            "organizations": manifest.get("rows_per_organization") or {},
            "agreement": shadow.agreement(model) if model.state in ("shadow", "previous") else None,
            "coverage": registry.coverage(model)[0],
            "deadline": staleness.serving_deadline(trained) if trained and model.state in
            staleness.ACTIVE else None,
            # the candidate key and thresholds it decides with, per platform family
            "rules": [(family, rule, (model.thresholds or {}).get(family),
                       (model.conflict_thresholds or {}).get(family))
                      for family, rule in sorted((model.key_rules or {}).items())],
        })
    return render(request, "training/models.html", {
        "rows": rows, "served": served,
        "confirm_days": settings.FAULTLINE_PROMOTION_CONFIRM_DAYS,
        "served_metrics": _metrics(served) if served else {},
        "withdrawals": ModelChange.objects.filter(action=ModelChange.Action.WITHDRAW)
        .select_related("model", "previous")[:5],
        "served_trained": served_trained, "changes": ModelChange.objects.select_related(
            "model", "previous", "user")[:30],
    })


@staff_member_required
@require_POST
def model_action(request, model_id: int):
    model = get_object_or_404(EmbeddingModel, pk=model_id)
    action = request.POST.get("action")
    trained = getattr(model, "trained", None)
    try:
        if action in ("shadow", "promote") and trained is not None and trained.stale:
            raise ValueError("a stale model cannot be put in shadow or promoted")
        if action == "shadow":
            registry.start_shadow(model, user=request.user)
        elif action == "promote":
            registry.promote(model, user=request.user)
        elif action == "rollback":
            registry.rollback(user=request.user)
        elif action == "confirm":
            registry.confirm(user=request.user)
        else:
            raise ValueError(f"unknown action {action!r}")
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{action}: done ({model.label})")
    return redirect("training:models")
