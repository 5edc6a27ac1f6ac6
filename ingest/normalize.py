"""Normalize an SDK event into Faultline's canonical shape (a pure function, no I/O).

Tolerates what real SDKs send: legacy `sentry.interfaces.*` keys, a single exception instead of a
list, `{"values": [...]}` or bare lists, numeric or ISO timestamps, tags as dicts, pairs or "k:v"
strings. Every string is cleaned of NUL and lone surrogates (PostgreSQL rejects both in jsonb),
and every part is bounded: frames, chained exceptions, breadcrumbs, string lengths, nesting depth.
The canonical shape is documented in docs/events.md.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from typing import Any

from ingest.debug_meta import normalize_debug_meta
from ingest.logformat import format_logentry
from ingest.useragent import add_user_agent_contexts
from monitor import limits

LEVELS = {"debug", "info", "warning", "error", "fatal"}
LEVEL_ALIASES = {"warn": "warning", "critical": "fatal", "log": "info", "trace": "debug"}
FRAMES_HEAD = 50

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_FRACTION = re.compile(r"(\.\d{6})\d+")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
# bidirectional embeddings, overrides, isolates and marks: in a one-line place they reorder what
# follows them, so a title could show text the event does not say (`exe.fdp` as `pdf.exe`)
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]+")


def one_line(text: str) -> str:
    """Control characters and line separators as one space, bidirectional controls dropped:
    exception types and titles go into one-line places (mail subjects, headers, chat messages,
    the stream), where a newline breaks things and an override reverses the text after it."""
    if text.isprintable():  # the fast path: neither kind is printable
        return text
    return _CONTROL.sub(" ", _BIDI.sub("", text)).strip()


def clean_str(value: Any, limit: int = limits.EVENT_STRING_CHARS) -> str:
    text = value if isinstance(value, str) else str(value)
    if not text.isascii() or "\x00" in text:  # rare: the fast path is two C calls
        text = _UNSTORABLE.sub(lambda m: "" if m.group() == "\x00" else "\ufffd", text)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def opt_str(value: Any, limit: int = limits.EVENT_STRING_CHARS) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = clean_str(value, limit)
    return text or None


def opt_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):  # ASCII digits after at most one minus: `isdigit` is also
        digits = value.strip().removeprefix("-")  # true of `²`, which int() refuses
        if digits.isascii() and digits.isdigit() and len(digits) <= 18:
            return int(value)
    return None


def trim(value: Any, depth: int = 0) -> Any:
    """Bound arbitrary JSON: depth, items per container, string length; clean strings.
    A container's plain strings (keys and values) are taken as they are without a call."""
    if isinstance(value, str):
        return clean_str(value)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if depth >= limits.EVENT_NESTING_DEPTH:
        return clean_str(repr(value), 256) if isinstance(value, (dict, list)) else None
    chars = limits.EVENT_STRING_CHARS
    if isinstance(value, dict):
        out = {}
        items = value.items()
        if len(value) > limits.EVENT_CONTAINER_ITEMS:
            items = itertools.islice(items, limits.EVENT_CONTAINER_ITEMS)
        for key, item in items:
            if not (type(key) is str and len(key) <= 256 and key.isascii() and "\x00" not in key):
                key = clean_str(key, 256)
            if type(item) is str and len(item) <= chars and item.isascii() and "\x00" not in item:
                out[key] = item
            else:
                out[key] = trim(item, depth + 1)
        if len(value) > limits.EVENT_CONTAINER_ITEMS:
            out["…"] = f"{len(value) - limits.EVENT_CONTAINER_ITEMS} more keys"
        return out
    if isinstance(value, (list, tuple)):
        items = [item if type(item) is str and len(item) <= chars and item.isascii()
                 and "\x00" not in item else trim(item, depth + 1)
                 for item in value[:limits.EVENT_CONTAINER_ITEMS]]
        if len(value) > limits.EVENT_CONTAINER_ITEMS:
            items.append(f"… {len(value) - limits.EVENT_CONTAINER_ITEMS} more items")
        return items
    return clean_str(repr(value), 256)


def values_of(value: Any) -> list:
    """`{"values": [...]}`, a bare list, or a single object → a list of dicts."""
    if isinstance(value, dict):
        inner = value.get("values")
        if isinstance(inner, list):
            value = inner
        elif inner is None and value:
            value = [value]
        else:
            return []
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, dict)]


def parse_timestamp(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:
            return None
        if not math.isfinite(number) or abs(number) > 1e14:
            return None  # NaN, infinities and absurd magnitudes: the server time is used
        return number / 1000.0 if number > 1e11 else number  # milliseconds from some SDKs
    if isinstance(value, str) and value.strip():
        text = value.strip()
        try:
            return parse_timestamp(float(text))
        except ValueError:
            pass
        text = _FRACTION.sub(r"\1", text.replace("Z", "+00:00").replace("z", "+00:00"))
        try:
            parsed = dt.datetime.fromisoformat(text)
        except ValueError:
            return None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=dt.UTC)
        return parsed.timestamp()
    return None


def normalize_level(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):  # Python logging numbers
        return {10: "debug", 20: "info", 30: "warning", 40: "error", 50: "fatal"}.get(
            value, "error"
        )
    level = str(value or "").strip().lower()
    level = LEVEL_ALIASES.get(level, level)
    return level if level in LEVELS else "error"


FRAME_STR_FIELDS = (
    "filename",
    "abs_path",
    "module",
    "function",
    "raw_function",
    "symbol",
    "package",
    "platform",
    "instruction_addr",
    "symbol_addr",
    "image_addr",
    "context_line",
)


# (field, the length it is cut to)
FRAME_STR_LIMITS = tuple((field, 1024 if field == "context_line" else 512)
                         for field in FRAME_STR_FIELDS)

# A frame needs one of these to be shown or grouped; one with none (a lineno alone) is dropped.
FRAME_IDENTITY = frozenset(("filename", "abs_path", "module", "function", "raw_function", "symbol",
                            "package", "instruction_addr"))
# Relay reads these (lower case) as URLs and takes their path for the filename; app://, webpack://
# and the rest stay whole.
URL_SCHEMES = ("file:", "http:", "https:", "applewebdata:")
_URL_PATH = re.compile(r"[a-z]+:(?://[^/?#]*)?([^?#]*)")  # scheme, authority, then the path


def frame_paths(filename: str | None, abs_path: str | None) -> tuple[str | None, str | None]:
    """(filename, abs_path) filled from each other as Relay does: a lone filename is the
    abs_path; a missing filename is the abs_path, or for a URL its path part when that is more
    than "/" (sentry-go sends only abs_path, the browser SDK only a URL filename)."""
    if not abs_path:
        abs_path, filename = filename, None
    if filename or not abs_path:
        return filename, abs_path
    if abs_path.startswith(URL_SCHEMES):
        url = _URL_PATH.match(abs_path)
        if url and url.group(1) not in ("", "/"):
            return url.group(1), abs_path
    return abs_path, abs_path


def normalize_frame(frame: dict) -> dict | None:
    """A bounded frame with Sentry's server-side defaults: filename and abs_path (frame_paths),
    a lowercase platform; None for a frame that names nothing. `in_app` is kept only as the
    SDK's boolean: fingerprints read a missing flag as not in-app, as Sentry does, while the ML
    text (grouping.clean.is_in_app) infers it from path and module, so no default is stored.
    A frame is the most repeated object of an event: a plain string (ASCII, no NUL, within
    its limit, as clean_str would leave it) is taken without a call."""
    out: dict[str, Any] = {}
    for field, limit in FRAME_STR_LIMITS:
        value = frame.get(field)
        if value is None:  # most of the fields, in most frames: no call for them
            continue
        if type(value) is str and len(value) <= limit and value.isascii() and "\x00" not in value:
            if value:
                out[field] = value
        else:
            value = opt_str(value, limit)
            if value is not None:
                out[field] = value
    if FRAME_IDENTITY.isdisjoint(out):
        return None
    filename, abs_path = frame_paths(out.get("filename"), out.get("abs_path"))
    if filename:
        out["filename"], out["abs_path"] = filename, abs_path
    if "platform" in out:
        out["platform"] = out["platform"].lower()
    for field in ("lineno", "colno"):
        value = frame.get(field)
        if value is not None and (type(value) is int or (value := opt_int(value)) is not None):
            out[field] = value
    for field, keep in (("pre_context", slice(-10, None)), ("post_context", slice(10))):
        context = frame.get(field)
        if isinstance(context, list):  # the lines next to the context line
            out[field] = [line if type(line) is str and len(line) <= 1024 and line.isascii()
                          and "\x00" not in line else clean_str(line, 1024)
                          for line in context[keep] if line is not None]
    in_app = frame.get("in_app")
    if in_app is True or in_app is False:  # unsaid stays unsaid: grouping.clean infers it
        out["in_app"] = in_app
    variables = frame.get("vars")
    if isinstance(variables, dict):
        out["vars"] = trim(variables, depth=2)
    return out


def normalize_stacktrace(value: Any) -> dict | None:
    if not isinstance(value, dict):
        return None
    raw_frames = value.get("frames")
    if not isinstance(raw_frames, list):
        return None
    total = len(raw_frames)
    omitted = None
    if total > limits.EVENT_FRAMES_PER_STACK:
        tail = limits.EVENT_FRAMES_PER_STACK - FRAMES_HEAD
        omitted = [FRAMES_HEAD, total - tail]
        raw_frames = raw_frames[:FRAMES_HEAD] + raw_frames[-tail:]
    frames = [out for f in raw_frames if isinstance(f, dict) and (out := normalize_frame(f))]
    if not frames:
        return None
    out: dict[str, Any] = {"frames": frames}
    if omitted:
        out["frames_omitted"] = omitted
    return out


def normalize_exception(exc: dict) -> dict | None:
    out: dict[str, Any] = {}
    exc_type = opt_str(exc.get("type"), 256)
    exc_type = one_line(exc_type) or None if exc_type else None
    value = opt_str(exc.get("value"), limits.EVENT_MESSAGE_CHARS)
    if value is None and isinstance(exc.get("value"), (dict, list)):
        value = clean_str(repr(exc["value"]), limits.EVENT_MESSAGE_CHARS)
    module = opt_str(exc.get("module"), 256)
    if exc_type:
        out["type"] = exc_type
    if value:
        out["value"] = value
    if module:
        out["module"] = module
    stacktrace = normalize_stacktrace(exc.get("stacktrace")) or normalize_stacktrace(
        exc.get("raw_stacktrace")
    )
    if stacktrace:
        out["stacktrace"] = stacktrace
    if isinstance(exc.get("mechanism"), dict):
        out["mechanism"] = trim(exc["mechanism"], depth=3)
    thread_id = exc.get("thread_id")
    if isinstance(thread_id, (int, str)) and not isinstance(thread_id, bool):
        out["thread_id"] = thread_id if isinstance(thread_id, int) else clean_str(thread_id, 64)
    if not (exc_type or value or stacktrace):
        return None
    return out


def normalize_exceptions(event: dict) -> list[dict]:
    raw = event.get("exception", event.get("sentry.interfaces.Exception"))
    items = values_of(raw)
    if len(items) > limits.EVENT_EXCEPTIONS:
        items = items[-limits.EVENT_EXCEPTIONS:]
    return [exc for exc in (normalize_exception(item) for item in items) if exc]


def normalize_threads(event: dict) -> list[dict]:
    out = []
    for thread in values_of(event.get("threads"))[:limits.EVENT_THREADS]:
        item: dict[str, Any] = {}
        thread_id = thread.get("id")
        if isinstance(thread_id, (int, str)) and not isinstance(thread_id, bool):
            item["id"] = thread_id if isinstance(thread_id, int) else clean_str(thread_id, 64)
        for flag in ("crashed", "current", "main"):
            if isinstance(thread.get(flag), bool):
                item[flag] = thread[flag]
        name = opt_str(thread.get("name"), 256)
        if name:
            item["name"] = name
        stacktrace = normalize_stacktrace(thread.get("stacktrace"))
        if stacktrace:
            item["stacktrace"] = stacktrace
        out.append(item)
    return out


def normalize_message(event: dict) -> tuple[str | None, dict | None]:
    """The formatted message and the logentry {message, params} it came from."""
    logentry = event.get("logentry", event.get("sentry.interfaces.Message"))
    message = event.get("message")
    if isinstance(message, dict) and logentry is None:
        logentry, message = message, None
    template = params = formatted = None
    if isinstance(logentry, dict):
        template = opt_str(logentry.get("message"), limits.EVENT_MESSAGE_CHARS)
        formatted = opt_str(logentry.get("formatted"), limits.EVENT_MESSAGE_CHARS)
        params = logentry.get("params")
    elif isinstance(logentry, str):
        template = clean_str(logentry, limits.EVENT_MESSAGE_CHARS)
    if formatted is None and template and params:
        formatted = _format(template, params)
    text = formatted or opt_str(message, limits.EVENT_MESSAGE_CHARS) or template
    entry = None
    if template or formatted:
        entry = {"message": template or formatted}
        if params:
            entry["params"] = trim(params, depth=3)
    return text, entry


def _format(template: str, params: Any) -> str:
    formatted = format_logentry(template, params)
    return template if formatted is None else clean_str(formatted, limits.EVENT_MESSAGE_CHARS)


def normalize_tags(value: Any) -> list[list[str]]:
    pairs: list[tuple[Any, Any]] = []
    if isinstance(value, dict):
        pairs = list(value.items())
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, (list, tuple)) and len(item) == 2:
                pairs.append((item[0], item[1]))
            elif isinstance(item, str) and ":" in item:
                pairs.append(tuple(item.split(":", 1)))
    out: list[list[str]] = []
    seen = set()
    for key, val in pairs[:limits.EVENT_TAGS]:
        if key is None or val is None or isinstance(val, (dict, list)):
            continue
        key_text = clean_str(key, 64).strip()
        val_text = clean_str(val, limits.EVENT_TAG_VALUE_CHARS).strip()
        if key_text and val_text and key_text not in seen:
            seen.add(key_text)
            out.append([key_text, val_text])
    return out


def normalize_pairs(value: Any) -> list[list[str]]:
    """Headers or cookies: dict, list of pairs, or a "Cookie:"-style string → [[k, v], ...]."""
    if isinstance(value, str):
        value = [part.split("=", 1) for part in value.split(";") if "=" in part]
    items = value.items() if isinstance(value, dict) else value if isinstance(value, list) else []
    out = []
    for item in items:
        if isinstance(item, (list, tuple)) and len(item) == 2 and item[0] is not None:
            out.append([clean_str(item[0], 256).strip(),
                        clean_str(item[1] or "", limits.EVENT_STRING_CHARS)])
        if len(out) >= limits.EVENT_CONTAINER_ITEMS:
            break
    return out


def normalize_request(value: Any) -> dict | None:
    if not isinstance(value, dict):
        return None
    out: dict[str, Any] = {}
    for field in ("url", "method", "fragment"):
        text = opt_str(value.get(field), 2048)
        if text:
            out[field] = text.upper() if field == "method" else text
    query = value.get("query_string")
    if isinstance(query, str) and query:
        out["query_string"] = clean_str(query, 2048)
    elif isinstance(query, (dict, list)) and query:
        out["query_string"] = normalize_pairs(query)
    for field in ("headers", "cookies"):
        if value.get(field):
            out[field] = normalize_pairs(value[field])
    for field in ("data", "env"):
        if value.get(field) not in (None, "", {}, []):
            out[field] = trim(value[field], depth=2)
    return out or None


def normalize_user(value: Any) -> dict:
    """Free-form like `extra`, so bounded like it: at most limits.EVENT_CONTAINER_ITEMS keys."""
    if not isinstance(value, dict):
        return {}
    out = {}
    for key, item in itertools.islice(value.items(), limits.EVENT_CONTAINER_ITEMS):
        if item in (None, "", {}):
            continue
        out[clean_str(key, 64)] = trim(item, depth=4)
    if len(value) > limits.EVENT_CONTAINER_ITEMS:
        out["…"] = f"{len(value) - limits.EVENT_CONTAINER_ITEMS} more keys"
    if "ip_address" in out and not isinstance(out["ip_address"], str):
        out.pop("ip_address")
    return out


def user_identity(user: dict) -> str | None:
    """The value of Sentry's `user` tag: id, else email, else username, else IP."""
    for key, prefix in (
        ("id", "id"),
        ("email", "email"),
        ("username", "username"),
        ("ip_address", "ip"),
    ):
        value = user.get(key)
        if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value):
            return clean_str(f"{prefix}:{value}", 200)
    return None


def normalize_breadcrumbs(value: Any) -> list[dict]:
    crumbs = values_of(value)[-limits.EVENT_BREADCRUMBS:]
    out = []
    for crumb in crumbs:
        item = trim(crumb, depth=3)
        if "timestamp" in crumb:
            item["timestamp"] = parse_timestamp(crumb["timestamp"])
        out.append(item)
    return out


def normalize_event(
    event: dict,
    received: float,
    event_id: str,
    *,
    kind: str = "event",
    user_agent: str | None = None,
) -> dict:
    """Canonical, bounded, JSON-safe event. `received` is the server time (unix seconds);
    `user_agent` is the HTTP request's User-Agent (browser/os/device when the SDK sent none)."""
    if kind == "csp":
        return normalize_csp(event, received, event_id)

    timestamp = parse_timestamp(event.get("timestamp"))
    if timestamp is None or timestamp > received + limits.EVENT_FUTURE_SECONDS:
        timestamp = received
    message, logentry = normalize_message(event)
    out: dict[str, Any] = {
        "event_id": event_id,
        "timestamp": timestamp,
        "received": received,
        "platform": (opt_str(event.get("platform"), 64) or "other").lower()[:64],
        "level": normalize_level(event.get("level")),
    }
    for field, limit in (
        ("logger", 128),
        ("transaction", 200),
        ("server_name", 128),
        ("release", 200),
        ("dist", 64),
        ("environment", 64),
    ):
        value = opt_str(event.get(field), limit)
        if value:
            out[field] = value.strip()
    if message:
        out["message"] = message
    if logentry:
        out["logentry"] = logentry
    exceptions = normalize_exceptions(event)
    if exceptions:
        out["exception"] = exceptions
    threads = normalize_threads(event)
    if threads:
        out["threads"] = threads
    stacktrace = normalize_stacktrace(
        event.get("stacktrace", event.get("sentry.interfaces.Stacktrace"))
    )
    if stacktrace:
        out["stacktrace"] = stacktrace
    request = normalize_request(event.get("request", event.get("sentry.interfaces.Http")))
    if request:
        out["request"] = request
    user = normalize_user(event.get("user", event.get("sentry.interfaces.User")))
    if user:
        out["user"] = user
    for field in ("contexts", "extra", "modules", "sdk"):
        if isinstance(event.get(field), dict) and event[field]:
            out[field] = trim(event[field])
    if debug_meta := normalize_debug_meta(event.get("debug_meta")):
        out["debug_meta"] = debug_meta
    breadcrumbs = normalize_breadcrumbs(event.get("breadcrumbs"))
    if breadcrumbs:
        out["breadcrumbs"] = breadcrumbs
    fingerprint = event.get("fingerprint")
    if isinstance(fingerprint, list) and fingerprint:
        out["fingerprint"] = [clean_str(part, 512) for part in fingerprint[:32] if part is not None]
    add_user_agent_contexts(out, user_agent)
    out["tags"] = derived_tags(out, normalize_tags(event.get("tags")))
    out.update(metadata(out))
    return out


def derived_tags(event: dict, tags: list[list[str]]) -> list[list[str]]:
    """Tags the SDK sent, plus the ones Sentry derives (level, release, user, runtime, ...)."""
    present = {key for key, _ in tags}
    extra: list[tuple[str, Any]] = [
        ("level", event.get("level")),
        ("environment", event.get("environment")),
        ("release", event.get("release")),
        ("server_name", event.get("server_name")),
        ("transaction", event.get("transaction")),
        ("user", user_identity(event.get("user") or {})),
    ]
    url = (event.get("request") or {}).get("url")
    if url:
        extra.append(("url", url.split("?", 1)[0]))
    contexts = event.get("contexts") or {}
    for context_name in ("runtime", "browser", "os"):
        context = contexts.get(context_name)
        if isinstance(context, dict) and context.get("name"):
            version = context.get("version")
            extra.append(
                (context_name, f"{context['name']} {version}" if version else context["name"])
            )
    extra.extend(ua_tags(contexts))
    exceptions = event.get("exception") or []
    if exceptions and isinstance(exceptions[-1].get("mechanism"), dict):
        mechanism = exceptions[-1]["mechanism"]
        if mechanism.get("type"):
            extra.append(("mechanism", mechanism["type"]))
        if isinstance(mechanism.get("handled"), bool):
            extra.append(("handled", "yes" if mechanism["handled"] else "no"))
    for key, value in extra:
        if value and key not in present:
            tags.append([key, clean_str(value, limits.EVENT_TAG_VALUE_CHARS)])
    return tags


def ua_tags(contexts: dict) -> list[tuple[str, Any]]:
    """browser.name, os.name and device, as Sentry tags them."""
    out: list[tuple[str, Any]] = []
    for name in ("browser", "os"):
        if isinstance(contexts.get(name), dict):
            out.append((f"{name}.name", contexts[name].get("name")))
    if isinstance(contexts.get("device"), dict):
        out.append(("device", contexts["device"].get("model") or contexts["device"].get("family")))
    return [(k, v) for k, v in out if isinstance(v, str)]


def _frame_label(frame: dict) -> str | None:
    where = frame.get("module") or frame.get("filename") or frame.get("abs_path")
    function = frame.get("function")
    if where and function:
        return f"{where} in {function}"
    return where or function


def culprit_of(event: dict) -> str:
    if event.get("transaction"):
        return event["transaction"]
    for exc in reversed(event.get("exception") or []):
        frames = (exc.get("stacktrace") or {}).get("frames") or []
        in_app = [f for f in frames if f.get("in_app")]
        for frame in reversed(in_app or frames):
            label = _frame_label(frame)
            if label:
                return clean_str(label, 200)
    return ""


def metadata(event: dict) -> dict:
    """title, culprit and type, as the issue stream shows them."""
    exceptions = event.get("exception") or []
    if exceptions:
        top = exceptions[-1]
        exc_type, value = top.get("type"), (top.get("value") or "").strip()
        first_line = value.splitlines()[0] if value else ""
        title = f"{exc_type}: {first_line}" if exc_type and first_line else exc_type or first_line
        kind = "error"
    else:
        message = (event.get("message") or "").strip()
        title = message.splitlines()[0] if message else ""
        kind = "default"
    return {
        "title": clean_str(one_line(title) or "<unlabeled event>", limits.EVENT_TITLE_CHARS),
        "culprit": clean_str(culprit_of(event), 255),
        "type": kind,
    }


def normalize_csp(report: dict, received: float, event_id: str) -> dict:
    body = report.get("csp-report")
    if not isinstance(body, dict):
        body = report
    csp = trim(body, depth=limits.EVENT_NESTING_DEPTH - 2)  # bounded keys, items and strings
    directive = str(csp.get("effective-directive") or csp.get("violated-directive") or "")
    directive = directive.split(" ", 1)[0]
    blocked = str(csp.get("blocked-uri") or "self")
    blocked_host = re.sub(r"^[a-z][a-z0-9+.-]*://", "", blocked).split("/", 1)[0] or blocked
    kind = directive.replace("-src-elem", "").replace("-src-attr", "").replace("-src", "")
    title = f"Blocked '{kind or 'resource'}' from '{blocked_host}'"
    out: dict[str, Any] = {
        "event_id": event_id,
        "timestamp": received,
        "received": received,
        "platform": "csp",
        "level": "error",
        "message": title,
        "csp": csp,
        "request": {"url": clean_str(csp.get("document-uri") or "", 2048)},
        "tags": [
            ["effective-directive", clean_str(directive, 200)],
            ["blocked-uri", clean_str(blocked, 200)],
        ],
        "title": clean_str(title, limits.EVENT_TITLE_CHARS),
        "culprit": clean_str(directive, 255),
        "type": "csp",
    }
    return out
