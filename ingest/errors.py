"""The one exception type the ingest endpoints turn into an HTTP error reply."""

from __future__ import annotations


class IngestError(Exception):
    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers or {}


def bad_request(detail: str) -> IngestError:
    return IngestError(400, detail)


def too_large(detail: str) -> IngestError:
    return IngestError(413, detail)
