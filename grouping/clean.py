"""A normalized event → the text the embedding model sees (a pure function).

Keeps the signal and drops the noise, per platform:
- frames are in-app or system: the SDK's `in_app` flag first, then path and module rules
  (site-packages, node_modules, stdlib, java./javax./sun./kotlin., runtime internals, vendor
  directories, system libraries); the in-app frames are used when the event has any;
- gobbledygook goes: memory addresses, UUIDs, long numbers, hashes in bundle names and symbols,
  temp paths, line numbers; lambda and closure counters; message parameters become placeholders;
- recursion and repeated cycles count once; frames are the most recent limits.EMBED_FRAMES;
- chained exceptions: the root cause first (the part wrapped and unwrapped variants share), then
  the exceptions that wrapped it, at most limits.EMBED_EXCEPTIONS (the root and the most recent
  ones);
- the text is cut to limits.EMBED_TEXT_CHARS, about the model's 256-token window;
- its shape is the rules' per family: frames, the crash line as written, normalized or as its
  operations, the message as written or as its template (LINE_SHAPES, MESSAGE_SHAPES).
Only bounded slices of the event are ever read, so a 10 MB event or a 10,000-frame recursion
costs bounded time and memory.
"""

from __future__ import annotations

import re

from grouping import rules as grouping_rules
from grouping.families import family_of
from grouping.parameterize import parameterize
from monitor import limits

SYSTEM_PATH = re.compile(
    r"site-packages|dist-packages|/lib/python\d|<frozen |importlib/_bootstrap"
    r"|node_modules|^webpack/|webpack/bootstrap|^node:|^internal/|\(native\)|^native "
    r"|/usr/local/go/src/|/go/pkg/mod/|^runtime/|/rustc/|\.cargo/registry"
    r"|/gems/|/rubygems/|/ruby/\d|<internal:|/vendor/|/usr/lib/|/System/Library/",
    re.IGNORECASE,
)
SYSTEM_MODULE = re.compile(
    r"^(java|javax|jdk|sun|com\.sun|kotlin|kotlinx|scala|android|androidx|dalvik|com\.android"
    r"|org\.springframework|org\.apache|org\.hibernate|io\.netty|reactor|okhttp3|com\.fasterxml"
    r"|org\.junit|System|Microsoft|Newtonsoft|runtime|net/http|std|core|alloc|tokio|futures"
    r"|backtrace)([.:/]|$)"
)
SYSTEM_PACKAGE = re.compile(
    r"libsystem|libc\.so|libc\+\+|libdyld|ntdll|kernel32|kernelbase|libpthread|ld-linux"
    r"|UIKitCore|CoreFoundation",
    re.IGNORECASE,
)

_ADDRESS = re.compile(r"0x[0-9a-f]{4,}", re.IGNORECASE)
_RUST_HASH = re.compile(r"::h[0-9a-f]{16}$")
_JAVA_LAMBDA = re.compile(r"\$\$Lambda(\$\d+)?(/0x[0-9a-f]+)?(/\d+)?|\$\d+$", re.IGNORECASE)
# Spring/CGLIB proxies: Foo$$EnhancerBySpringCGLIB$$1a2b3c, Foo$$SpringCGLIB$$0
_GENERATED = re.compile(
    r"\$\$(EnhancerBySpringCGLIB|FastClassBySpringCGLIB|SpringCGLIB|\w*Proxy)\$\$?\w+"
)
_COUNTERS = re.compile(r"(lambda\$\w+?)\$\d+|(\.func)\d+|(d__|b__)\d+(_\d+)?")
_TEMP_PATH = re.compile(
    r"(/tmp|/var/folders|/private/var|[a-z]:\\users\\[^\\]+\\appdata\\local\\temp)[^\s'\":]*",
    re.IGNORECASE,
)
_URL_ORIGIN = re.compile(r"^[a-z][a-z0-9+.-]*://[^/]*", re.IGNORECASE)
# V8 names a function called through an object "Object.<minified> [as <exported name>]"
_V8_RECEIVER = re.compile(r"^(Object|Module|Function|exports)\.(?=\w)")
LITERAL = re.compile(r"""["']([^"'\s]{1,40})["']""")  # string literals on a code line
# bundle file names as modules: app.54UOYLNL, main-3f9a2c1d
_MODULE_HASH = re.compile(r"[.\-_](?=[A-Za-z0-9]*\d)([0-9A-Z]{8}|[0-9a-f]{8,})$")
_BUNDLE_HASH = re.compile(r"(?<=[.\-_])[0-9a-f]{6,}(?=[.\-_])|\b[0-9a-f]{16,}\b", re.IGNORECASE)


def is_in_app(frame: dict) -> bool:
    """The SDK's flag where it sent one, else what the path, module and package rules say."""
    flag = frame.get("in_app")
    if isinstance(flag, bool):
        return flag
    path = frame.get("abs_path") or frame.get("filename") or ""
    if path and SYSTEM_PATH.search(path):
        return False
    if SYSTEM_MODULE.match(frame.get("module") or frame.get("function") or ""):
        return False
    return not (frame.get("package") and SYSTEM_PACKAGE.search(frame["package"]))


# Families whose SDK decides in-app itself, leaving undecided only the frames it cannot place:
# sentry-python marks a frame in-app by the project root and in_app_include, not by
# site-packages and in_app_exclude, and leaves the rest unset (a library's generated code:
# SQLAlchemy's `<string>` decorators, cattrs' `<cattrs generated …>` functions, a compiled
# library outside site-packages such as pydantic 1's). Sentry reads an unset flag as not
# in-app (as grouping.fingerprint does); the path rules would read those frames as the
# application's crash site, which one release of the library has and the next has not.
SDK_DECIDES_IN_APP = frozenset({"python"})


def sdk_decided(event: dict) -> bool:
    """Whether the event's SDK decided in-app itself (SDK_DECIDES_IN_APP): a frame of a
    family that decides, marked in-app (within the frames the cleaning reads: `scanned_stacks`).
    Without one (an SDK that sends no flags) the path rules stand."""
    if family_of(event.get("platform")) not in SDK_DECIDES_IN_APP:
        return False
    return any(f.get("in_app") is True for frames in scanned_stacks(event) for f in frames)


def app_frame(frame: dict, decided: bool = False) -> bool:
    """Whether the frame is the application's: where the SDK decided (`sdk_decided`), only a
    frame it marked in-app; else `is_in_app`."""
    return frame.get("in_app") is True if decided else is_in_app(frame)


def scanned_exceptions(event: dict) -> list[dict]:
    """The exceptions the cleaning reads: the most recent limits.EMBED_SCAN_EXCEPTIONS, the root
    cause first."""
    return [e for e in (event.get("exception") or [])[-limits.EMBED_SCAN_EXCEPTIONS:]
            if isinstance(e, dict)]


def event_frames(event: dict) -> list[dict]:
    """The frames of an event without exceptions: its stack trace, else its first crashed or
    current thread's."""
    frames = frames_of(event.get("stacktrace"))
    for thread in event.get("threads") or []:
        if not frames and isinstance(thread, dict) and (thread.get("crashed")
                                                        or thread.get("current")):
            frames = frames_of(thread.get("stacktrace"))
    return frames


def scanned_stacks(event: dict) -> list[list[dict]]:
    """The frames the cleaning reads, per exception (scanned_exceptions), else the event's
    (event_frames)."""
    exceptions = scanned_exceptions(event)
    if exceptions:
        return [frames_of(e.get("stacktrace")) for e in exceptions]
    return [event_frames(event)]


def strip_noise(text: str) -> str:
    text = _TEMP_PATH.sub("<tmp>", text)
    return parameterize(text)


def v8_alias_start(name: str) -> int | None:
    """Where the `[as alias]` a V8 name ends with starts (`Object.du [as cart/applyCoupon]` →
    the index of `[as `), else None, as `^.*\\[as ([^\\]]+)\\]$` read it; string operations,
    since that pattern retried at every `[as ` of a name that does not close: quadratic on
    `[as ` repeated."""
    body = name.removesuffix("\n")  # `$` also matches before a last line break
    if not body.endswith("]"):
        return None
    line_end = body.find("\n")  # `.` stops at a line break
    line_end = len(body) if line_end < 0 else line_end
    cut = body.rfind("[as ", 0, min(line_end, len(body) - 2))  # the alias is not empty
    if cut < 0 or "]" in body[cut + 4:-1]:
        return None
    return cut


def v8_alias(name: str) -> str | None:
    """The alias a V8 name ends with (`Object.du [as cart/applyCoupon]` → `cart/applyCoupon`),
    else None."""
    cut = v8_alias_start(name)
    return None if cut is None else name.removesuffix("\n")[cut + 4:-1]


def clean_function(name: str) -> str:
    alias = v8_alias(name)
    if alias is not None:
        name = alias + name[len(name.removesuffix("\n")):]
    name = _V8_RECEIVER.sub("", name)
    name = _RUST_HASH.sub("", name)
    name = _GENERATED.sub("", name)
    name = _JAVA_LAMBDA.sub("", name)
    name = _COUNTERS.sub(lambda m: m.group(1) or m.group(2) or m.group(3), name)
    name = _ADDRESS.sub("", name)
    return name.strip() or "?"


def grouping_function(frame: dict) -> str:
    """The function name grouping reads: none where source-map symbolication kept a minified
    name it could not resolve (it changes with every build)."""
    data = frame.get("data")
    if isinstance(data, dict) and data.get("function_from") == "minified":
        return ""
    return frame.get("function") or ""


# A bundle's file name with a build's content hash (esbuild's 8 base-32 capitals, rollup's and
# Vite's 8 base-64 characters with a digit, webpack's hex), or a `.min.js`: a minifier's output.
BUNDLE_FILE = re.compile(
    r"(?:[.\-_~](?:[A-Z2-7]{8}|(?=[A-Za-z0-9]*\d)[A-Za-z0-9]{8}|[0-9a-f]{6,})|\.min)"
    r"\.[mc]?js$")
BUNDLE_NAME_HASH = re.compile(
    r"(?<=[.\-_~])(?:[A-Z2-7]{8}|(?=[A-Za-z0-9]*\d)[A-Za-z0-9]{8}|[0-9a-f]{6,})(?=\.[mc]?js$)")
# what a minifier renames: identifiers of one or two characters (`bu`, `t`, `$`, `_l`)
MANGLED = re.compile(r"^[A-Za-z_$][\w$]?$")


def bundle_file(frame: dict) -> bool:
    """Whether the frame's file is a minified bundle (named by content hash, or `.min.js`)."""
    path = frame.get("filename") or frame.get("abs_path") or ""
    if "js" not in path:  # the pattern ends in `js`: most frames are decided without it
        return False
    path = _URL_ORIGIN.sub("", path).split("?", 1)[0].split("#", 1)[0]
    return bool(BUNDLE_FILE.search(path))


def map_applied(frame: dict) -> bool:
    """Whether a source map resolved (or tried to resolve) the frame (sourcemaps.symbolicate)."""
    data = frame.get("data")
    return isinstance(data, dict) and ("function_from" in data or "resolved_with" in data)


def minified_frame(frame: dict) -> bool:
    """A frame in a minified bundle that no source map resolved: its file name carries the
    build's hash and its names are whatever the minifier left."""
    return bundle_file(frame) and not map_applied(frame)


def kept_name(name: str) -> str:
    """What a minifier kept of a function name: the export name V8 reports (`Object.du [as
    cart/applyCoupon]` → `cart/applyCoupon`), property and class names, without the mangled
    parts (`g.minus.g.sub` → `minus.sub`, `bu` → ``), which change with every build."""
    name = clean_function(name).removeprefix("new ")
    parts = [part for part in re.split(r"[.\s]+", name) if part and not MANGLED.match(part)]
    return ".".join(parts)


# A column no hand-written line reaches: @sentry/node reads no code line past it (its
# MAX_CONTEXTLINES_COLNO), and a minifier's output runs to hundreds of thousands.
BUNDLE_COLUMN = 1000


def _file(frame: dict) -> str:
    return str(frame.get("filename") or frame.get("abs_path") or "")


def node_bundles(frames: list[dict]) -> set[str]:
    """The files of a Node stack that are a minified bundle without a source map (esbuild's
    `dist/server.js`: no content hash in its name): a frame of theirs sits past BUNDLE_COLUMN,
    where no hand-written line reaches. A map applied in the process (source-map-support)
    reports the original files and columns, so those are none."""
    return {_file(f) for f in frames
            if _file(f) and isinstance(f.get("colno"), int) and f["colno"] > BUNDLE_COLUMN}


def _bundle_path(frame: dict) -> str:
    """The frame's file without the origin, query and fragment it was fetched with (one build
    served from a CDN and from the site is one bundle)."""
    return _URL_ORIGIN.sub("", _file(frame)).split("?", 1)[0].split("#", 1)[0]


def bundle_places(event: dict) -> list[str]:
    """Where a minified stack ran, exception by exception: its type and each application frame's
    place in the bundle (file, line, column; a frame without a file by its name). Within one
    build a place is one spot of code, which the mangled names only stand for; the message,
    which carries the input, is left out."""
    exceptions = scanned_exceptions(event)
    out: list[str] = []
    for exc in exceptions or [event]:
        frames = frames_of(exc.get("stacktrace"))
        in_app = [f for f in frames if is_in_app(f)] or frames
        out.append("type:" + grouping_type(exc))
        out += [f"{_bundle_path(f)}:{f.get('lineno')}:{f.get('colno')}" if _file(f)
                else clean_function(f.get("function") or "") for f in in_app]
    return out


def names_a_file(frame: dict) -> bool:
    """A frame that names a file by its path or URL: not `<anonymous>` (eval's), nor a line a
    library wrote into `error.stack` that the SDK read as a frame (@js-joda/core's `-------`
    before the stack of an exception's cause)."""
    file = _file(frame)
    return not file.startswith("<") and ("/" in file or "\\" in file)


def minified_unresolved(event: dict) -> bool:
    """A JavaScript event whose application frames are a minified bundle's, as sent: every one
    that names a file (not `<anonymous>`, eval's) names a bundle, and no source map applied to
    any of them (grouping.policy gates these). In the browser (platform `javascript`) a bundle
    is named by content hash (`bundle_file`); in Node (`node`) an esbuild or webpack bundle is
    `dist/server.js`, known by its columns (`node_bundles`; not by its names: a large bundle
    mangles to three characters, `nre`, and `run` is a name too)."""
    platform = event.get("platform")
    if platform not in ("javascript", "node"):
        return False
    frames = _root_frames(event)
    in_app = [f for f in frames if is_in_app(f)] or frames
    named = [f for f in in_app if names_a_file(f)]
    if not named or any(map_applied(f) for f in in_app):
        return False
    if platform == "javascript":
        return all(bundle_file(f) for f in named)
    bundles = node_bundles(frames)
    return all(_file(f) in bundles for f in named)


def kept_names(event: dict) -> list[str]:
    """The names a minifier kept along the root exception's application frames, the crash
    frame's first, up to the first export name V8 reports (`[as name]`): the application's
    own function; the callers below it (entry points) vary for one fault."""
    frames = _root_frames(event)
    in_app = [f for f in frames if is_in_app(f)] or frames
    names: list[str] = []
    for frame in reversed(in_app[-limits.EMBED_FRAMES:]):
        raw = frame.get("function") or ""
        name = kept_name(raw) if minified_frame(frame) else clean_function(raw)
        if name and name not in ("?", "<anonymous>") and name not in names:
            names.append(name)
        if v8_alias(raw) is not None:
            break
    return names


def kept_function_names(event: dict) -> list[str]:
    """The function names a minifier kept along the root exception's application frames, each
    once, sorted: V8's export names (`Object.Cf [as cards/renderCard]` → `cards/renderCard`) and
    method names of two or more characters past the last dot (`t.fromFormat` → `fromFormat`).
    A receiver alone (`HTMLButtonElement.r`: the DOM handler the SDK wraps), `<anonymous>` and a
    mangled name are no name, and order and repetition are left out: inlining, the SDK's
    wrappers and the entry point change them from one release or call to the next."""
    frames = _root_frames(event)
    in_app = [f for f in frames if is_in_app(f)] or frames
    names: set[str] = set()
    for frame in in_app:  # frames_of reads at most limits.EMBED_SCAN_FRAMES
        raw = (frame.get("function") or "").strip()
        alias = v8_alias(raw)
        last = alias if alias is not None else (re.split(r"[.\s]+", raw)[-1] if raw else "")
        if last and not MANGLED.match(last) and last not in ("?", "<anonymous>"):
            names.add(last)
    return sorted(names)


def _root_frames(event: dict) -> list[dict]:
    exceptions = scanned_exceptions(event)
    return frames_of((exceptions[0] if exceptions else event).get("stacktrace"))


def grouping_type(exc: dict) -> str:
    """The exception type grouping reads: none for a minifier's class name that no source map
    resolved (symbolication then leaves `minified_type` equal to `type`)."""
    exc_type = exc.get("type") or ""
    return "" if exc.get("minified_type") == exc_type else exc_type


def clean_module(module: str) -> str:
    """Module or class name without generated parts (proxies, lambdas, closures)."""
    return _MODULE_HASH.sub("", _GENERATED.sub("", _JAVA_LAMBDA.sub("", module)))


def clean_location(frame: dict) -> str:
    module = frame.get("module")
    if module:
        return clean_module(module)
    path = frame.get("filename") or frame.get("abs_path") or ""
    path = _URL_ORIGIN.sub("", path).split("?", 1)[0]
    path = _TEMP_PATH.sub("<tmp>", path)
    parts = [p for p in re.split(r"[\\/]", path) if p]
    tail = "/".join(parts[-2:])  # the file and its directory, never the machine's prefix
    return _BUNDLE_HASH.sub("", tail).replace("..", ".")


def code_line(frame: dict) -> str:
    """The frame's code line, or "" for a line the SDK had to cut (a minified bundle's)."""
    context = (frame.get("context_line") or "").strip()
    return "" if "{snip}" in context else context


# How the embedding text shows a frame's code line (`Rules.line`; the crash frame's, under the
# served `context`): as written ("raw"),
# with its locals and literals as placeholders ("normalized": `normalized_line`), with its locals
# alone as placeholders ("locals": `locals_line`), or as what it does ("operations":
# `line_operations`); and the first message line: as written ("raw"), as
# its template ("template": `message_template`), or left out where a library raised an
# exception with a type ("type": the type alone, as Sentry's grouping reads an exception with a
# stack trace: the library's words vary with the input that failed, the type and the frames say
# where and how; an exception the application raised keeps its template, its own distinction:
# `raised_by_application`).
LINE_SHAPES = ("raw", "normalized", "operations", "locals")
MESSAGE_SHAPES = ("raw", "template", "type")


def frame_line(frame: dict, context: bool = True, line: str = "raw", family: str = "") -> str:
    """`function in location: code line`, the code line in the `line` shape (LINE_SHAPES)."""
    function = clean_function(grouping_function(frame) or frame.get("raw_function") or "")
    text = f"{function} in {clean_location(frame)}"
    code = code_line(frame) if context else ""
    if code:
        if line == "operations":
            shown = operations_text(line_operations(code, family))
        elif line == "normalized":
            shown = normalized_line(code[:limits.EMBED_CONTEXT_CHARS], family)
        elif line == "locals":
            shown = locals_line(code[:limits.EMBED_CONTEXT_CHARS], family)
        else:
            shown = strip_noise(code[:limits.EMBED_CONTEXT_CHARS])
        if shown:
            text += ": " + shown
    return text


def collapse_repeats(lines: list[str], max_period: int = 4) -> list[str]:
    """Recursion (a frame repeated) and cycles (a run of 2-4 frames repeated) count once."""
    out: list[str] = []
    for line in lines:
        out.append(line)
        for period in range(1, max_period + 1):
            if len(out) >= 2 * period and out[-period:] == out[-2 * period : -period]:
                del out[-period:]
                break
    return out


def frames_of(stacktrace: dict | None) -> list[dict]:
    frames = (stacktrace or {}).get("frames") or []
    return [f for f in frames[-limits.EMBED_SCAN_FRAMES:] if isinstance(f, dict)]


def stack_lines(frames: list[dict], in_app_only: bool, rules=None,
                family: str = "default", decided: bool = False) -> list[str]:
    """Most recent first; `rules.context` says which frames show their code line,
    `rules.line_for(family)` in which shape, and `rules.frames_for(family)` how many frames;
    `decided`: the SDK decided in-app (app_frame)."""
    rules = rules or grouping_rules.CURRENT
    selected = [f for f in frames if app_frame(f, decided)] if in_app_only else frames
    ordered = list(reversed(selected))
    line = rules.line_for(family)
    lines = collapse_repeats([
        frame_line(f, context=rules.context == "all" or (rules.context == "crash" and i == 0),
                   line=line, family=family)
        for i, f in enumerate(ordered)
    ])
    return lines[: min(limits.EMBED_FRAMES, rules.frames_for(family))]


def raised_by_application(exc: dict, decided: bool = False) -> bool:
    """Whether the application's own code raised `exc`: its innermost frame is in-app
    (app_frame; `decided`: the SDK decided in-app). Its
    message is then the application's own distinction (`fail("E_STOCK", ...)` and
    `fail("E_PAYMENT", ...)` in one helper: two faults of one site, type and line); a library's
    message words the input that failed one call (PyYAML's parser states: one fault)."""
    frames = frames_of(exc.get("stacktrace"))
    return bool(frames) and app_frame(frames[-1], decided)


def exception_header(exc: dict, include_message: bool = True, message: str = "raw",
                     decided: bool = False) -> str:
    """`type: first message line`, the message in the `message` shape (MESSAGE_SHAPES); the
    "type" shape shows the type alone where a library raised the exception, and the template
    where the application raised it (`raised_by_application`) or there is no type."""
    exc_type = grouping_type(exc)
    if not include_message or (message == "type" and exc_type
                               and not raised_by_application(exc, decided)):
        return exc_type or "error"
    value = message_line(exc.get("value") or "", message)
    return f"{exc_type}: {value}" if exc_type and value else exc_type or value or "error"


# A helper the application extracted from its function `x` (`_x_step`), and names that say
# nothing of the site (closures, comprehensions, anonymous functions): the anchor looks past them.
_STEP_HELPER = re.compile(r"^_*(\w+?)_step$")
_ANONYMOUS = frozenset({"func", "<anonymous>", "anonymous", "<lambda>", "<listcomp>",
                        "<genexpr>", "<dictcomp>", "<setcomp>", "<module>", "block", "?"})
_QUOTED = re.compile(r"""'[^'\n]{0,80}'|"[^"\n]{0,80}"|`[^`\n]{0,80}`""")
# what a code line does: the functions it calls and the attributes it reads (after a comment's
# start, nothing: `# mean price`, `// why`)
_CALLED = re.compile(r"([A-Za-z_$][\w$]{0,80})\s?\(")
_READ = re.compile(r"\.\s?([A-Za-z_$][\w$]{0,80})")
_COMMENT = re.compile(r"(?:^|\s)(?:#|//).*$")
_HASH_COMMENT = re.compile(r"(?:^|\s)#.*$")  # Python's: `//` is its floor division


def site_function(name: str) -> str:
    """The application function a crash site names, as the application's edits leave it: the
    last part of a qualified name (`Object.x`, `[as feed/checkFeed]`, `t.parseFormat`,
    `Cls#m`, `pkg.(*T).M`, `block in m`), a helper extracted from `x` as `_x_step` as `x`,
    without leading underscores; a minified name (one or two characters) is none."""
    parts = [p for p in re.split(r"[\s./#:()*]+", clean_function(name)) if p]
    named = [p for p in parts if p not in _ANONYMOUS] or [""]
    function = _STEP_HELPER.sub(r"\1", named[-1][:200]).strip("_")  # bounded: no backtracking
    return function if len(function) > 2 else ""


def line_operations(line: str, platform: str = "") -> str:
    """What a crash line does, as a release's refactors leave it: the functions it calls and the
    attributes it reads (`.name`), sorted, without its locals, literals, numbers, spacing and
    comment, so renamed variables and reformatting keep it and two faulting expressions of one
    function (`self.total / len(…)` vs `self.discount / sum(…)`) part."""
    code = line[:limits.CONFLICT_LINE_CHARS]
    if len(line) > len(code):  # cut: a name cut in two is not one the line calls
        code = code.rstrip("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$")
    comment = _HASH_COMMENT if platform == "python" else _COMMENT
    code = comment.sub("", _QUOTED.sub("<str>", code))
    called = {f"{name}()" for name in _CALLED.findall(code)}
    read = {f".{name}" for name in _READ.findall(code)}
    return ",".join(sorted(called | read))


def operations_text(operations: str) -> str:
    """What a line does (`line_operations`) as code reads it: `.name()` for a method it calls,
    `name()` for a function, `.name` for an attribute it reads (`.safe_load()`, `.items .total
    len()`)."""
    ops = set(filter(None, operations.split(",")))
    called = {op[:-2] for op in ops if op.endswith("()")}
    read = {op[1:] for op in ops if op.startswith(".")}
    return " ".join(f".{name}()" if name in called and name in read
                    else f"{name}()" if name in called else f".{name}"
                    for name in sorted(called | read))


def message_line(value: str, message: str = "raw") -> str:
    """The first line of a message as the embedding text shows it: noise stripped ("raw") or
    as its template ("template"; "type" too, for a message with no exception type or one the
    application raised)."""
    if message in ("template", "type"):
        return message_template(value)
    return strip_noise(value.strip().split("\n", 1)[0][:limits.EMBED_MESSAGE_CHARS])


# what stays of a code line in its normalized shape besides what it calls and reads: the
# languages' keywords and receivers (Python, JavaScript, Go, Ruby, Java), which say what the
# line does, not what its author named things
_KEYWORDS = frozenset({"and", "as", "assert", "async", "await", "break", "case", "catch", "class",
    "const", "continue", "def", "defer", "del", "do", "elif", "else", "end", "except", "false",
    "False", "finally", "for", "func", "go", "if", "import", "in", "instanceof", "is", "let",
    "lambda", "new", "nil", "None", "not", "null", "or", "pass", "raise", "return", "select",
    "self", "super", "switch", "this", "throw", "true", "True", "try", "typeof", "undefined",
    "unless", "var", "while", "with", "yield"})
# a placeholder the text already holds (`<str>`, `<int>`), else a name: a local where nothing
# calls it (`name(`) and it is no attribute (`.name`) or keyword
_NAME_OR_PLACEHOLDER = re.compile(r"<[a-z]{2,6}>|(?<![\w$.])([A-Za-z_$][\w$]*)(?![\w$]|\s?\()")
LOCAL = "x"  # what a local's name reads as


def _as_local(match: re.Match) -> str:
    """A name `_NAME_OR_PLACEHOLDER` found, as a local (`x`) unless it is a keyword; a
    placeholder as it is."""
    name = match.group(1)
    return match.group(0) if name is None or name in _KEYWORDS else LOCAL


def normalized_line(line: str, family: str = "") -> str:
    """A code line as written, with what a refactor renames or retypes as placeholders: its
    locals as `x`, its string literals as `<str>`, numbers and ids as grouping.parameterize
    writes them; a trailing comment dropped. What it calls, the attributes it reads and the
    keywords stay, so `data = yaml.safe_load(payload)` and `value = yaml.safe_load(text)` read
    alike (`x = x.safe_load(x)`) and `self.total / len(…)` and `self.discount / sum(…)` apart."""
    code = line[:limits.EMBED_CONTEXT_CHARS]
    comment = _HASH_COMMENT if family == "python" else _COMMENT
    code = comment.sub("", _QUOTED.sub("<str>", strip_noise(code))).strip()

    return _NAME_OR_PLACEHOLDER.sub(_as_local, code)


# a string literal of any length within the line, escapes included, or one the line's cut
# leaves open (it runs to the end): `locals_line` keeps its words as written
_LITERAL = re.compile("|".join(
    rf"{q}(?:[^{q}\\\n]|\\.)*(?:{q}|$)" for q in ("'", '"', "`")))


def locals_line(line: str, family: str = "") -> str:
    """A code line as written with only its locals as `x`; its string literals (of any length,
    and one the line's cut leaves open; a prefix such as `f` reads as a local), what it calls,
    the attributes it reads and the keywords stay, and a trailing comment goes. A release that
    renames a local reads alike (`return sa.create_engine(payload)`, `…(raw)`: `return
    x.create_engine(x)`), while twin faults of one function that differ by the field or key they
    read stay apart (`x = x["name"]`, `x = x["email"]`), which `normalized_line` joins."""
    code = strip_noise(line[:limits.EMBED_CONTEXT_CHARS])
    comment = _HASH_COMMENT if family == "python" else _COMMENT

    out, last = [], 0
    for quoted in _LITERAL.finditer(code):  # literals as they are; names only outside them
        outside = code[last:quoted.start()]
        cut = comment.search(outside)
        if cut:
            out.append(_NAME_OR_PLACEHOLDER.sub(_as_local, outside[:cut.start()]))
            return "".join(out).strip()
        out += [_NAME_OR_PLACEHOLDER.sub(_as_local, outside), quoted.group(0)]
        last = quoted.end()
    rest = code[last:]
    cut = comment.search(rest)
    out.append(_NAME_OR_PLACEHOLDER.sub(_as_local, rest[:cut.start()] if cut else rest))
    return "".join(out).strip()


def message_template(value: str) -> str:
    """The first line of a message with its variable parts as placeholders (grouping.parameterize)
    and its quoted values as `<str>`: what one fault says whatever input reached it."""
    line = value.strip().split("\n", 1)[0][:limits.EMBED_MESSAGE_CHARS]
    return _QUOTED.sub("<str>", strip_noise(line))


# JavaScript values a message prints as they are (`You passed undefined`, `of null`,
# `[object Object]`): the input that reached the fault, not the fault
_JS_VALUES = re.compile(
    r"(?<![\w'\"`])(?:undefined|null|NaN|true|false|Infinity)(?![\w'\"`])|\[object \w+\]")


def js_values_out(text: str) -> str:
    """The text with the JavaScript values it prints as `<v>`: `You passed undefined` and `You
    passed null` read alike; quoted names (`reading 'slice'`) and the rest stay."""
    return _JS_VALUES.sub("<v>", text)


def _app_frames(frames: list[dict], decided: bool = False) -> list[dict]:
    """The application's own frames: in-app (app_frame; `decided`: the SDK decided), not
    generated code (`<string>`,
    a library's compiled wrappers that no path rule recognises) nor a line a library wrote into
    the stack that the SDK read as a frame (no line number, no path: @js-joda/core's
    `-------`), where any other is."""
    in_app = [f for f in frames if app_frame(f, decided)]
    real = [f for f in in_app if not _file(f).startswith("<") and not _stack_text(f)]
    return real or in_app


def _stack_text(frame: dict) -> bool:
    """A line a library wrote into `error.stack` that the SDK read as a frame: no line number,
    and no path, eval's `<anonymous>` or a built-in's name for a file."""
    return frame.get("lineno") is None and not names_a_file(frame) \
        and not _file(frame).startswith("<")


def app_site(event: dict) -> tuple[dict | None, dict | None]:
    """The application's crash site and the frame it called: the innermost application frame of
    the root cause, else of the first exception that wrapped it with one (a library's error
    re-raised by the library), that names a function (a comprehension or a closure stands for
    the function around it), and the frame the innermost application frame called (the library
    function; None when the application raised itself)."""
    exceptions = scanned_exceptions(event)
    stacks = [frames_of(e.get("stacktrace")) for e in exceptions] or [
        frames_of(event.get("stacktrace"))]
    decided = sdk_decided(event)
    for frames in stacks:
        app = _app_frames(frames, decided)
        if app:
            index = max(i for i, f in enumerate(frames) if f is app[-1])
            named = [f for f in app if site_function(grouping_function(f))] or app
            callee = next((f for f in frames[index + 1:] if not _stack_text(f)), None)
            return named[-1], callee
    return None, None


def anchored_key(event: dict, rule: str) -> str:
    """The candidate key anchored on the application's own crash site (`app_site`): the root
    cause's type and the site's function (`site_function`), which moved lines, renamed locals,
    an extracted `_x_step` helper, a renamed module and the entry point that called it leave
    alone; "site+template" adds the message's template (`message_template`), "site+callee" the
    library function the site called, "site+line" what the site's code line does
    (`line_operations`)."""
    exceptions = scanned_exceptions(event)
    root = exceptions[0] if exceptions else {}
    site, callee = app_site(event)
    if site is None:  # no application frame: the innermost frames stand in for the site
        frames = frames_of((root or event).get("stacktrace"))[-3:]
        return "site|" + "|".join([grouping_type(root), "~" + ">".join(
            clean_function(grouping_function(f)) for f in frames)])[:250]
    parts = [grouping_type(root), site_function(grouping_function(site))]
    if rule == "site+template":
        parts.append(message_template(str(root.get("value") or event.get("message") or "")))
    elif rule == "site+callee":
        parts.append(site_function(grouping_function(callee)) if callee else "")
    elif rule == "site+line":
        parts.append(line_operations(code_line(site), str(event.get("platform") or "")))
    return "site|" + "|".join(parts)[:250]


# A line that hands an error to the SDK (`hub.CaptureException(err)`, `capture_exception(e)`,
# `Sentry.captureException(error)`): where it was reported, not where it arose.
_REPORTING_CALL = re.compile(r"\bcapture_?(?:exception|message)\b", re.IGNORECASE)


def reports_to_sdk(line: str) -> bool:
    """Whether a code line (bounded by the caller) hands an error to the SDK: every entry
    point's reporter has that line, so it says nothing of the fault."""
    return bool(_REPORTING_CALL.search(line))


# a bare `errors.New` value reported as it is: a library's sentinel (`io.EOF`, `sql.ErrNoRows`)
# says nothing of where it arose, so its words alone key nothing
_SENTINEL_TYPES = frozenset({"*errors.errorString"})


def capture_path(event: dict) -> bool:
    """Whether a Go event's stack is where the error was reported, not where it arose: an error
    with no stack of its own (`errors.New`, `fmt.Errorf`, a struct error) gets from sentry-go
    the stack of the goroutine that called `CaptureException`, on the outermost error of the
    chain, so that call is its innermost frame and its frames are the entry point's (an HTTP
    handler's `fail`, the CLI's `runCLI`, a worker's `handle`). One fault reported from two
    entry points then shows two crash functions. A bare `*errors.errorString` (a sentinel
    captured as it is) is not counted: its words alone key nothing."""
    if family_of(event.get("platform")) != "go":
        return False
    exceptions = scanned_exceptions(event)
    carried = [frames for frames in (frames_of(e.get("stacktrace")) for e in exceptions)
               if frames]
    if not carried or not reports_to_sdk(code_line(carried[-1][-1])[:limits.CONFLICT_LINE_CHARS]):
        return False
    return len(exceptions) > 1 or grouping_type(exceptions[0]) not in _SENTINEL_TYPES


def error_key(event: dict) -> str:
    """The candidate key of an error reported from its capture path (`capture_path`): what the
    error says, not where it was reported: the chain's types, the root first, and the template
    of the outermost error's message (`message_template`: the words every wrapper added, the
    inputs as placeholders), so the entry point that reported it leaves the key alone while two
    faults whose errors say different things keep two keys. Not cut: such an event joins by its
    key alone, so a long chain of types must not push the template out; its parts are bounded
    (EMBED_SCAN_EXCEPTIONS types, a template of EMBED_MESSAGE_CHARS) and the store keeps a
    longer key exactly (embeddings.store.bounded_key)."""
    exceptions = scanned_exceptions(event)
    outermost = exceptions[-1] if exceptions else {}
    types = ">".join(grouping_type(e) for e in exceptions)
    template = message_template(str(outermost.get("value") or event.get("message") or ""))
    return f"error|{types}|{template}"


def statement_key(event: dict) -> str:
    """The candidate key of the crash statement: the root cause's type and the application's
    crash site's code line as written (spacing collapsed), with no function and no file, so a
    renamed function, one moved to another module or into a class, a split file, an ES module
    and the entry point that called it leave it alone, while two statements of one function,
    or one statement that raises two types, keep their own keys. Where the site called into a
    library (a `node_modules` frame), the message's template too: one library call fails in
    several ways under one type (`option maxAge is invalid`, `option sameSite …`), which only
    the library's words tell apart. A site with no code line (a minified bundle's) falls back
    to the "site" key."""
    exceptions = scanned_exceptions(event)
    root = exceptions[0] if exceptions else {}
    site, callee = app_site(event)
    line = " ".join(code_line(site).split()) if site else ""
    if not line:
        return anchored_key(event, "site")
    parts = [grouping_type(root), line]
    if callee is not None and "node_modules/" in _file(callee).replace("\\", "/"):
        parts.append(message_template(str(root.get("value") or event.get("message") or "")))
    return "stmt|" + "|".join(parts)[:250]


def match_key(event: dict, rule: str | None = None) -> str:
    """What two events must share before their distance is even considered (grouping.rules):
    the root cause's exception type and, by rule, its crash frame's function ("function"), its
    location ("module"), nothing more ("type"), or function, location and code line ("line",
    the old rule; the parameterized message stands in where frames carry no code line), or
    anchored on the application's own crash site ("site", "site+template", "site+callee",
    "site+line":
    `anchored_key`).
    Minified function names (one or two characters) change per release and are left out.
    The embedding then judges the rest within the threshold."""
    rule = rule or grouping_rules.CURRENT.key_for(family_of(event.get("platform")))
    if rule == "statement":
        return statement_key(event)
    if rule in grouping_rules.ANCHORED_KEYS:
        return anchored_key(event, rule)
    exceptions = scanned_exceptions(event)
    if exceptions:
        root = exceptions[0]
        frames = frames_of(root.get("stacktrace"))
        exc_type = grouping_type(root)
    else:
        frames = frames_of(event.get("stacktrace"))
        exc_type = ""
    decided = sdk_decided(event)
    in_app = [f for f in frames if app_frame(f, decided)] or frames
    if not in_app or rule == "type":
        return exc_type
    site = in_app[-1]
    function = clean_function(grouping_function(site))
    if rule == "function":
        return f"{exc_type}|{function if len(function) > 2 else ''}"[:255]
    if rule == "module":
        return f"{exc_type}|{clean_location(site)}"[:255]
    if rule == "names":
        names = sorted(set(LITERAL.findall(code_line(site)[:limits.EMBED_CONTEXT_CHARS])))
        return f"{exc_type}|{function if len(function) > 2 else ''}|{','.join(names)}"[:255]
    key = f"{exc_type}|{function}|{clean_location(site)}"
    context = (site.get("context_line") or "").strip()
    if context:
        key += "|" + strip_noise(context[:limits.EMBED_CONTEXT_CHARS])
    else:
        value = (exceptions[0].get("value") or "") if exceptions else event.get("message") or ""
        key += "|" + strip_noise(value.strip().split("\n", 1)[0][:limits.EMBED_MESSAGE_CHARS])
    return key[:255]


def clean_event(event: dict, include_message: bool = True, rules=None) -> str:
    """The embedding text of a normalized event (empty when it has no stack trace), in the
    shape `rules` give its family (frames, code line, message). `include_message=False`
    leaves error messages out (exception types and frames only)."""
    rules = rules or grouping_rules.CURRENT
    family = family_of(event.get("platform"))
    message = rules.message_for(family)
    exceptions = scanned_exceptions(event)
    if len(exceptions) > limits.EMBED_EXCEPTIONS:  # keep the root cause and the most recent ones
        exceptions = [exceptions[0], *exceptions[-(limits.EMBED_EXCEPTIONS - 1) :]]
    stacks = [frames_of(exc.get("stacktrace")) for exc in exceptions]
    decided = sdk_decided(event)
    blocks: list[tuple[str, list[dict]]] = [
        (exception_header(exc, include_message, message, decided), frames)
        for exc, frames in zip(exceptions, stacks, strict=True)
    ]
    if not blocks:
        frames = event_frames(event)
        if not frames:
            return ""
        text = (message_line(event.get("message") or "", message)
                if message in ("template", "type")
                else strip_noise((event.get("message") or "")[:limits.EMBED_MESSAGE_CHARS]))
        blocks = [((text if include_message else "") or "stack", frames)]
    has_in_app = any(app_frame(f, decided) for _, frames in blocks for f in frames)
    lines: list[str] = []
    for index, (header, frames) in enumerate(blocks):
        lines.append(("wrapped by " if index else "") + header)
        lines += ["  " + line for line in stack_lines(frames, has_in_app, rules, family,
                                                      decided)]
    return "\n".join(lines)[:limits.EMBED_TEXT_CHARS]
