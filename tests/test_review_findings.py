"""Security review reproductions (scratch)."""

from __future__ import annotations

import pytest

from members.models import Invitation
from tests.test_alerts_delivery import smtp  # noqa: F401
from tests.test_invitations import acme, client_of, invite  # noqa: F401

pytestmark = pytest.mark.django_db


def test_admin_cannot_withdraw_an_owner_invitation_by_inviting_again(org, acme, smtp):  # noqa: F811
    assert invite(client_of(acme["owner"]), org, "boss@example.com", "owner").status_code == 302
    owner_invite = Invitation.objects.get(email="boss@example.com")
    # Withdrawing it directly is refused to admins ...
    revoke = client_of(acme["admin"]).post(f"/{org.slug}/settings/invitations/",
                                           {"action": "revoke", "invitation": owner_invite.id})
    assert revoke.status_code == 403
    owner_invite.refresh_from_db()
    assert owner_invite.revoked_at is None
    # ... but inviting the same address as member withdraws (and downgrades) it.
    replaced = invite(client_of(acme["admin"]), org, "boss@example.com", "member")
    assert replaced.status_code == 403
    owner_invite.refresh_from_db()
    assert owner_invite.revoked_at is None, "an admin withdrew an owner's invitation"
