"""The per-organisation quota of pending upload chunks (SOURCEMAPS_PENDING_CHUNKS_QUOTA).

A chunk is charged in the transaction that inserts it, by one conditional UPDATE of the
organisation's counter row (`pending_bytes + n <= quota`): PostgreSQL re-checks the condition
on the latest row version under the row lock, so concurrent uploads cannot overshoot the quota
between a read and an insert. Every deletion of chunks goes through `drop_chunks`, which locks
the counter row first, so concurrent deletions of the same chunks release their bytes once."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet, Sum
from django.db.models.functions import Greatest

from sourcemaps.models import PendingChunkUsage, UploadChunk

# The least a chunk is charged: the row costs the database something however small it is.
MIN_CHARGE = 1024


def charge_of(data: bytes) -> int:
    return max(len(data), MIN_CHARGE)


def charge(organization_id: int, amount: int) -> bool:
    """Add `amount` pending bytes unless that passes the quota; call inside the transaction
    that inserts the chunk, so that a refusal rolls the insert back."""
    PendingChunkUsage.objects.get_or_create(organization_id=organization_id)
    limit = settings.SOURCEMAPS_PENDING_CHUNKS_QUOTA
    return bool(PendingChunkUsage.objects.filter(
        organization_id=organization_id, pending_bytes__lte=limit - amount,
    ).update(pending_bytes=F("pending_bytes") + amount))


def drop_chunks(organization_id: int, chunks: QuerySet[UploadChunk]) -> int:
    """Delete these chunks of one organisation and release what they were charged."""
    with transaction.atomic():
        usage = PendingChunkUsage.objects.select_for_update().filter(
            organization_id=organization_id
        )
        list(usage)  # the lock: whoever deletes after us sees the rows gone
        mine = chunks.filter(organization_id=organization_id)
        released = mine.aggregate(total=Sum("charge"))["total"] or 0
        deleted, _ = mine.delete()
        if released:
            usage.update(pending_bytes=Greatest(F("pending_bytes") - released, 0))
    return deleted
