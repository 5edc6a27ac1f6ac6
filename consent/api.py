"""Read-only view of an organisation's consent for its owners (the admin is where it changes)."""

from __future__ import annotations

from rest_framework.decorators import api_view
from rest_framework.response import Response

from access import owned_organization
from consent.models import AUDITED, OrganizationConsent


@api_view(["GET"])
def organization_consent(request, slug: str):
    organization = owned_organization(request.user, slug)
    consent = OrganizationConsent.objects.filter(organization=organization).first()
    values = {name: getattr(consent, name) if consent else OrganizationConsent._meta.get_field(
        name).get_default() for name in AUDITED}
    return Response({
        "organization": organization.slug,
        **values,
        "generative_locked": bool(consent and consent.generative_locked),
        "edit": "/admin/consent/organizationconsent/",
        "history": [
            {"field": change.field, "old": change.old_value, "new": change.new_value,
             "at": change.changed_at, "by": change.changed_by.username if change.changed_by
             else None}
            for change in organization.consent_changes.select_related("changed_by")[:50]
        ],
    })
