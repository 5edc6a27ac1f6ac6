"""Sentry-style fingerprint grouping of a normalized event (a pure function).

Order of preference, as in Sentry's default grouping:
1. the stack traces of the exception chain (or of the crashed thread / top-level stack trace):
   in-app frames when there are any, else all frames; per frame the module (or the file's base
   name with hashes removed), the function, and for Python/JS/PHP/Ruby the context line; never
   line numbers; runs of identical frames (recursion) count once; each exception adds its type.
   Unlike Sentry, the crash frame's context line, where it opens a parenthesis or square
   bracket it does not close (`raise ValueError(`, as formatters write long calls), is read on
   into the post-context until the statement closes, so two multi-line raises of one function
   are two fingerprints. Where no frame has a usable context line (a "coarse" event: Go,
   minified JS, JVM) each exception's parameterized value joins as well; for Go, only the text
   each wrapper of the chain adds of its own, inputs quoted with `%q` as `<str>`
   (wrapped_chain_values), and the crash frame's code statement (crash_line; faultline-fp-3);
   for Node with code lines (faultline-fp-5), only the in-app frames from the innermost one
   reached by dispatch, by file and own function name (application_frames; under
   faultline-fp-6 a caller is found across Node's own frames, as after an `await`); under
   faultline-fp-6, for Ruby, the names the message quotes that the
   crash statement writes (named_components); for Node, where the crash statement reads
   several fields of one object, the one the message names (field_component), and function
   names as the current SDK sends them (current_sdk_name); for Go, the values with what a
   format verb of the crash statement's literal or the runtime printed of an input masked
   (program_values); and for a
   browser event whose frames a source map resolved, with code lines, the same application
   frames as Node's, without the file-less frames below them (mapped_frames);
2. without frames: each exception's type and parameterized value;
3. else the parameterized message (the log template when the SDK sent one);
4. CSP reports: directive and blocked host.
An SDK `fingerprint` replaces this, with `{{ default }}` standing for the default components.

The algorithm is a named, versioned configuration (CONFIGURATIONS, as Sentry names its grouping
configurations); each event's grouping data and each fingerprint (GroupHash) record the one that
made their hash. A change that moves hashes registers under a new name beside the old one, and
names the one it follows (PREVIOUS): an event whose hash is new is also hashed the previous way,
and joins the issue that hash already has (grouping.assign), so moving to a new configuration
never splits an issue that existed before it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from itertools import pairwise

from grouping.clean import (
    BUNDLE_NAME_HASH,
    clean_function,
    clean_module,
    grouping_function,
    grouping_type,
    kept_name,
    map_applied,
    minified_frame,
    names_a_file,
    v8_alias,
    v8_alias_start,
)
from grouping.parameterize import parameterize
from monitor import limits

CONTEXT_LINE_PLATFORMS = {"python", "javascript", "node", "php", "ruby"}

_URL_ORIGIN = re.compile(r"^[a-z][a-z0-9+.-]*://[^/]*", re.IGNORECASE)
_HASHISH = re.compile(r"(?<=[.\-_])[0-9a-f]{6,}(?=[.\-_])|\b[0-9a-f]{16,}\b", re.IGNORECASE)
_VERSION = re.compile(r"(?<=[@\-/])v?\d+(?:\.\d+){1,3}(?=[/\-.])")
# strings (escapes and JS template literals included, strings_out) and trailing comments open
# nothing; each string's body is read possessively, up to where it closes or cannot go on
_QUOTE = re.compile(r"[\"'`]")
_STRING_BODY = {'"': re.compile(r'"(?:[^"\\\n]|\\.)*+'), "'": re.compile(r"'(?:[^'\\\n]|\\.)*+"),
                "`": re.compile(r"`[^`\n]*+")}
_COMMENT = re.compile(r"\s(?:#|//).*$")


# faultline-fp-2: as faultline-fp-1, but a frame of a minified bundle that no source map resolved
# reads its file without the build's content hash (`app.U2NJAFAF.js` → `app.<hash>.js`) and
# only the names the minifier kept (`Object.du [as cart/applyCoupon]` → `cart/applyCoupon`,
# `t.fromObject` → `fromObject`, `bu` → nothing, the frame still counting): under
# faultline-fp-1 one fault in such a bundle took a new fingerprint with every release.
# faultline-fp-3: as faultline-fp-2, but for Go (WRAPPED_VALUE_PLATFORMS) a coarse event's
# exception chain reads each wrapper whose value ends with its inner exception's value (Go's
# `fmt.Errorf("...: %w")`, pkg/errors' Wrap) by its own prefix only, the value it repeats
# joining only where no wrapper adds text of its own (chain_values), and every value with its
# quoted parts as `<str>`: under faultline-fp-2 every input an error message carried, repeated
# by each wrapper, made a fingerprint of its own. It also reads a Go event's crash line (its
# last in-app frame's statement, as Python's and Ruby's fingerprints do), so two panics of one
# function, one message template, are two fingerprints; an error's stack there is mostly that
# of the line that captured it, the same for every error captured there.
FP1 = "faultline-fp-1"
FP2 = "faultline-fp-2"
FP3 = "faultline-fp-3"
# faultline-fp-5 (docs/ml-grouping.md, "Node entry points by dispatch"): as faultline-fp-3,
# but a Node event (ENTRY_FRAME_PLATFORMS) with code lines leaves out the in-app frames above
# the innermost call its application made by dispatch (application_frames: `handler(req.body)`,
# `routes[job.route](job.input)`, a call that does not name the function it reached), and reads
# the rest by file base name and own function name: one fault reached from several entry points
# is one fingerprint, while the application functions that call one in-app helper by name stay
# apart. (faultline-fp-4 is the name the crash-site trial of docs/ml-grouping.md used on a
# branch, never served: not reused.)
FP5 = "faultline-fp-5"
# faultline-fp-6: as faultline-fp-5, with additions for Ruby, Go, Node and the browser, and Node
# function names read as the current @sentry/node sends them (current_sdk_name: 7.x's
# `Object.<anonymous>` as `Object.?`, docs/ingest.md "Older SDK releases"; raven-node's
# `null.<anonymous>` as `?` and `async main` as `main`, "Legacy Raven clients").
# Ruby (docs/ml-grouping.md, "Ruby: the names the error quotes that its crash statement
# writes"): a Ruby event (NAMED_VALUE_PLATFORMS) whose crash frame has a code statement also reads
# the names its error's message quotes that this statement writes (written_names: `undefined
# method `fetch' for nil:NilClass` on `shelf.min_by { ... }.fetch(:title)`, `key not found:
# "user"` on `CONTACTS.fetch(message.fetch("user"))`): which call of the line met nil, or
# which of its lookups missed. Under faultline-fp-5 every fault of one line, one exception
# class, was one fingerprint, and ML grouping only ever joins whole fingerprints. A name the
# statement does not write (an input: an unknown key, a method called by `public_send`) is not
# read, so one fault's inputs stay one fingerprint: an empty name where none is written, which
# is not faultline-fp-5's hash (named_components says why).
# Node (docs/ml-grouping.md, "Node twins by the field the message names"): a Node event with
# code lines (NAMED_FIELD_PLATFORMS) whose crash statement
# reads several fields of one object (`cookie.serialize("sid", v, { domain: input.domain, maxAge:
# input.maxAge })`) and whose message names exactly one of them ("option domain is invalid")
# also hashes that field (named_field): the message says which input was bad, so the faults of
# two fields of one statement, one type, are two fingerprints, and one field's fault stays one
# whatever its value and whichever entry point reached it. A message that names none of them,
# or several, reads an empty field: such events of one statement share one fingerprint, which
# is not faultline-fp-5's (field_component says why).
# Browser (docs/javascript.md, "Resolved browser events by their application frames"): a
# browser event (MAPPED_ENTRY_PLATFORMS) with code lines whose application frames a source map
# resolved (resolved_by_map) is read as faultline-fp-5 reads a Node event (application_frames:
# an `onclick` handler and a direct call reaching one function through `routes[route](input)`
# are one fingerprint), and without the application frames below the innermost mapped one that
# name no file (mapped_frames: a library's `<anonymous>` generator steps, `Array.map`). A
# minified bundle's event that no map resolved hashes as under faultline-fp-5.
# Node callers across an await (docs/ml-grouping.md, "Node callers across an await"):
# application_frames finds an application frame's caller above Node's own frames
# (runtime_frame: `process.processTicksAndRejections`, which V8 puts between an awaiting frame
# and the one it called), so `await operation(name)(req.body)` is a dispatch as it is without
# the await.
FP6 = "faultline-fp-6"
# faultline-fp-6 also (docs/ml-grouping.md, "Go: the inputs its error prints"): a Go event
# (FORMAT_VALUE_PLATFORMS) reads each value of its chain with what a format verb of a string
# literal its in-app code lines write printed as `<arg>` (written_format: `quotes: locale
# fjord_saffron7` of `errors.Wrapf(err, "quotes: locale %s", p.Locale)`), and the runtime's
# own panics without the input they print (runtime_value: the dynamic type a failed type
# assertion met, the index and length of a bounds error): under faultline-fp-5 an input
# printed with `%s` or `%v`, not `%q`, made a fingerprint per input.
DEFAULT_CONFIG = FP6
# a quoted part of a Go error's value: what `%q` (or a regexp's backquotes) printed of an input.
# A quote left open matches to the line's end and is kept as written (quoted_out): every try
# from a quote matches, so the scan stays linear on `"\"\"…`
_QUOTED = re.compile(r'"(?:[^"\\\n]|\\.?)*+("|$)|`[^`\n]*+(`|$)', re.MULTILINE)
# where faultline-fp-3 reads chains by their wrappers' own text (docs/ml-grouping.md: why Go only)
WRAPPED_VALUE_PLATFORMS = {"go"}
# where faultline-fp-5 leaves out the in-app frames above a dispatch (application_frames)
ENTRY_FRAME_PLATFORMS = {"node"}
# where faultline-fp-6 reads the names an error quotes that its crash statement writes
NAMED_VALUE_PLATFORMS = {"ruby"}
# where faultline-fp-6 masks what a format verb of the code's literals printed (written_format)
FORMAT_VALUE_PLATFORMS = {"go"}
# a Go string literal: interpreted (with escapes) or raw; each bounded, the scan linear
_GO_LITERAL = re.compile(r'"((?:[^"\\\n]|\\.){1,200}+)"|`([^`\n]{1,200}+)`')
# a fmt verb: flags, width, precision, verb (`%s`, `%-8v`, `%.2f`, `%+v`); `%%` is a percent
_GO_VERB = re.compile(r"%%|%[-+# 0]{0,4}(?:\d{1,3}|\*)?(?:\.(?:\d{1,3}|\*)?)?[a-zA-Z]")
_TYPE_ASSERTION = re.compile(r"^(interface conversion: .{1,200}? is )(.{1,200}?)(, not .*)$",
                             re.DOTALL)
_BOUNDS = re.compile(r"^(runtime error: (?:index|slice bounds) out of range) \[.*$", re.DOTALL)
# a name a message quotes: Ruby's `name' (before 3.4), 'name' (3.4 on) or an inspected
# "string" (KeyError, NameError's receivers); each body bounded, so the scan stays linear
_QUOTED_NAME = re.compile(r"`([^`'\n]{1,80})'|'([^'\n]{1,80})'|\"([^\"\\\n]{1,80})\"")
_IDENTIFIER = re.compile(r"[A-Za-z_$][\w$]*")
# where faultline-fp-6 hashes the field of the crash statement that the message names
NAMED_FIELD_PLATFORMS = {"node"}
# where faultline-fp-6 reads an event whose frames a source map resolved as faultline-fp-5 reads
# a Node event (mapped_frames, application_frames): the browser's
MAPPED_ENTRY_PLATFORMS = {"javascript"}
# `object.field` read in code, the object's name not itself a property (`input.maxAge`, not the
# `.name` of `input.user.name`); each match starts at its identifier's first character only
_MEMBER = re.compile(r"(?<![\w$.])([A-Za-z_$][\w$]*+)\.([A-Za-z_$][\w$]*+)")
# a shorter field name (`a`, `b`, `id`) is as likely an English word of the message ("must be a
# string") as the field's name
MIN_FIELD_CHARS = 3
# @sentry/node 7.x names an anonymous function by V8's text, `Object.<anonymous>` (a module's
# top-level code, a callback assigned to a property); 8.x and later `Object.?`
_NODE_SDK7_ANONYMOUS = ".<anonymous>"
# the legacy raven-node (2.x) names a callback V8 gives no receiver `null.<anonymous>`, and an
# async function's frame after an await `async <name>`; @sentry/node sends `?` and `<name>`
_RAVEN_NODE_ANONYMOUS = "null.<anonymous>"
_RAVEN_NODE_ASYNC = "async "


@dataclass(frozen=True)
class Grouping:
    hash: str
    variant: str  # in-app, system, exception, message, csp, fallback, custom
    components: tuple[str, ...]
    config: str = DEFAULT_CONFIG  # the fingerprint configuration that made the hash
    # the hash under the configuration this one follows, where it differs (grouping.assign
    # looks it up for a hash it has not seen)
    previous_hash: str | None = None
    # its hashes under the configurations before that one, newest first, where they differ
    # again: an issue made under faultline-fp-1 for a Node event that fp-3 and fp-5 both hash
    # otherwise is found through them (grouping.assign)
    older_hashes: tuple[str, ...] = ()


def normalize_filename(path: str) -> str:
    """The stable part of a file path: no origin, query, build hashes or versions; base name."""
    path = _URL_ORIGIN.sub("", path).split("?", 1)[0].split("#", 1)[0]
    path = _VERSION.sub("<v>", path)
    base = path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    return _HASHISH.sub("<hash>", base).lower()


def usable_context(frame: dict, platform: str, crash: bool = False) -> str:
    """The frame's code line where it identifies code (code_line), not on platforms without
    one."""
    if (frame.get("platform") or platform) not in CONTEXT_LINE_PLATFORMS:
        return ""
    return code_line(frame, crash)


def code_line(frame: dict, crash: bool = False) -> str:
    """The frame's code line, the crash frame's as its whole statement; not a long line, not a
    line the SDK cut around the column ("{snip}": a minified bundle's)."""
    context = (frame.get("context_line") or "").strip()
    if len(context) > limits.FINGERPRINT_CONTEXT_LINE_CHARS or "{snip}" in context:
        return ""
    return statement(context, frame.get("post_context")) if crash else context


def _depth(line: str) -> int:
    """Parentheses and square brackets opened minus closed; 0 for a line that opens a block
    (`items.forEach((item) => {`: what follows is a body, not the rest of a call)."""
    code = _COMMENT.sub("", strings_out(line)).rstrip()
    if code.endswith("{"):
        return 0
    return code.count("(") + code.count("[") - code.count(")") - code.count("]")


def strings_out(line: str) -> str:
    """The line without its closed strings (`"…"`, `'…'` with escapes, backquoted), as
    `"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`[^`\n]*`` removed them, in one pass: a
    string left open fails from every quote of its kind up to where its scan stopped (each
    one there is escaped, and the scan from it goes as the first did), so none is scanned again:
    the pattern rescanned them all, quadratic on `"\\"\\"…`."""
    out: list[str] = []
    failed_before = {'"': 0, "'": 0, "`": 0}
    i = 0
    while found := _QUOTE.search(line, i):
        start = found.start()
        quote = line[start]
        out.append(line[i:start])
        if start >= failed_before[quote]:
            body = _STRING_BODY[quote].match(line, start)  # it matches: it opens with quote
            end = body.end() if body else start + 1
            if line.startswith(quote, end):
                i = end + 1
                continue
            failed_before[quote] = end
        out.append(quote)
        i = start + 1
    out.append(line[i:])
    return "".join(out)


def statement(context: str, post_context: object) -> str:
    """The context line, and while it leaves a bracket open, the next non-blank lines of the
    post-context (at most limits.FINGERPRINT_CONTINUATION_LINES, each a usable context line)."""
    depth = _depth(context)
    if depth <= 0 or not isinstance(post_context, list):
        return context
    parts = [context]
    for line in post_context[:10]:
        line = line.strip() if isinstance(line, str) else ""
        if not line:
            continue
        if len(line) > limits.FINGERPRINT_CONTEXT_LINE_CHARS or "{snip}" in line:
            break
        parts.append(line)
        depth += _depth(line)
        if depth <= 0 or len(parts) > limits.FINGERPRINT_CONTINUATION_LINES:
            break
    return " ".join(parts)


def own_name(function: str) -> str:
    """A V8 function name without the `[as alias]` it ends with (`Object.checkFeed [as
    feed/checkFeed]` → `Object.checkFeed`): the alias is the property the caller called it
    through, one caller's choice. The alias is found as clean.v8_alias finds it."""
    cut = v8_alias_start(function)
    return function if cut is None else function[:cut].rstrip()


def callee_name(frame: dict) -> str:
    """The name a caller's code calls the frame's function by: the last part of its own name
    (`Object.checkFeed [as feed/checkFeed]` → `checkFeed`, `async readLink` → `readLink`);
    "" for an anonymous function (`?`, `MessagePort.<anonymous>`)."""
    name = own_name(grouping_function(frame)).strip().removeprefix("async ")
    last = name.removeprefix("new ").rsplit(".", 1)[-1]
    return last if _IDENTIFIER.fullmatch(last) else ""


def alias_name(frame: dict) -> str:
    """The property name V8's `[as alias]` says the frame's function was called through: its
    last part (`Object.formatImpl [as format]` → `format`; `[as routes/callbackUrl]` →
    `callbackUrl`, not the table `routes` it sits in). A function exported under another name
    is called by that name (`module.exports = { format: formatImpl }`, then `utils.format(x)`)."""
    alias = v8_alias(grouping_function(frame)) or ""
    last = alias.replace(".", "/").rsplit("/", 1)[-1].strip()
    return last if _IDENTIFIER.fullmatch(last) else ""


def names_callee(caller: dict, callee: dict) -> bool:
    """Whether the caller's statement calls the callee by name (its own, or an alias V8 gives
    it), or cannot tell (no code line, an anonymous callee). False for a dispatch:
    `handler(req.body)`, `routes[job.route](x)` reaching `checkFeed`, a call through a variable
    or a table."""
    name = callee_name(callee)
    line = code_line(caller, crash=True)
    if not name or not line:
        return True
    called = _IDENTIFIER.findall(line)
    return name in called or alias_name(callee) in called


def runtime_frame(frame: dict) -> bool:
    """A frame of Node's own modules (`node:internal/process/task_queues`, `node:events`): where
    one stands between two application frames, the upper still made the call, across an
    `await`'s resumption or an event's emission."""
    return str(frame.get("filename") or frame.get("abs_path") or "").startswith("node:") \
        and not frame.get("in_app")


def application_frames(frames: list[dict], across_runtime: bool = False) -> list[dict]:
    """The in-app frames faultline-fp-5 hashes: from the innermost one that its in-app caller
    (the frame just above it) reached by dispatch (names_callee) to the crash site, which is
    always kept; all of them where there is no such call. Above a dispatch are the entry
    point's frames (an Express or Koa handler looking up a route, a worker's message handler,
    a CLI's command table), which vary for one fault; a caller that names the function it
    calls is the application's own, and tells apart the bugs of a shared helper's callers.
    `across_runtime` (faultline-fp-6): the caller is also the application frame just above
    Node's own frames (runtime_frame), as `await handler(input)` resumes through
    `processTicksAndRejections`."""
    app = [i for i, f in enumerate(frames) if f.get("in_app")]
    start = 0
    for i in app[1:]:
        above = i - 1
        while across_runtime and above > 0 and runtime_frame(frames[above]):
            above -= 1
        if frames[above].get("in_app") and not names_callee(frames[above], frames[i]):
            start = i
    return [frames[i] for i in app if i >= start]


def current_sdk_name(function: str, platform: str) -> str:
    """A Node frame's function named as @sentry/node 8.x and later name it: 7.x's
    `<receiver>.<anonymous>` as `<receiver>.?` (the later releases never send the first), and
    the legacy raven-node's `null.<anonymous>` (a callback without a receiver) as `?` and
    `async main` (V8's async frame) as `main`, so an application's issue does not split when
    its SDK is upgraded."""
    if platform != "node":
        return function
    if function.startswith(_RAVEN_NODE_ASYNC):
        function = function[len(_RAVEN_NODE_ASYNC):]
    if function == _RAVEN_NODE_ANONYMOUS:
        return "?"
    if function.endswith(_NODE_SDK7_ANONYMOUS):
        return function[:-len("<anonymous>")] + "?"
    return function


def frame_component(frame: dict, platform: str, crash: bool = False,
                    minified_names: bool = False, site: bool = False,
                    sdk_names: bool = False) -> str | None:
    """`minified_names` (faultline-fp-2): a minified bundle's unresolved frame reads only what
    the minifier kept of its file and function names. `site` (faultline-fp-5): a Node
    application frame reads its file's base name, never the module, and its function's own name
    (own_name), the same whichever entry point called it. `sdk_names` (faultline-fp-6): a Node
    frame's function as the current SDK names it (current_sdk_name)."""
    module = None if site else frame.get("module")
    minified = minified_names and not module and minified_frame(frame)
    if module:
        where = clean_module(module)
    else:
        path = frame.get("filename") or frame.get("abs_path") or ""
        if minified:
            path = BUNDLE_NAME_HASH.sub("<hash>", path.split("?", 1)[0].split("#", 1)[0])
        where = normalize_filename(path)
    function = grouping_function(frame)
    if sdk_names:
        function = current_sdk_name(function, frame.get("platform") or platform)
    if site and not minified:  # a minified frame's alias is the one name the minifier kept
        function = own_name(function)
    if function in ("?", "<anonymous>", "<unknown>"):
        function = ""
    else:
        function = kept_name(function) if minified else clean_function(function)
    parts = [where, function]
    context = usable_context(frame, platform, crash)
    if context:
        parts.append(context)
    if not any(parts):
        return None
    return "frame:" + "|".join(parts)


def resolved_by_map(event: dict) -> bool:
    """Whether faultline-fp-6 reads the event by its mapped frames: a MAPPED_ENTRY_PLATFORMS
    event with an application frame that a source map resolved (map_applied)."""
    return (event.get("platform") or "other") in MAPPED_ENTRY_PLATFORMS and any(
        frame.get("in_app") and map_applied(frame) for _, frames in _stacks(event)
        for frame in frames)


def mapped_frames(frames: list[dict]) -> list[dict]:
    """The frames without the application frames below the innermost one a map resolved that
    name no file (`<anonymous>`: a library's generator steps, the engine's `Array.map`): the
    browser SDK calls every frame without a URL the application's, and how many of a library's
    such frames a fault passes through depends on the library's version and the input."""
    mapped = [i for i, f in enumerate(frames) if f.get("in_app") and map_applied(f)
              and names_a_file(f)]
    if not mapped:
        return frames
    return [f for i, f in enumerate(frames)
            if i <= mapped[-1] or not f.get("in_app") or names_a_file(f)]


def stack_components(frames: list[dict], platform: str, in_app_only: bool,
                     minified_names: bool = False, entry_out: bool = False,
                     sdk_names: bool = False, across_runtime: bool = False) -> list[str]:
    """`entry_out` (faultline-fp-5, with `in_app_only`): the application_frames, each read as
    a site (frame_component's `site`); `across_runtime` (faultline-fp-6): found across Node's
    own frames."""
    site = entry_out and in_app_only
    if site:
        selected = application_frames(frames, across_runtime)
    else:
        selected = [f for f in frames if f.get("in_app")] if in_app_only else frames
    out: list[str] = []
    for index, frame in enumerate(selected):
        component = frame_component(frame, platform, crash=index == len(selected) - 1,
                                    minified_names=minified_names, site=site,
                                    sdk_names=sdk_names)
        if component and (not out or out[-1] != component):  # recursion counts once
            out.append(component)
    return out


def _stacks(event: dict) -> list[tuple[dict | None, list[dict]]]:
    exceptions = event.get("exception") or []
    if exceptions:
        return [(exc, (exc.get("stacktrace") or {}).get("frames") or []) for exc in exceptions]
    threads = event.get("threads") or []
    for thread in sorted(threads, key=lambda t: (not t.get("crashed"), not t.get("current"))):
        frames = (thread.get("stacktrace") or {}).get("frames")
        if frames:
            return [(None, frames)]
    frames = (event.get("stacktrace") or {}).get("frames")
    return [(None, frames)] if frames else []


def own_text(value: str, inner: str | None) -> str | None:
    """The part of a wrapper's value that is its own: what precedes its inner exception's
    value when it ends with it (`allowlist: invalid CIDR address: x` around `invalid CIDR
    address: x` → `allowlist: `); None when it does not repeat its inner value."""
    if inner and value.endswith(inner):
        return value[:-len(inner)]
    return None


def chain_values(values: list[str]) -> list[str | None]:
    """Per exception of a chain (innermost first, as SDKs send it), the text that joins a coarse
    hash under faultline-fp-3, or None for none. A wrapper that repeats its inner value gives
    its own prefix only (none where it adds nothing: pkg/errors' withStack); a value that
    wrappers repeat joins only when none of them adds text of its own, since the input it
    carries would otherwise part one bug per input while the wrappers' text already tells the
    site's bugs apart. A value nobody repeats (an unwrapped `errors.New`) keeps its text."""
    own = [own_text(v, values[i - 1] if i else None) for i, v in enumerate(values)]
    out: list[str | None] = []
    for i, value in enumerate(values):
        if own[i] is not None:
            out.append(own[i] or None)
            continue
        above = i + 1
        while above < len(values) and own[above] is not None and not own[above]:
            above += 1  # wrappers that add nothing (withStack) repeat it unchanged
        repeated_with_text = above < len(values) and bool(own[above])
        out.append(None if repeated_with_text else value)
    return out


def quoted_out(text: str) -> str:
    """The text with each closed quotation (`"…"` with escapes, or backquoted) as `<str>`; a
    lone quote (`missing " in quoted-field`) stays."""
    return _QUOTED.sub(lambda m: "<str>" if m.group(1) or m.group(2) else m.group(0), text)


def wrapped_chain_values(values: list[str], types: list[str] | None = None,
                         statement_: str | None = None) -> list[str | None]:
    """A Go chain's values as faultline-fp-3 hashes them: chain_values, each with its quoted
    parts as `<str>` (Go quotes what it prints of an input with `%q`: `parsing "abc"`), so an
    unwrapped value still tells its template apart but not its input. With `types` and the
    crash statement (faultline-fp-6): each own text also with its other inputs masked first
    (program_values)."""
    cut = limits.PARAMETERIZE_INPUT_CHARS  # no more than parameterize reads
    own = chain_values(values)
    if types is not None and statement_ is not None:
        kept = [i for i, v in enumerate(own) if v is not None]
        masked = program_values([own[i][:cut] for i in kept], [types[i] for i in kept],
                                statement_)
        for i, text in zip(kept, masked, strict=True):
            own[i] = text
    return [None if v is None else quoted_out(v[:cut]) for v in own]


def go_literals(statements: list[str]) -> list[str]:
    """The string literals the statements write that hold a fmt verb and a word of their own
    (a format), each as Go reads it (`\\"`, `\\\\`, `\\n`, `\\t` unescaped), in order, once each."""
    found: list[str] = []
    for line in statements:
        for match in _GO_LITERAL.finditer(line):
            text = match.group(2)
            if text is None:
                text = re.sub(r"\\(.)", lambda e: {"n": "\n", "t": "\t"}.get(e.group(1),
                                                                              e.group(1)),
                              match.group(1))
            verbs = [v for v in _GO_VERB.finditer(text) if v.group(0) != "%%"]
            if verbs and re.search(r"[A-Za-z]", _GO_VERB.sub("", text)):
                found.append(text)  # a format with words of its own: not a bare "%s: %v"
    return list(dict.fromkeys(found))


def written_format(value: str, literal: str) -> str | None:
    """`value` with what each verb of the format `literal` printed as `<arg>` (`<str>` for
    `%q`, as quoted_out writes it; `%w` prints the inner error, which own_text has cut), where
    the value is the literal's output, followed by `: ` (pkg/errors' Wrapf) or alone; else
    None. The literal's pieces are found left to right, each at its first place (the last at
    the end), with no backtracking: a value that would need one is left as it is."""
    pieces: list[str] = []
    verbs: list[str] = []
    start = 0
    for verb in _GO_VERB.finditer(literal):
        if verb.group(0) == "%%":
            continue
        pieces.append(literal[start:verb.start()].replace("%%", "%"))
        verbs.append(verb.group(0)[-1])
        start = verb.end()
    last = literal[start:].replace("%%", "%")
    for tail in (": ", ""):
        text = value[:-len(tail)] if tail and value.endswith(tail) else value
        if tail and text == value or not text.startswith(pieces[0]) or not text.endswith(last):
            continue
        out, at, end = [pieces[0]], len(pieces[0]), len(text) - len(last)
        for piece, verb in zip([*pieces[1:], None], verbs, strict=True):
            found = end if piece is None else text.find(piece, at, end)
            if found < 0 or verb == "w" and found != at:
                break
            if verb != "w":
                out.append("<str>" if verb == "q" else "<arg>")
            out.append(piece or "")
            at = found + len(piece or "")
        else:
            if at <= end:
                return "".join(out) + last + tail
    return None


def runtime_value(value: str, type_: str) -> str:
    """A Go runtime panic's value without the input it prints: the dynamic type a failed type
    assertion met (`interface {} is nil, not float64` → `is <type>, not float64`), the index,
    bounds, length and capacity of a bounds error; other values as they are."""
    if type_ == "*runtime.TypeAssertionError":
        return _TYPE_ASSERTION.sub(r"\1<type>\3", value)
    if type_ == "runtime.boundsError":
        return _BOUNDS.sub(r"\1", value)
    return value


def program_values(texts: list[str], types: list[str], statement_: str) -> list[str]:
    """A Go chain's values (each one's own text, chain_values) with what came from the input
    masked: the args of the first format literal of the crash statement whose output the value
    is (written_format: pkg/errors and go-errors take their stack where the error is made, so
    its format is on that line; fmt.Errorf's is not on the stack, and its value stays), and the
    runtime's inputs (runtime_value). What the code writes stays, so two errors of one
    function stay two."""
    literals = go_literals([statement_])
    out: list[str] = []
    for text, type_ in zip(texts, types, strict=True):
        masked = runtime_value(text, type_)
        for literal in literals if masked == text else ():
            formatted = written_format(text, literal)
            if formatted is not None:
                masked = formatted
                break
        out.append(masked)
    return out


def crash_line(selected: list[dict]) -> str:
    """The crash frame's code statement (code_line of the last selected frame), on any platform
    that sends one: "" where it has none or an unusable one."""
    return code_line(selected[-1], crash=True) if selected else ""


def quoted_names(value: str) -> list[str]:
    """The names an error message quotes on its first line, in order, once each, the first
    limits.FINGERPRINT_QUOTED_NAMES of them (Ruby's quote one to three; error_highlight writes
    the code line and a caret below the first line: not the error's own words). Bounded, since
    each name is then searched for in the crash statement (written_names)."""
    first = value[:limits.PARAMETERIZE_INPUT_CHARS].split("\n", 1)[0]
    names: dict[str, None] = {}
    for match in _QUOTED_NAME.finditer(first):
        names[match.group(match.lastindex)] = None  # each alternative has one group
        if len(names) == limits.FINGERPRINT_QUOTED_NAMES:
            break
    return list(names)


def written_names(value: str, statement_: str) -> list[str]:
    """The names `value` quotes that the crash statement writes as a whole word or literal
    (`fetch` in `.fetch(:title)`, `user` in `fetch("user")`): what the code, not an input,
    named; an input (an unknown key, a dispatched method) is not written there."""
    return [name for name in quoted_names(value) if name in statement_  # no pattern for most
            and re.search(rf"(?<![\w$@]){re.escape(name)}(?![\w?!])", statement_)]


def named_components(event: dict, stacks: list[tuple[dict | None, list[dict]]],
                     selected: list[dict]) -> list[str]:
    """faultline-fp-6's components of a NAMED_VALUE_PLATFORMS event whose crash frame has a
    usable statement: `named:<name>` for each name the raised exception's message quotes that
    the statement writes, an empty `named:` where it writes none; none elsewhere. Every such
    event hashes apart from faultline-fp-5, the ones quoting no written name too: were their
    hash fp-5's, a fresh installation's first event quoting an input's key would make an issue
    under that hash, and the twin quoting the key the code writes would fall back to it
    (PREVIOUS, grouping.assign) and merge the two again (field_component, Node's alike)."""
    platform = event.get("platform") or "other"
    if platform not in NAMED_VALUE_PLATFORMS or not stacks or stacks[-1][0] is None:
        return []
    line = crash_line(selected) if selected and usable_context(selected[-1], platform) else ""
    if not line:
        return []
    value = str(stacks[-1][0].get("value") or "")
    return ["named:" + name for name in written_names(value, line)] or ["named:"]


def statement_fields(line: str) -> frozenset[str]:
    """The fields a code statement reads of an object it reads several fields of
    (`semver.compare(input.current, input.bump)` → current, bump; `{ domain: input.domain,
    maxAge: input.maxAge }` → domain, maxAge), strings left out, each of at least
    MIN_FIELD_CHARS characters; none where it reads one field of each object
    (`fxp.parse(input.xml)`)."""
    by_object: dict[str, set[str]] = {}
    for name, field in _MEMBER.findall(strings_out(line)):
        by_object.setdefault(name, set()).add(field)
    return frozenset(f for fields in by_object.values() if len(fields) > 1 for f in fields
                     if len(f) >= MIN_FIELD_CHARS)


def named_field(value: str, line: str) -> str:
    """The one field of the crash statement (statement_fields) that the exception's message
    names as a word ("option maxAge is invalid", "argument name is invalid: x"), else "": a
    message that names none, or several, says nothing of which input was bad."""
    fields = statement_fields(line)
    if not fields:
        return ""
    named = fields.intersection(_IDENTIFIER.findall(value[:limits.PARAMETERIZE_INPUT_CHARS]))
    return next(iter(named)) if len(named) == 1 else ""


def default_components(event: dict, minified_names: bool = True,
                       wrapped_values: bool = False, entry_out: bool = False,
                       named_values: bool = False, named_fields: bool = False,
                       format_values: bool = False, sdk_names: bool = False,
                       mapped_entry: bool = False,
                       async_callers: bool = False) -> tuple[str, list[str]]:
    """The components under faultline-fp-2; `minified_names=False`: under faultline-fp-1;
    `wrapped_values`: under faultline-fp-3 (wrapped_chain_values, on WRAPPED_VALUE_PLATFORMS);
    `entry_out` as well: under faultline-fp-5 (application_frames, on ENTRY_FRAME_PLATFORMS
    events with code lines: a minified bundle without maps hashes as before); `named_values`
    and `named_fields` and `format_values` as well: under faultline-fp-6 (named_components, on
    NAMED_VALUE_PLATFORMS; field_component, on NAMED_FIELD_PLATFORMS events that
    faultline-fp-5 reads by their application frames; program_values, on
    FORMAT_VALUE_PLATFORMS; current_sdk_name, on Node frames); `mapped_entry` as well: under
    faultline-fp-6, a browser event that a source map resolved, with code lines
    (resolved_by_map), is read by its mapped_frames as faultline-fp-5 reads a Node event: a
    minified bundle's event that no map resolved hashes as before); `async_callers` as well:
    under faultline-fp-6, application_frames finds a caller across Node's own frames."""
    platform = event.get("platform") or "other"
    stacks = _stacks(event)
    has_in_app = any(frame.get("in_app") for _, frames in stacks for frame in frames)
    selected = [f for _, frames in stacks for f in frames if f.get("in_app") or not has_in_app]
    # Without context lines (minified JS, JVM, .NET) frames are coarse: two bugs in one function
    # look the same. The parameterized value then joins the hash (a deviation from Sentry,
    # measured in docs/ml-grouping.md); ML grouping folds back the splits it causes.
    coarse = not any(usable_context(f, platform) for f in selected)
    texts = [str(exc.get("value") or "") for exc, _ in stacks if exc is not None]
    values: list[str | None] = list(texts)
    if wrapped_values and platform in WRAPPED_VALUE_PLATFORMS:
        if format_values and platform in FORMAT_VALUE_PLATFORMS:
            types = [str(exc.get("type") or "") for exc, _ in stacks if exc is not None]
            values = wrapped_chain_values(texts, types, crash_line(selected))
        else:
            values = wrapped_chain_values(texts)
    mapped = mapped_entry and not coarse and resolved_by_map(event)
    if mapped:
        stacks = [(exc, mapped_frames(frames)) for exc, frames in stacks]
    entry = entry_out and (platform in ENTRY_FRAME_PLATFORMS or mapped) and has_in_app \
        and not coarse
    components: list[str] = []
    frame_count = 0
    for index, (exc, frames) in enumerate(stacks):
        if exc is not None:
            components.append("type:" + grouping_type(exc))
            if coarse and values[index] is not None:
                components.append("value:" + parameterize(values[index] or ""))
        frame_components = stack_components(frames, platform, in_app_only=has_in_app,
                                            minified_names=minified_names, entry_out=entry,
                                            sdk_names=sdk_names, across_runtime=async_callers)
        frame_count += len(frame_components)
        components += frame_components
        if named_fields and entry and platform in NAMED_FIELD_PLATFORMS and frame_components:
            components += field_component(exc, frames)
    if frame_count:
        if wrapped_values and coarse and platform in WRAPPED_VALUE_PLATFORMS:
            line = crash_line(selected)
            if line:
                components.append("line:" + line)
        if named_values:
            components += named_components(event, stacks, selected)
        return ("in-app" if has_in_app else "system"), components

    exceptions = event.get("exception") or []
    if exceptions:
        components = []
        for exc, value in zip(exceptions, values, strict=True):
            components.append("type:" + grouping_type(exc))
            if value is not None:
                components.append("value:" + parameterize(value))
        return "exception", components
    if event.get("csp"):
        csp = event["csp"]
        directive = str(csp.get("effective-directive") or csp.get("violated-directive") or "")
        blocked = str(csp.get("blocked-uri") or "")
        origin = _URL_ORIGIN.match(blocked)
        return "csp", [
            "csp:" + directive.split(" ", 1)[0],
            "blocked:" + (origin.group(0) if origin else blocked),
        ]
    template = (event.get("logentry") or {}).get("message") or event.get("message")
    if template:
        return "message", ["message:" + parameterize(template)]
    return "fallback", []


def field_component(exc: dict | None, frames: list[dict]) -> list[str]:
    """faultline-fp-6's component of one exception whose application crash statement (its
    innermost in-app frame's: the crash site application_frames always keeps) reads several
    fields of one object (statement_fields): the field its message names (named_field), empty
    where it names none. Every such event hashes apart from faultline-fp-5, the ones naming no
    field too: were their hash fp-5's, a fresh installation's first event naming no field would
    make an issue under that hash, and each twin's fp-6 hash would fall back to it (PREVIOUS,
    grouping.assign) and merge the twins again."""
    if exc is None:
        return []
    line = crash_line([f for f in frames if f.get("in_app")][-1:])
    if not statement_fields(line):
        return []
    return ["field:" + named_field(str(exc.get("value") or ""), line)]


_VARIABLES = {
    "{{default}}": None,
    "{{transaction}}": lambda e: e.get("transaction") or "",
    "{{type}}": lambda e: (e.get("exception") or [{}])[-1].get("type") or "",
    "{{level}}": lambda e: e.get("level") or "",
    "{{message}}": lambda e: parameterize(e.get("message") or ""),
}


# name → the default components of an event (variant, components) under that configuration
CONFIGURATIONS: dict[str, Callable[[dict], tuple[str, list[str]]]] = {
    FP1: lambda event: default_components(event, minified_names=False),
    FP2: default_components,
    FP3: lambda event: default_components(event, wrapped_values=True),
    FP5: lambda event: default_components(event, wrapped_values=True, entry_out=True),
    FP6: lambda event: default_components(event, wrapped_values=True, entry_out=True,
                                          named_values=True, named_fields=True,
                                          format_values=True, sdk_names=True,
                                          mapped_entry=True, async_callers=True),
}


def _has_minified_frame(event: dict) -> bool:
    """Whether faultline-fp-2 can differ from faultline-fp-1 for the event (a frame of a minified
    bundle that no map resolved): elsewhere the two hash alike, so the second hash is skipped."""
    return any(minified_frame(frame) for _, frames in _stacks(event) for frame in frames)


def _has_wrapped_values(event: dict) -> bool:
    """Whether faultline-fp-3 can differ from faultline-fp-2 for the event: an exception of a
    WRAPPED_VALUE_PLATFORMS event (elsewhere the two hash alike)."""
    return bool(event.get("exception")) and \
        (event.get("platform") or "other") in WRAPPED_VALUE_PLATFORMS


def _has_old_sdk_names(event: dict) -> bool:
    """Whether sdk_names can change the event's components: a frame named as only @sentry/node
    7.x or raven-node names it (current_sdk_name)."""
    platform = event.get("platform") or "other"
    return any((frame.get("platform") or platform) == "node"  # the cheap test first: every
               and _old_sdk_name(grouping_function(frame))  # event asks
               for _, frames in _stacks(event) for frame in frames)


def _old_sdk_name(function: str) -> bool:
    """Whether current_sdk_name reads the (Node) function name otherwise."""
    return function.endswith(_NODE_SDK7_ANONYMOUS) or function.startswith(_RAVEN_NODE_ASYNC)


def _has_entry_frames(event: dict) -> bool:
    """Whether faultline-fp-5 can differ from faultline-fp-3 for the event: an
    ENTRY_FRAME_PLATFORMS event with an in-app frame (elsewhere the two hash alike)."""
    return (event.get("platform") or "other") in ENTRY_FRAME_PLATFORMS and \
        any(frame.get("in_app") for _, frames in _stacks(event) for frame in frames)


def _has_named_or_format_values(event: dict) -> bool:
    """Whether faultline-fp-6's Ruby or Go reading can differ from faultline-fp-5 for the event:
    an exception of a NAMED_VALUE_PLATFORMS or FORMAT_VALUE_PLATFORMS event."""
    return bool(event.get("exception")) and \
        (event.get("platform") or "other") in NAMED_VALUE_PLATFORMS | FORMAT_VALUE_PLATFORMS


def _reads_several_fields(event: dict) -> bool:
    """Whether faultline-fp-6 can differ from faultline-fp-5 for the event: a
    NAMED_FIELD_PLATFORMS event one of whose exceptions has an application crash statement that
    reads several fields of one object, whether or not its message names one (field_component;
    elsewhere the two hash alike)."""
    if (event.get("platform") or "other") not in NAMED_FIELD_PLATFORMS:
        return False
    return any(exc is not None and field_component(exc, frames)
               for exc, frames in _stacks(event))


def _calls_across_runtime(event: dict) -> bool:
    """Whether application_frames can read the event otherwise across Node's own frames: an
    ENTRY_FRAME_PLATFORMS event with an application frame just below one of Node's
    (runtime_frame) that has an application frame above it."""
    if (event.get("platform") or "other") not in ENTRY_FRAME_PLATFORMS:
        return False
    for _, frames in _stacks(event):
        seen_app = False
        for above, frame in pairwise(frames):
            seen_app = seen_app or bool(above.get("in_app"))
            if seen_app and frame.get("in_app") and runtime_frame(above):
                return True
    return False


def _fp6_can_differ(event: dict) -> bool:
    """Whether faultline-fp-6 can differ from faultline-fp-5 for the event (elsewhere the two
    hash alike): Ruby's quoted names, Go's masked inputs, Node's named field, a name only
    @sentry/node 7.x or raven-node sends, a Node caller across the runtime's frames, or a
    browser event's mapped frames."""
    return _has_named_or_format_values(event) or _reads_several_fields(event) or \
        _has_old_sdk_names(event) or _calls_across_runtime(event) or resolved_by_map(event)


#: configuration → the one it replaced, whose hashes its new fingerprints fall back to, and
#: which events the two can hash differently (the rest need no second hash)
PREVIOUS: dict[str, tuple[str, Callable[[dict], bool]]] = {
    FP2: (FP1, _has_minified_frame),
    FP3: (FP2, _has_wrapped_values),
    FP5: (FP3, _has_entry_frames),
    FP6: (FP5, _fp6_can_differ),
}


def group(event: dict, config: str = DEFAULT_CONFIG) -> Grouping:
    """The event's fingerprint under the named configuration (grouping.policy chooses it), with
    its hashes under the configurations that one replaced where they differ."""
    grouping = _group(event, config)
    earlier = earlier_hashes(event, config, grouping.hash)
    if not earlier:
        return grouping
    return replace(grouping, previous_hash=earlier[0], older_hashes=earlier[1:])


def earlier_hashes(event: dict, config: str, hash_: str) -> tuple[str, ...]:
    """The event's hashes under the configurations before `config`, walking PREVIOUS back,
    each where it differs from the hashes after it, newest first: a minified bundle's event,
    which faultline-fp-3 hashes as faultline-fp-2 does, still finds the issue faultline-fp-1
    made for it, and so does a Node one that faultline-fp-5 hashes otherwise again."""
    found: list[str] = []
    latest = hash_
    while config in PREVIOUS:
        config, can_differ = PREVIOUS[config]
        if can_differ(event):
            earlier = _group(event, config).hash
            if earlier != latest:
                found.append(earlier)
                latest = earlier
    return tuple(h for h in dict.fromkeys(found) if h != hash_)


def earlier_hash(event: dict, config: str, hash_: str) -> str | None:
    """The newest of earlier_hashes, or None."""
    return next(iter(earlier_hashes(event, config, hash_)), None)


def _group(event: dict, config: str) -> Grouping:
    if config not in CONFIGURATIONS:
        raise ValueError(f"unknown fingerprint configuration {config!r}")
    variant, components = CONFIGURATIONS[config](event)
    fingerprint = event.get("fingerprint")
    if fingerprint:
        custom: list[str] = []
        for part in fingerprint:
            token = part.replace(" ", "").lower()
            if token in _VARIABLES:
                resolver = _VARIABLES[token]
                custom += components if resolver is None else ["var:" + resolver(event)]
            else:
                custom.append("fp:" + part)
        variant, components = "custom", custom
    return Grouping(components_hash(components), variant, tuple(components), config)


def components_hash(components: list[str]) -> str:
    """A fingerprint's hash: its components, one a line."""
    return hashlib.md5("\n".join(c.replace("\n", " ") for c in components).encode()).hexdigest()
