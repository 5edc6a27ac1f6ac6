"""Sent after an organisation's consent changed, so that consumers can enforce it at once."""

from django.dispatch import Signal

consent_changed = Signal()  # sender: OrganizationConsent, organization_id
