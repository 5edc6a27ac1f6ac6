"""Consent changes enforced at once; the heavy training imports (presidio, spaCy) load only then."""


def on_consent_changed(sender, organization_id: int, **kwargs) -> None:
    from training import sets, staleness

    sets.enforce_consent(organization_id)
    staleness.reconcile()
