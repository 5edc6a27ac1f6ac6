"""The register of erasures, and the check that keeps an erased end user's waiting events out.

An erasure can only delete what is in PostgreSQL when it runs. Events accepted before it may
still wait in a host's spool (they come back at replay) or be inserted as raw events while it
runs; erasure therefore records the user's identities (digests, never the values) with the
time, and replay and the processing worker drop every event received before that time that
carries one of them, with its attachments and feedback. Events received after the erasure are
new data and are kept.

The check costs one indexed query per batch and parses payloads only when the batch's
organisations have an erasure newer than the batch's oldest event, so in steady state it reads
nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from attachments.models import Attachment
from feedback.models import UserFeedback
from ingest.payload import loads
from privacy.models import ErasedIdentity

Identity = tuple[str, str]  # (kind, digest)


def canonical(kind: str, value: object) -> str:
    """The form identities are compared in, whatever form an SDK or a request wrote: emails in
    lower case (as erasure's SQL compares them, ignoring case), IP addresses in their
    compressed form (`2001:DB8:0::1` is `2001:db8::1`); text that is no IP stays as written."""
    text = str(value).strip()
    if kind == ErasedIdentity.Kind.EMAIL:
        return text.lower()
    if kind == ErasedIdentity.Kind.IP:
        try:
            return ipaddress.ip_address(text).compressed
        except ValueError:
            return text
    return text


def digest(kind: str, value: object) -> str:
    return hashlib.sha256(f"{kind}:{canonical(kind, value)}".encode()).hexdigest()


def identities(email: str | None = None, user_id: str | None = None,
               ip: str | None = None) -> set[Identity]:
    given = ((ErasedIdentity.Kind.EMAIL, email), (ErasedIdentity.Kind.ID, user_id),
             (ErasedIdentity.Kind.IP, ip))
    return {(kind, digest(kind, value)) for kind, value in given if value not in (None, "")}


def _dict(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def payload_identities(payload: bytes | memoryview) -> set[Identity]:
    """The end-user identities a raw event carries (as erasure matches them: user email, id,
    IP, the request's REMOTE_ADDR). A payload that does not parse carries none."""
    try:
        data = loads(bytes(payload))
    except (ValueError, RecursionError):
        return set()
    if not isinstance(data, dict):
        return set()
    user = _dict(data.get("user"))
    env = _dict(_dict(data.get("request")).get("env"))
    found = set()
    for kind, value in ((ErasedIdentity.Kind.EMAIL, user.get("email")),
                        (ErasedIdentity.Kind.ID, user.get("id")),
                        (ErasedIdentity.Kind.IP, user.get("ip_address")),
                        (ErasedIdentity.Kind.IP, env.get("REMOTE_ADDR"))):
        if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value).strip():
            found.add((kind, digest(kind, value)))
    return found


def record(organization_id: int, erased_at: dt.datetime, **identity) -> None:
    """Register an erasure (before deleting, so that nothing slips in behind it)."""
    for kind, value in identities(**identity):
        ErasedIdentity.objects.update_or_create(organization_id=organization_id, kind=kind,
                                                digest=value,
                                                defaults={"erased_at": erased_at})


@dataclass(frozen=True)
class Waiting:
    """An event not yet stored: its organisation, when it was received and its raw payload."""

    organization_id: int
    received_at: dt.datetime
    payload: bytes | memoryview


def erased(events: Sequence[Waiting]) -> set[int]:
    """Positions in `events` of those an erasure made after they were received reaches."""
    if not events:
        return set()
    recent = ErasedIdentity.objects.filter(
        organization_id__in={e.organization_id for e in events},
        erased_at__gte=min(e.received_at for e in events),
    )
    if not recent.exists():
        return set()
    carried = [payload_identities(e.payload) for e in events]
    digests = {value for found in carried for _, value in found}
    register: dict[tuple[int, str, str], dt.datetime] = {
        (org, kind, value): at
        for org, kind, value, at in recent.filter(digest__in=digests).values_list(
            "organization_id", "kind", "digest", "erased_at")
    }
    return {
        n
        for n, (event, found) in enumerate(zip(events, carried, strict=True))
        if any(_erased_since(register.get((event.organization_id, *one)), event.received_at)
               for one in found)
    }


def _erased_since(erased_at: dt.datetime | None, received_at: dt.datetime) -> bool:
    return erased_at is not None and erased_at >= received_at


def forget_side_items(project_id: int, event_ids: Iterable) -> tuple[int, int]:
    """Delete the attachments and feedback of erased events: (attachments, feedback)."""
    ids = list(event_ids)
    if not ids:
        return 0, 0
    attachments = Attachment.objects.filter(project_id=project_id, event_id__in=ids).delete()[0]
    feedback = UserFeedback.objects.filter(project_id=project_id, event_id__in=ids).delete()[0]
    return attachments, feedback
