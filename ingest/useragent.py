"""Browser, OS and device contexts from a User-Agent string (a pure stage of normalization).

Browsers send no `browser`/`os`/`device` contexts: only the User-Agent, in the event's
`request.headers` (the SDK's HTTP-context integration) or on the HTTP request that carried the
event (stored with the raw event at accept time). As Sentry's Relay does, the event's header
wins and the transport's header is the fallback; contexts the SDK sent are never replaced.

Parsing uses `ua-parser` (the maintained uap-core rules) with its `ua-parser-rs` accelerator
when installed, behind ua-parser's own LRU cache: real traffic repeats a few thousand strings.
"""

from __future__ import annotations

from typing import Any

import ua_parser

from monitor import limits

UNKNOWN = "Other"


def user_agent_of(event: dict, transport_user_agent: str | None) -> str | None:
    """The User-Agent to read: the event's request header, else the HTTP request's."""
    headers = (event.get("request") or {}).get("headers") or []
    for name, value in headers:
        if name.lower() == "user-agent" and value:
            return value[:limits.USER_AGENT_CHARS]
    return (transport_user_agent or "")[:limits.USER_AGENT_CHARS] or None


def _version(*parts: str | None) -> str | None:
    kept = []
    for part in parts:
        if part is None:
            break
        kept.append(part)
    return ".".join(kept) or None


def _context(name: str | None, version: str | None, **extra: Any) -> dict | None:
    if not name or name == UNKNOWN:
        return None
    out = {"name": name}
    if version:
        out["version"] = version
    out.update({k: v for k, v in extra.items() if v})
    return out


def parse_contexts(user_agent: str) -> dict[str, dict]:
    """{"browser": {name, version}, "os": {name, version}, "device": {family, model, brand}},
    only the parts the parser recognised."""
    result = ua_parser.parse(user_agent[:limits.USER_AGENT_CHARS])
    out: dict[str, dict] = {}
    ua, os = result.user_agent, result.os
    if ua and (browser := _context(ua.family, _version(ua.major, ua.minor, ua.patch))):
        out["browser"] = {**browser, "type": "browser"}
    if os and (system := _context(os.family, _version(os.major, os.minor, os.patch))):
        out["os"] = {**system, "type": "os"}
    device = result.device
    if device and device.family not in (None, UNKNOWN, "Spider"):  # crawlers, HTTP libraries
        out["device"] = {"type": "device", "family": device.family,
                         **({"model": device.model} if device.model else {}),
                         **({"brand": device.brand} if device.brand else {})}
    return out


def add_user_agent_contexts(event: dict, transport_user_agent: str | None) -> None:
    """Fill missing browser/os/device contexts of a normalized event, in place."""
    contexts = event.get("contexts") or {}
    missing = [name for name in ("browser", "os", "device") if not contexts.get(name)]
    if not missing:
        return
    user_agent = user_agent_of(event, transport_user_agent)
    if not user_agent:
        return
    parsed = parse_contexts(user_agent)
    added = {name: parsed[name] for name in missing if name in parsed}
    if added:
        event["contexts"] = {**contexts, **added}
