"""The lean WSGI entry of the ingest endpoints: `/api/<project>/store/`, `/envelope/` and
`/security/` served straight from the WSGI environ, in front of Django.

Django's handler costs an SDK request more than the endpoint's own work (docs/benchmarks.md):
a WSGIRequest, the URL resolver, the request signals, an HttpResponse and its header classes.
None of them does anything for an SDK: the endpoints (ingest.views) read the environ, the query
string and the body, and give a Reply. What the request signals did for the database connection
is done here: a thread's connection is dropped when it is past DB_CONN_MAX_AGE or broke.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from urllib.parse import parse_qsl

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent
from django.db import close_old_connections

from ingest.views import ENDPOINTS, respond

PATH = re.compile(r"^/api/(\d+)/(store|envelope|security)/$")


class LeanRequest:
    """What the endpoints read of a request, from the WSGI environ."""

    __slots__ = ("META", "_query", "method")

    def __init__(self, environ: dict):
        self.META = environ
        self.method = environ.get("REQUEST_METHOD", "GET").upper()
        self._query: dict[str, str] | None = None

    @property
    def GET(self) -> dict[str, str]:  # noqa: N802 - the name Django's request gives it
        """The query string's fields (the last value of a repeated one, as Django's QueryDict
        `get`), parsed on first use within Django's bound on the number of fields (past it,
        Django's TooManyFieldsSent, as its QueryDict raises)."""
        if self._query is None:
            try:
                pairs = parse_qsl(self.META.get("QUERY_STRING", ""), keep_blank_values=True,
                                  errors="replace",
                                  max_num_fields=settings.DATA_UPLOAD_MAX_NUMBER_FIELDS)
            except ValueError as exc:
                raise TooManyFieldsSent(str(exc)) from exc
            self._query = dict(pairs)
        return self._query

    def read(self, size: int = -1) -> bytes:
        return self.META["wsgi.input"].read(size)


def endpoint(path: str) -> tuple[int, str] | None:
    """(project id, endpoint name) when `path` is an ingest endpoint's. Digits past what
    int() reads (sys.get_int_max_str_digits) are no project id: Django's route answers 404."""
    match = PATH.match(path)
    if not match:
        return None
    try:
        return int(match[1]), match[2]
    except ValueError:
        return None


def application(environ: dict, start_response: Callable) -> Iterable[bytes]:
    """WSGI application of the ingest paths (faultline.wsgi dispatches to it)."""
    project_id, name = endpoint(environ.get("PATH_INFO", "")) or (0, "")
    if not name:
        raise LookupError(f"not an ingest path: {environ.get('PATH_INFO')!r}")
    try:
        reply = respond(ENDPOINTS[name], LeanRequest(environ), project_id)
    finally:
        close_old_connections()
    start_response(reply.status_line, reply.headers)
    return [reply.body]
