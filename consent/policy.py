"""The one question every consumer of service data asks before using it for ML or generative
features: may organisation O's data of category C be used for purpose P now?

Non-identifying aggregates need no consent (docs/consent.md says exactly which).
"""

from __future__ import annotations

from consent.models import CATEGORIES, OrganizationConsent, Purpose, flag_name


def allowed(organization_id: int, purpose: str, category: str, *, hold: bool = False) -> bool:
    """False unless the organisation opted in for this purpose and category, today.

    `hold=True` (inside a transaction) locks the consent row until the transaction ends, so a
    withdrawal cannot commit between this answer and the writes that rely on it: it waits, and
    its clean-up (consent_changed) then sees those writes.
    """
    if purpose not in CATEGORIES or category not in CATEGORIES[purpose]:
        return False
    rows = OrganizationConsent.objects.filter(organization_id=organization_id)
    if hold:
        rows = rows.select_for_update()
    consent = rows.first()
    if consent is None:
        return False
    if purpose == Purpose.GENERATIVE and (consent.hide_ai_features or consent.generative_locked):
        return False
    return getattr(consent, flag_name(purpose, category)) is True


def consenting_organizations(purpose: str, category: str) -> list[int]:
    """Every organisation for which `allowed` holds (asked per organisation: one rule)."""
    return [
        org_id
        for org_id in OrganizationConsent.objects.values_list("organization_id", flat=True)
        if allowed(org_id, purpose, category)
    ]


def consent_summary(organization_id: int) -> list[tuple[str, str, bool]]:
    """(purpose, category, allowed now) for every question, for read-only displays."""
    return [
        (Purpose(purpose).label, category.label, allowed(organization_id, purpose, category))
        for purpose, categories in CATEGORIES.items()
        for category in categories
    ]


def ai_features_hidden(organization_id: int) -> bool:
    """True when the organisation asked to hide every AI feature: no trace in UI or API."""
    return OrganizationConsent.objects.filter(
        organization_id=organization_id, hide_ai_features=True
    ).exists()
