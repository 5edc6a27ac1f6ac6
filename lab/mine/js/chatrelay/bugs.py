"""The chatrelay service's bugs: one root cause each, a statement of the service's own code
that fails one way for one kind of input (docs/corpus.md, "chatrelay"). Each names its site
(module and function as release 1 calls them, and what fails), the route that reaches it, the
entry points that call it, the releases it is in, and the families of input that hit it, each
drawing a fresh input per event."""

# ruff: noqa: E501  (the bug table keeps one input family per line)

from __future__ import annotations

import json
from random import Random

from lab.mine.js import service

HANDLES = ("ana", "bo", "cy", "dan")
ROOMS = ("general", "ops", "random")
BANNED = {"general": ("eve", "mallory"), "ops": ("bo",)}
MUTED = {"general": ("dan",), "ops": ("cy",), "random": ("ana", "bo")}
WORDS = ("deploy", "standup", "lunch", "pager", "release", "rollback", "coffee", "review")
LOCALES = ("en", "de", "fr", "nl", "en-GB", "pt-BR")

CHAT = ("express", "koa", "cli")
API = ("express", "koa", "http")
JOBS = ("http", "worker", "cli")
OPS = ("worker", "cli")

Make = service.Make


class Bug(service.Bug):
    """A fault of chatrelay."""

    NAME = "chatrelay"


def text(rng: Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 6)))


def sender(rng: Random, room: str) -> str:
    return rng.choice([h for h in HANDLES if h not in MUTED[room]])


def message(rng: Random, **extra) -> dict:
    room = rng.choice(ROOMS)
    return {"room": room, "from": sender(rng, room), "text": text(rng), **extra}


def digest(rng: Random, **extra) -> dict:
    return {"locale": rng.choice(LOCALES), "count": rng.randint(1, 40), "span": rng.randint(5, 90), **extra}


def hook(rng: Random, body, **extra) -> dict:
    raw = body if isinstance(body, str) else json.dumps(body)
    return {"source": rng.choice(("github", "gitlab")), "body": raw,
            "signature": f"{rng.getrandbits(64):016x}", **extra}


def push_event(rng: Random) -> dict:
    return {"type": "push", "repository": {"full_name": f"acme/{rng.choice(WORDS)}"},
            "commits": [{"id": f"{rng.getrandbits(32):08x}"} for _ in range(rng.randint(1, 3))]}


def csv(rng: Random, broken: str) -> dict:
    rows = [f"{h};{h}@chat.example;{rng.choice(LOCALES)}" for h in rng.sample(HANDLES, rng.randint(1, 3))]
    rows.insert(rng.randint(0, len(rows)), broken)
    return {"csv": "\n".join(rows)}


BUGS: tuple[Bug, ...] = (
    # rooms
    Bug("rooms/joinRoom:room", "NotFoundError", "rooms/join", CHAT,
        (("unknown-room", lambda r: {"room": r.choice(("engineering", "hr", "gen", "ops2")), "user": r.choice(HANDLES)}),
         ("room-with-hash", lambda r: {"room": f"#{r.choice(ROOMS)}", "user": r.choice(HANDLES)}))),
    Bug("rooms/joinRoom:banned", "ForbiddenError", "rooms/join", CHAT,
        (("banned-user", lambda r: (lambda room: {"room": room, "user": r.choice(BANNED[room])})(r.choice(sorted(BANNED)))),
         ("banned-user-capitals", lambda r: {"room": "general", "user": r.choice(("Eve", "MALLORY", " eve "))}))),
    Bug("rooms/joinRoom:user", "TypeError", "rooms/join", CHAT,
        (("no-user", lambda r: {"room": r.choice(ROOMS)}),
         ("user-as-id", lambda r: {"room": r.choice(ROOMS), "user": r.randint(100, 9999)}))),
    Bug("rooms/renameRoom:title", "RangeError", "rooms/rename", API,
        (("long-title", lambda r: {"room": r.choice(ROOMS), "title": " ".join(r.choice(WORDS) for _ in range(r.randint(6, 9)))}),)),
    Bug("rooms/listMembers:archived", "TypeError", "rooms/members", API,
        (("archived-room", lambda r: {"room": r.choice(("archive-2025", "archive-2024")), "page": r.randint(1, 3)}),),
        releases=(1, 2, 3)),
    Bug("rooms/inviteLink:hours", "RangeError", "rooms/invite", ("express", "cli"),
        (("hours-in-ms", lambda r: {"room": r.choice(ROOMS), "hours": r.randint(24, 720) * 3_600_000_000}),
         ("hours-as-words", lambda r: {"room": r.choice(ROOMS), "hours": r.choice(("a day", "one week", "48h"))})),
        releases=(2, 3, 4)),
    # messages
    Bug("messages/postMessage:muted", "ForbiddenError", "messages/send", API,
        (("muted-sender", lambda r: (lambda room: {"room": room, "from": r.choice(MUTED[room]), "text": text(r)})(r.choice(ROOMS))),)),
    Bug("messages/postMessage:text", "TypeError", "messages/send", API,
        (("no-text", lambda r: {k: v for k, v in message(r).items() if k != "text"}),
         ("null-text", lambda r: message(r, text=None)))),
    Bug("messages/postMessage:mentions", "TypeError", "messages/send", API,
        (("mentions-as-string", lambda r: message(r, mentions=f"@{r.choice(HANDLES)}")),
         ("mentions-as-map", lambda r: message(r, mentions={r.choice(HANDLES): True})))),
    Bug("messages/parseId:syntax", "SyntaxError", "messages/edit", API + ("cli",),
        (("prefixed-id", lambda r: {"id": f"msg_{r.randint(1000, 9999)}", "text": text(r)}),
         ("id-with-hash", lambda r: {"id": f"#{r.randint(1000, 9999)}", "text": text(r)}))),
    Bug("messages/parseId:fraction", "RangeError", "messages/edit", API + ("cli",),
        (("float-id", lambda r: {"id": r.randint(1000, 9999) + 0.5, "text": text(r)}),)),
    Bug("messages/editMessage:missing", "NotFoundError", "messages/edit", API + ("cli",),
        (("unknown-id", lambda r: {"id": str(r.randint(2000, 99999)), "text": text(r)}),
         ("numeric-unknown-id", lambda r: {"id": r.randint(2000, 99999), "text": text(r)}))),
    Bug("messages/searchMessages:pattern", "SyntaxError", "messages/search", API,
        (("unclosed-group", lambda r: {"q": f"({r.choice(WORDS)}"}),
         ("bare-quantifier", lambda r: {"q": f"*{r.choice(WORDS)}"}),
         ("bad-flags", lambda r: {"q": r.choice(WORDS), "flags": r.choice(("x", "ii", "gq"))}))),
    Bug("messages/renderMarkdown:emoji", "RangeError", "messages/render", ("http", "worker"),
        (("unknown-shortcode", lambda r: {"text": f"{text(r)} :{r.choice(('party', 'thumbs_up', 'fire'))}:"}),)),
    Bug("messages/summarize:empty", "TypeError", "messages/summary", JOBS,
        (("empty-thread", lambda r: {"thread": f"t-{r.randint(10, 999)}"}),)),
    # notify
    Bug("notify/formatDigest:locale", "RangeError", "notify/digest", JOBS,
        (("underscore-locale", lambda r: digest(r, locale=r.choice(("en_US", "de_DE", "pt_BR")))),
         ("locale-name", lambda r: digest(r, locale=r.choice(("en-", "Deutsch!", "")))))),
    Bug("notify/formatDigest:unit", "RangeError", "notify/digest", JOBS,
        (("plural-unit", lambda r: digest(r, unit=r.choice(("minutes", "hours", "mins")))),)),
    Bug("notify/pushToDevice:token", "DeliveryError", "notify/push", JOBS,
        (("device-without-token", lambda r: {"user": r.choice(("cy", "dan"))}),), cause="TypeError"),
    Bug("notify/pushToDevice:settings", "DeliveryError", "notify/push", JOBS,
        (("legacy-settings", lambda r: {"user": r.choice(("bo", "eve"))}),), cause="SyntaxError"),
    Bug("notify/emailDigest:user", "TypeError", "notify/email", JOBS,
        (("deleted-user", lambda r: {"user": r.choice(("mallory", "zed", "old-bot")), "period": r.choice(("daily", "weekly"))}),
         ("display-name", lambda r: {"user": r.choice(("Ana", "Bo K.")), "period": "daily"}))),
    # hooks
    Bug("hooks/verify:secret", "TypeError", "hooks/ingest", API,
        (("unknown-source", lambda r: hook(r, push_event(r), source=r.choice(("bitbucket", "gitea", "GitHub")))),)),
    Bug("hooks/ingest:json", "SyntaxError", "hooks/ingest", API,
        (("form-encoded-body", lambda r: hook(r, f"payload={r.choice(WORDS)}&sig={r.randint(1, 99)}")),
         ("truncated-body", lambda r: hook(r, json.dumps(push_event(r))[:r.randint(10, 30)])))),
    Bug("hooks/ingest:type", "TypeError", "hooks/ingest", API,
        (("unknown-event", lambda r: hook(r, {"type": r.choice(("release", "star", "fork")), "zen": "x"})),
         ("no-type", lambda r: hook(r, {"zen": r.choice(WORDS)})))),
    Bug("hooks/push:repository", "TypeError", "hooks/ingest", API,
        (("push-without-repository", lambda r: hook(r, {"type": "push", "commits": []})),)),
    # admin
    Bug("admin/importUsers:row", "TypeError", "admin/users", OPS,
        (("short-row", lambda r: csv(r, f"{r.choice(HANDLES)};{r.choice(HANDLES)}@chat.example")),
         ("comma-row", lambda r: csv(r, f"{r.choice(HANDLES)},{r.choice(HANDLES)}@chat.example,en")))),
    Bug("admin/purge:before", "RangeError", "admin/purge", OPS,
        (("dmy-date", lambda r: {"before": f"{r.randint(13, 28)}/{r.randint(1, 12)}/2026"}),
         ("relative-date", lambda r: {"before": r.choice(("30 days ago", "last month", "yesterday"))}))),
    Bug("admin/setRetention:days", "ValidationError", "admin/retention", ("express", "cli"),
        (("zero-days", lambda r: {"days": 0}),
         ("days-with-unit", lambda r: {"days": f"{r.randint(7, 90)}d"}),
         ("too-long", lambda r: {"days": r.randint(400, 4000)}))),
    # presence
    Bug("presence/setStatus:emoji", "RangeError", "presence/status", ("express", "koa", "worker"),
        (("unknown-emoji", lambda r: {"user": r.choice(HANDLES), "emoji": r.choice(("palm_tree", "coffee", "sick")), "text": r.choice(WORDS)}),
         ("no-emoji", lambda r: {"user": r.choice(HANDLES), "text": r.choice(WORDS)}))),
)
