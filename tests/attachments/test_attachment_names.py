"""An attachment's file name comes from the SDK (any Unicode, control characters included) and
goes back in the download's Content-Disposition. The header must stay one line of printable
ASCII saying `attachment` with the name recoverable: Django MIME-encodes a value it cannot send
as Latin-1, so a Japanese name made the whole header `=?utf-8?q?attachment…?=`, folded over
two lines for a long one (no disposition a browser reads, and a line break an HTTP server
refuses to send); a control character went out raw."""

import json
import uuid
from email.message import EmailMessage

import pytest
from django.test import Client

from attachments.models import Attachment

pytestmark = pytest.mark.django_db

NAMES = ["スクリーンショット 2026-12-07 の画面.png" * 3, "line\u2028sep.txt", "tab\x0bbed.log",
         'quote"and\\slash.txt', "cr\r\nlf.txt", "plain.log"]


def envelope(event_id: uuid.UUID, name: str) -> bytes:
    return (json.dumps({"event_id": event_id.hex}) + "\n"
            + json.dumps({"type": "attachment", "length": 3, "filename": name})
            + "\nabc\n").encode()


def filename_of(disposition: str) -> str | None:
    message = EmailMessage()
    message["Content-Disposition"] = disposition
    return message.get_filename()


@pytest.mark.parametrize("name", NAMES)
def test_a_downloaded_attachment_keeps_its_name_in_one_ascii_header_line(project, member, name):
    key = project.keys.order_by("id").first()
    response = Client().post(f"/api/{project.id}/envelope/", envelope(uuid.uuid4(), name),
                             content_type="application/x-sentry-envelope",
                             HTTP_X_SENTRY_AUTH=f"Sentry sentry_key={key.public_key}")
    assert response.status_code == 200
    row = Attachment.objects.get(project=project)
    download = member.get(f"/{project.organization.slug}/{project.slug}/attachments/{row.id}/")
    assert download.content == b"abc"
    disposition = download["Content-Disposition"]
    assert disposition.isascii() and disposition.isprintable(), repr(disposition)
    assert disposition.startswith("attachment;"), disposition
    assert filename_of(disposition) == row.name
