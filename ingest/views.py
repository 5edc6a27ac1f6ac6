"""Sentry-protocol ingest endpoints: store, envelope, security (CSP). Thin: parse, authenticate,
make durable, reply. Normalization and grouping happen in the Celery worker.

The endpoints need only `method`, `META` (the WSGI environ), `GET` and `read()` of the request
and give a `Reply`, so the same code serves Django's URL routes (the test client, a web server
without the lean entry) and the lean WSGI entry in front of Django (ingest.lean), which skips
Django's request object, URL resolver and response classes."""

from __future__ import annotations

import functools
import json
import logging
import uuid
from collections import Counter
from collections.abc import Callable
from http import HTTPStatus
from typing import NamedTuple

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from ingest import accept, bodymemory, ratelimit, side_items, stats
from ingest.auth import KeyInfo, authenticate, client_sdk, public_key_from_request
from ingest.body import (
    HEAD_READ_BYTES,
    decode_content,
    decode_head,
    decode_legacy_store_body,
    read_body,
    read_start,
)
from ingest.bodymemory import UNCOUNTED, Ledger
from ingest.errors import IngestError, bad_request, too_large
from ingest.models import RawEvent
from ingest.payload import (
    loads,
    parse_envelope,
    parse_envelope_header,
    parse_event_id,
    parse_json_object,
)
from ingest.ratelimit import check_rate_limit, too_many
from monitor import limits

ALLOWED_HEADERS = (
    "X-Sentry-Auth, X-Requested-With, Origin, Accept, Content-Type, Authentication, "
    "Authorization, Content-Encoding, sentry-trace, baggage"
)
EXPOSED_HEADERS = "X-Sentry-Error, X-Sentry-Rate-Limits, Retry-After"
EVENT_ITEM_TYPES = {"event"}
JSON_TYPE = "application/json"


class Reply(NamedTuple):
    """An endpoint's answer: status, body and headers (Content-Type among them)."""

    status: int
    body: bytes
    headers: list[tuple[str, str]]

    @property
    def status_line(self) -> str:
        return f"{self.status} {HTTPStatus(self.status).phrase}"


def json_reply(data: dict, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
    body = json.dumps(data, separators=(", ", ": ")).encode()
    return Reply(status, body, [("Content-Type", JSON_TYPE), *(headers or {}).items()])


def _cors(request, reply: Reply) -> Reply:
    return reply._replace(headers=[
        *reply.headers,
        ("Content-Length", str(len(reply.body))),
        ("Access-Control-Allow-Origin", request.META.get("HTTP_ORIGIN") or "*"),
        ("Access-Control-Expose-Headers", EXPOSED_HEADERS),
        ("Vary", "Origin"),
    ])


Endpoint = Callable[..., Reply]


def header_text(text: str) -> str:
    """`text` as a header value: printable ASCII (an error detail may quote what the sender
    sent: a line break would end the header, a character past Latin-1 cannot be sent)."""
    return "".join(c if " " <= c <= "~" else c.encode("unicode_escape").decode() for c in text)


def respond(view: Endpoint, request, project_id: int) -> Reply:
    """CORS, preflight, method check and IngestError → JSON error reply around `view`."""
    if request.method == "OPTIONS":
        reply = Reply(200, b"", [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Access-Control-Allow-Methods", "POST, OPTIONS"),
            ("Access-Control-Allow-Headers", ALLOWED_HEADERS),
            ("Access-Control-Max-Age", "3600"),
        ])
        return _cors(request, reply)
    if request.method != "POST":
        reply = json_reply({"detail": "method not allowed: use POST"}, 405,
                           {"Allow": "POST, OPTIONS"})
        return _cors(request, reply)
    try:
        with bodymemory.ledger() as ledger:  # the body's bytes, given back when the view ends
            reply = view(request, project_id, ledger)
    except IngestError as exc:
        reply = json_reply({"detail": exc.detail}, exc.status,
                           {"X-Sentry-Error": header_text(exc.detail), **exc.headers})
    except Exception:  # an SDK must get JSON, never an HTML error page
        logging.getLogger(__name__).exception("ingest request failed")
        reply = json_reply({"detail": "internal error"}, 500, {"X-Sentry-Error": "internal error"})
    return _cors(request, reply)


def django_view(view: Endpoint):
    """`view` as a Django view (CSRF-exempt: SDKs authenticate with their DSN key)."""

    @csrf_exempt
    @functools.wraps(view)
    def wrapper(request: HttpRequest, project_id: int) -> HttpResponse:
        reply = respond(view, request, project_id)
        response = HttpResponse(reply.body, status=reply.status)
        for name, value in reply.headers:
            response[name] = value
        return response

    return wrapper


def _content_length(request) -> int | None:
    """The declared length; None for chunked bodies (Transfer-Encoding without Content-Length)."""
    value = request.META.get("CONTENT_LENGTH")
    if value in (None, ""):
        return None
    try:
        length = int(value)
    except ValueError:
        raise bad_request("Content-Length is not a number") from None
    if length < 0:
        raise bad_request("Content-Length is negative")
    return length


def _body_stream(request):
    """Where the body is read from, and its declared length (None: read to its end; no stream:
    no body). Django's request stream stops at Content-Length, which chunked requests lack, so
    those are read from the server's input stream (the server decodes the chunks)."""
    length = _content_length(request)
    if length is not None:
        return request, length
    chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
    if not chunked and not request.META.get("wsgi.input_terminated"):
        return None, 0  # no length and no chunked framing: there is no body to read
    return request.META["wsgi.input"], None


def _raw_body(request, limit: int, ledger: Ledger, first: bytes = b"") -> bytes:
    """The body as sent (after `first`, its start read by _body_start), held in `ledger`."""
    stream, length = _body_stream(request)
    if stream is None:
        return first
    return read_body(stream, length, limit, ledger, first)


def _body_start(request, limit: int, ledger: Ledger) -> bytes:
    """As much of the body as an envelope's header line needs, before the sender is known: an
    unknown sender holds this, never a whole body, of the web process's body budget."""
    stream, length = _body_stream(request)
    if stream is None:
        return b""
    return read_start(stream, length, HEAD_READ_BYTES, limit, ledger)


def _decoded(request, body: bytes, limit: int, ledger: Ledger) -> bytes:
    """The body decoded; the body as sent is dropped from `ledger` (the caller lets it go)."""
    data = decode_content(body, request.META.get("HTTP_CONTENT_ENCODING"), limit, ledger)
    if data is not body:
        ledger.drop(len(body))
    return data


def _read(request, compressed_limit: int, limit: int, ledger: Ledger) -> bytes:
    return _decoded(request, _raw_body(request, compressed_limit, ledger), limit, ledger)


def _user_agent(request) -> str:
    """Kept with the raw event: browsers send their browser/OS only in this header."""
    return request.META.get("HTTP_USER_AGENT", "")[:512]


def _rate_limit(key: KeyInfo) -> None:
    check_rate_limit(key.public_key, key.rate_limit_count, key.rate_limit_window)


def store_endpoint(request, project_id: int, ledger: Ledger = UNCOUNTED) -> Reply:
    key = authenticate(request, project_id)
    _rate_limit(key)
    limit = settings.INGEST_MAX_EVENT_SIZE
    data = decode_legacy_store_body(_read(request, limit, limit, ledger), limit, ledger)
    event = parse_json_object(data, "event")
    event_id = parse_event_id(event.get("event_id")) or uuid.uuid4()
    is_transaction = event.get("type") == "transaction"
    if not is_transaction and not isinstance(event.get("sdk"), dict) and \
            (sdk := client_sdk(request)):
        data = with_sdk(event, sdk, data, limit, ledger)
    del event  # parsed, it may take twenty times its bytes: not held through the commit wait
    if is_transaction:
        stats.count_items(project_id, Counter(transaction=1))
    else:
        accept.accept(project_id, event_id, RawEvent.Kind.EVENT, data, _user_agent(request),
                      key.public_key)
    return json_reply({"id": event_id.hex})


def with_sdk(event: dict, sdk: dict[str, str], data: bytes, limit: int, ledger: Ledger) -> bytes:
    """The event's JSON `data` with the `sdk` its client named (auth.client_sdk) added as the
    object's last member, which a JSON reader keeps over a non-object `sdk` the event has:
    raven-node's and raven-go's events carry none. The event's own bytes stay as sent (no
    re-serialising: Python would write its numbers otherwise, and fail on an escaped lone
    surrogate); the new body is held in `ledger` before it is made. The body as sent where the
    sdk would take it past the event's size limit."""
    member = b'"sdk":' + json.dumps(sdk, separators=(",", ":")).encode()
    added = b"," + member if event else member
    size = len(data) + len(added)
    if size > limit:
        return data
    close = data.rindex(b"}")  # the object's own: only whitespace may follow it
    view = memoryview(data)
    ledger.hold(size)
    out = b"".join((view[:close], added, view[close:]))
    ledger.drop(len(data))
    return out


def _refuse_if_used_up(key: KeyInfo, categories: tuple[ratelimit.Category, ...]) -> None:
    """Before the body is read: a key whose every budget the request could take from is spent
    gets its 429 without the body being read, decompressed or parsed."""
    ratelimit.refuse_if_used_up(key.public_key, categories, key.rate_limit_count,
                                key.rate_limit_window)


def envelope_endpoint(request, project_id: int, ledger: Ledger = UNCOUNTED) -> Reply:
    # Authenticate before the work: a key in the request (not in the body) is checked, with its
    # budgets, before the body is read; for any other only the header line is decoded.
    key = None
    if public_key_from_request(request) is not None:
        key = authenticate(request, project_id)
        _refuse_if_used_up(key, (ratelimit.EVENTS, *side_items.categories()))
    start = b""
    if key is None:
        start = _body_start(request, settings.INGEST_MAX_ENVELOPE_COMPRESSED, ledger)
        head = decode_head(start, request.META.get("HTTP_CONTENT_ENCODING"),
                           limits.ENVELOPE_HEADER_BYTES)
        key = authenticate(request, project_id, parse_envelope_header(head))
        del head
        _refuse_if_used_up(key, (ratelimit.EVENTS, *side_items.categories()))
    body = _raw_body(request, settings.INGEST_MAX_ENVELOPE_COMPRESSED, ledger, start)
    del start
    data = _decoded(request, body, settings.INGEST_MAX_ENVELOPE_SIZE, ledger)
    del body
    ledger.hold(len(data))  # the items' copies of their bytes: at most the envelope's
    parsed = parse_envelope(data, settings.INGEST_MAX_ENVELOPE_ITEMS)
    ledger.drop(len(data) - sum(len(item.payload) for item in parsed.items))
    ledger.drop(len(data))
    del data  # from here on only the items' bytes are held
    header_event_id = parse_event_id(parsed.headers.get("event_id"))

    events: list[tuple[uuid.UUID, bytes]] = []
    skipped: Counter = Counter()
    side: list = []
    for index, item in enumerate(parsed.items, start=1):
        if item.type in side_items.types():
            side.append(item)
            continue
        if item.type not in EVENT_ITEM_TYPES:
            skipped[item.type] += 1
            continue
        if len(item.payload) > settings.INGEST_MAX_EVENT_SIZE:
            raise too_large(
                f"envelope item {index} ({item.type}) is {len(item.payload)} bytes; "
                f"the limit is {settings.INGEST_MAX_EVENT_SIZE}"
            )
        payload = parse_json_object(item.payload, f"envelope item {index} ({item.type})")
        event_id = parse_event_id(payload.get("event_id")) or header_event_id or uuid.uuid4()
        del payload  # parsed, it may take twenty times its bytes: one at a time, none kept
        events.append((event_id, item.payload))
    if len({event_id for event_id, _ in events}) != len(events):
        raise bad_request("envelope carries two events with the same event_id")

    extras = side_items.prepare(side, header_event_id or (events[0][0] if events else None))
    for _ in events:
        _rate_limit(key)
    limited, refused = side_items.take_budget(key, extras)
    skipped.update(refused)
    if limited and not (events or extras):
        stats.count_items(project_id, skipped)
        raise too_many(limited)  # nothing of this envelope is stored
    for event_id, payload in events:
        accept.accept(project_id, event_id, RawEvent.Kind.EVENT, payload, _user_agent(request),
                      key.public_key)
    skipped.update(side_items.store(project_id, extras))
    stats.count_items(project_id, skipped)

    reply_id = header_event_id or (events[0][0] if events else None)
    # Stored in part: SDKs read X-Sentry-Rate-Limits on any reply.
    return json_reply({"id": reply_id.hex} if reply_id else {}, 200,
                      {"X-Sentry-Rate-Limits": ratelimit.header(limited)} if limited else None)


def security_endpoint(request, project_id: int, ledger: Ledger = UNCOUNTED) -> Reply:
    """Browser CSP violation reports (report-uri and the Reporting API's csp-violation)."""
    key = authenticate(request, project_id)
    _refuse_if_used_up(key, (ratelimit.EVENTS,))
    limit = settings.INGEST_MAX_EVENT_SIZE
    data = _read(request, limit, limit, ledger)
    try:
        report = parse_json_object(data, "report")
    except IngestError:
        reports = _reporting_api_list(data)
    else:
        reports = [report]
    for _ in reports or [None]:  # a rate-limit token per stored report
        _rate_limit(key)
    ids = []
    for one in reports:
        event_id = uuid.uuid4()
        accept.accept(project_id, event_id, RawEvent.Kind.CSP, _dump(one), "", key.public_key)
        ids.append(event_id.hex)
    return json_reply({"id": ids[0] if ids else None}, 201)




def _reporting_api_list(data: bytes) -> list[dict]:
    try:
        value = loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:  # JSONDecodeError and TooDeep among them
        raise bad_request(f"report is not valid JSON: {exc}") from exc
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise bad_request("report must be a JSON object or a list of report objects")
    reports = [
        {"csp-report": v.get("body")}
        for v in value
        if v.get("type") == "csp-violation" and isinstance(v.get("body"), dict)
    ]
    if len(reports) > limits.CSP_REPORTS_PER_REQUEST:
        raise too_large(f"more than {limits.CSP_REPORTS_PER_REQUEST} reports in one request")
    return reports


def _dump(value: dict) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


ENDPOINTS: dict[str, Endpoint] = {
    "store": store_endpoint,
    "envelope": envelope_endpoint,
    "security": security_endpoint,
}
store = django_view(store_endpoint)
envelope = django_view(envelope_endpoint)
security = django_view(security_endpoint)
