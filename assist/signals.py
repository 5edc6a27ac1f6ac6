"""Withdrawing consent deletes the organisation's stored generations at once."""


def on_consent_changed(sender, organization_id: int, **kwargs) -> None:
    from assist import service

    service.enforce_consent(organization_id)
