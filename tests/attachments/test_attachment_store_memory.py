"""An attachment's bytes go to PostgreSQL as they are (server-side binding), not escaped into the
statement's text: storing one costs the process about its size once more, not several times
(the request's body budget, ingest.bodymemory, counts the item's bytes and nothing after)."""

import tracemalloc
import uuid

import pytest

from attachments import accept as attachments
from attachments.models import Attachment
from ingest.payload import EnvelopeItem

pytestmark = pytest.mark.django_db

SIZE = 8 * 1024 * 1024


def test_storing_an_attachment_allocates_less_than_twice_its_size(project, settings):
    settings.ATTACHMENTS_MAX_EVENT_SIZE = settings.ATTACHMENTS_MAX_PROJECT_SIZE = 4 * SIZE
    payload = bytes(range(256)) * (SIZE // 256)
    item = EnvelopeItem("attachment", {"filename": "dump.bin"}, payload)
    event_id = uuid.uuid4()
    tracemalloc.start()
    try:
        dropped = attachments.store(project.id, event_id, [item])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert not dropped
    stored = Attachment.objects.get(project_id=project.id, event_id=event_id)
    assert bytes(stored.data) == payload and stored.size == SIZE
    assert peak < 2 * SIZE, f"{peak / SIZE:.1f}x the attachment's size allocated"
