"""A consent change reaches the severity examples and heads at once."""


def on_consent_changed(sender, organization_id: int, **kwargs) -> None:
    from priority import examples, learn

    examples.enforce_consent(organization_id)
    learn.reconcile()
