"""Resolve minified JavaScript frames to their original file, line, column, function and
context lines (Sentry's `symbolic`, the Rust source-map reader Sentry itself runs).

A frame is resolved through the debug ID its file carries in the event's `debug_meta` (injected
by `sentry-cli sourcemaps inject` or a bundler plugin), else through the release's artifacts by
URL (`~/path` as sentry-cli names them). Each source map is loaded once per event and parsed
once per process (sourcemaps.parsed). Function names come from the map's scopes, else the
caller's call site, else stay minified (marked so); renamed exception classes get their
declared names. Resolved traces keep the minified one as `raw_stacktrace`; fingerprints and
embeddings read the resolved `stacktrace`. A missing, unreadable or lying map leaves the frame
exactly as it was.

The stage is pure given a `Loader` (sourcemaps.store.DbLoader reads PostgreSQL).
"""

from __future__ import annotations

import copy
import re
import uuid
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urljoin, urlsplit

from symbolic.sourcemapcache import SourceMapCacheToken

from ingest.debug_meta import parse_debug_id
from monitor import limits
from sourcemaps.parsed import ParsedMap, ParsedMaps, estimated_cost

CONTEXT_LINES = 5
TYPE_NAME = re.compile(r"[A-Za-z_$][\w$]{0,63}")
MINIFIED_TYPE_LENGTH = 2
# Scope names that say nothing (Sentry's list): the caller's call site names such a frame.
USELESS_NAMES = {"<anonymous>", "<unknown>", "__webpack_require__", "__webpack_modules__"}
SOURCE_MAPPING_URL = re.compile(rb"^//[#@][ \t]*sourceMappingURL=(\S+)[ \t\r]*$", re.MULTILINE)
SCHEME_AND_HOST = re.compile(r"^[a-z][a-z0-9+.-]*://[^/]*/?")
DOT_SEGMENTS = re.compile(r"(?:\.\./|\./)*")  # the second character tells them apart: linear
MAP_REFERENCE_TAIL = 2048  # bytes at the end of a minified file searched for its map
JS_PLATFORMS = {"javascript", "node"}
POSITION_END = 1 << 32  # symbolic reads a line or column as uint32: past it, OverflowError
ABS_PATH_CHARS = 1024  # a resolved frame's abs_path is stored to this many characters
EVENT_BYTES = 256 << 20  # parsed maps one event may hold (SOURCEMAPS_EVENT_MAP_BYTES)
OVER_BUDGET = "source map not loaded: the event's maps are over their memory budget"
# The browser SDK's own wrapper of the callbacks it instruments (timers, event listeners, XHR;
# `wrap` in @sentry/browser's helpers.ts, every release since 5), which the SDK itself strips
# as an internal frame where it can read the name.
SDK_WRAPPER = "sentryWrapped"


@dataclass(frozen=True)
class Artifact:
    url: str
    content: bytes
    headers: dict
    bundle_id: int  # 0 for a fetched file
    file_id: int | str | None = None  # a stored file's id, or a fetched one's content hash


class Loader(Protocol):
    def by_debug_id(self, debug_id: uuid.UUID, kind: str,
                    content: bool = True) -> Artifact | None: ...

    def by_url(self, urls: list[str], release: str, dist: str) -> Artifact | None: ...

    def fetch(self, url: str, kind: str) -> tuple[Artifact | None, str]:
        """The file (`minified_source` or `source_map`) at `url` from the web where the
        project allows it, else None and why ("" when it was not tried)."""


def join_url(base: str, url: str) -> str:
    """`urljoin`, or `url` as it is where either side is not a URL urlsplit accepts (an event's
    path or a map's source such as `http://[x/a.js` must leave the frame as sent, not fail the
    event)."""
    try:
        return urljoin(base, url)
    except ValueError:
        return url


def joined_source(map_url: str, src: str) -> str:
    """A map's source as a resolved frame's `abs_path`: joined to the map's URL (a `~/` URL
    keeps its `~`), stored bounded."""
    url = join_url(map_url, src) if "://" not in src else src
    if map_url.startswith("~/") and not src.startswith(("~", "/")) and "://" not in src:
        url = "~" + join_url(map_url[1:], src)
    return _storable(url)[:ABS_PATH_CHARS]


def url_candidates(abs_path: str) -> list[str]:
    """The frame's URL and its `~/path` form (sentry-cli's default URL prefix)."""
    try:
        parts = urlsplit(abs_path)
    except ValueError:
        return [abs_path]
    out = [abs_path]
    if parts.scheme in ("http", "https", "file", "app") and parts.path:
        out.append("~" + parts.path)
    return out


def clean_filename(source: str) -> str:
    """`../src/cart.js` or `webpack://app/./src/cart.js` → `src/cart.js`. A map names its
    sources as it likes: the leading `../` and `./` go in one linear match (stripping one at a
    time copied the rest each time: quadratic in a name of megabytes)."""
    path = SCHEME_AND_HOST.sub("", source, count=1)
    path = path[DOT_SEGMENTS.match(path).end():]
    return path.lstrip("/") or source


@dataclass
class _Map:
    parsed: ParsedMap
    url: str
    resolved_with: str
    minified: Artifact | None
    bundle_id: int


@dataclass
class MapCache:
    """Source maps of one event, each loaded at most once (and parsed at most once per process
    through `parsed`), together within `max_bytes` of estimated memory: the per-process cache
    bounds what stays, this bounds what one event holds while it is resolved. A map past the
    budget is not parsed; its frames stay as sent and say why (`refused`). A map whose scope
    index alone is over the budget is used without one (names from call sites)."""

    loader: Loader
    images: dict[str, uuid.UUID]
    release: str
    dist: str
    max_maps: int
    parsed: ParsedMaps
    max_bytes: int = EVENT_BYTES
    maps: dict[str, _Map | None] = field(default_factory=dict)
    used_bundles: set[int] = field(default_factory=set)
    used_bytes: int = 0
    refused: dict[str, str] = field(default_factory=dict)  # map key → why it was not loaded
    source_urls: dict[tuple[str, int], str] = field(default_factory=dict)  # see source_url

    def key(self, abs_path: str) -> str:
        return str(self.images.get(abs_path) or abs_path)

    def source_url(self, map_url: str, src_id: int | None, src: str) -> str:
        """A resolved frame's `abs_path`: the map's source joined to the map's URL, once per
        source of each map in an event (a source name may be megabytes of `../`, and joining
        it walks every segment), stored bounded."""
        if src_id is None:
            return joined_source(map_url, src)
        key = (map_url, src_id)
        if key not in self.source_urls:
            self.source_urls[key] = joined_source(map_url, src)
        return self.source_urls[key]

    def for_file(self, abs_path: str) -> _Map | None:
        key = self.key(abs_path)
        if key not in self.maps:
            if len(self.maps) >= self.max_maps:  # files tried, found or not: bounded queries
                return None
            self.maps[key] = self._load(abs_path)
        return self.maps[key]

    def _charge(self, key: str, source_map: Artifact, minified: Artifact | None) -> bool | None:
        """Charge the event for a map (its cost when kept, else its estimate before parsing):
        whether it gets a scope index (not when that alone would be over the budget), or None
        when the event cannot hold it."""
        identity = _identity(source_map, minified)
        cost = self.parsed.cost_of(identity) if identity is not None else None
        scopes = True
        if cost is None:
            content = minified.content if minified else None
            cost = estimated_cost(source_map.content, content)
            if cost > self.max_bytes:
                scopes, cost = False, estimated_cost(source_map.content, content, scopes=False)
        if self.used_bytes + cost > self.max_bytes:
            self.refused[key] = OVER_BUDGET
            return None
        self.used_bytes += cost
        return scopes

    def _load(self, abs_path: str) -> _Map | None:
        debug_id = self.images.get(abs_path)
        if debug_id is not None:
            source_map, minified = self._by_debug_id(debug_id)
            resolved_with = "debug_id"
        elif self.release:
            minified = self.loader.by_url(url_candidates(abs_path), self.release, self.dist)
            source_map = self._map_of(minified, abs_path)
            resolved_with = "release"
        else:
            source_map = minified = None
        if source_map is None:
            source_map, minified = self._fetched(abs_path)
            resolved_with = "fetched"
        if source_map is None:
            return None
        scopes = self._charge(self.key(abs_path), source_map, minified)
        if scopes is None:
            return None
        parsed = self.parsed.get(source_map.content, minified.content if minified else None,
                                 _identity(source_map, minified), scopes)
        if parsed is None:
            return None
        return _Map(parsed, source_map.url, resolved_with, minified, source_map.bundle_id)

    def _by_debug_id(self, debug_id: uuid.UUID) -> tuple[Artifact | None, Artifact | None]:
        """The map and minified file of a debug ID; their content is read only when this
        process has not parsed them yet."""
        source_map = self.loader.by_debug_id(debug_id, "source_map", content=False)
        minified = self.loader.by_debug_id(debug_id, "minified_source", content=False)
        identity = _identity(source_map, minified) if source_map else None
        if source_map is None or (identity is not None and identity in self.parsed):
            return source_map, minified
        source_map = self.loader.by_debug_id(debug_id, "source_map")
        minified = self.loader.by_debug_id(debug_id, "minified_source") if minified else None
        return source_map, minified

    def _map_of(self, minified: Artifact | None, abs_path: str) -> Artifact | None:
        if minified is None:
            return self.loader.by_url(url_candidates(abs_path + ".map"), self.release, self.dist)
        reference = map_reference(minified)
        if not reference:
            return None
        urls = [join_url(minified.url, reference),
                *url_candidates(join_url(abs_path, reference))]
        return self.loader.by_url(urls, self.release, self.dist)

    def _fetched(self, abs_path: str) -> tuple[Artifact | None, Artifact | None]:
        """The map and minified file from the web, as the minified file names its map; only
        for a URL the browser loaded (never `~/` or a bare path)."""
        if "://" not in abs_path:
            return None, None
        minified, why = self.loader.fetch(abs_path, "minified_source")
        if minified is not None:
            reference = map_reference(minified)
            if not reference:
                return None, None
            source_map, why = self.loader.fetch(join_url(minified.url, reference), "source_map")
            if source_map is not None:
                return source_map, minified
        if why:
            self.refused[self.key(abs_path)] = f"source not fetched: {why}"
        return None, None


def map_reference(minified: Artifact) -> str | None:
    """Where a minified file says its map is (a SourceMap header, else the last
    `sourceMappingURL` comment line near its end); inline `data:` maps are not read."""
    reference = minified.headers.get("sourcemap") or minified.headers.get("x-sourcemap")
    if not reference:  # the last such line: sentry-cli inject writes a debugId line after it
        matches = SOURCE_MAPPING_URL.findall(minified.content[-MAP_REFERENCE_TAIL:])
        reference = matches[-1].decode("utf-8", "replace") if matches else None
    if not reference or reference.startswith("data:"):
        return None
    return reference


def _identity(source_map: Artifact, minified: Artifact | None) -> tuple | None:
    """Stored files' ids (their content never changes), else None."""
    if source_map.file_id is None or (minified is not None and minified.file_id is None):
        return None
    return source_map.file_id, minified.file_id if minified else None


def _storable(text: str) -> str:
    """A map's text as a frame keeps it: without NUL, which no PostgreSQL text column stores
    (the fingerprint's site file and function, the issue vector's text). ingest.normalize
    cleans what SDKs send; a map is the uploader's bytes, and Rollup names its virtual modules
    with a leading NUL (`\\0commonjsHelpers.js`), which a map may keep among its sources."""
    return text.replace("\x00", "")


def _line(text: str) -> str:
    bound = limits.SYMBOLICATE_LINE_CHARS
    text = _storable(text)
    return text if len(text) <= bound else text[: bound - 1] + "…"


@dataclass(frozen=True)
class FunctionName:
    name: str | None
    source: str  # scope, callsite or minified (the frame keeps the name it was sent with)
    callsite: str | None  # the map's name at this frame's call: the next frame's function


def function_name(token: SourceMapCacheToken | None, minified_name: str | None,
                  caller: str | None) -> FunctionName:
    """As Sentry's symbolication names a frame: the original function enclosing the position
    (`token` from the scope index), else the name the caller's call site maps to, else the
    minified one."""
    if token is None:
        return FunctionName(None, "minified", None)
    callsite = (token.name or "")[:limits.SYMBOLICATE_NAME_CHARS] or None
    scope = (token.function_name or "")[:limits.SYMBOLICATE_NAME_CHARS]
    if scope and scope not in USELESS_NAMES:
        return FunctionName(scope, "scope", callsite)
    if caller:
        return FunctionName(caller, "callsite", callsite)
    if not minified_name and scope:
        return FunctionName(scope, "scope", callsite)
    return FunctionName(None, "minified", callsite)


def resolved_in_app(source: str, function: str | None) -> bool:
    """Whether a resolved frame is the application's: not a package's (`node_modules`), nor
    the browser SDK's wrapper. @sentry/browser 7.x publishes maps whose sources climb one folder
    too many (esm/helpers.js.map names `../../../src/helpers.ts`): a bundler that follows them
    places the SDK's `sentryWrapped` at the project's own `src/helpers.ts`, in no
    `node_modules`, where releases from 8 on name it under node_modules. Read as the
    application's, it added a frame to 7.x's fingerprint of every error thrown in a timer or
    listener, and the issue split when the SDK was upgraded."""
    return "/node_modules/" not in source and function != SDK_WRAPPER


def resolve_frame(frame: dict, cache: MapCache, caller: str | None = None
                  ) -> tuple[dict | None, str | None]:
    """The original frame, or None when it cannot be resolved; and the name its call site
    maps to, which names the next (called) frame when its own scope is unknown."""
    abs_path = frame.get("abs_path") or frame.get("filename")
    lineno, colno = frame.get("lineno"), frame.get("colno")
    if not abs_path or not isinstance(lineno, int) or not isinstance(colno, int):
        return None, None
    if not (0 < lineno < POSITION_END and 0 < colno < POSITION_END):
        return None, None
    found = cache.for_file(abs_path)
    if found is None:
        return None, None
    view = found.parsed.view
    token = view.lookup(lineno - 1, colno - 1)
    if token is None or not token.src or token.dst_line != lineno - 1:
        return None, None  # symbolic answers the nearest earlier token, even from another line
    source = view.get_sourceview(token.src_id) if token.src_id is not None else None
    if source is not None and token.src_line >= len(source):
        return None, None  # a map that points past its own source lies about the rest too
    cache.used_bundles.add(found.bundle_id)
    source_url = cache.source_url(found.url, token.src_id, token.src)
    scoped = found.parsed.scopes.lookup(lineno, colno, CONTEXT_LINES) \
        if found.parsed.scopes else None
    named = function_name(scoped, frame.get("function"), caller)
    out = {k: v for k, v in frame.items()
           if k not in ("module", "context_line", "pre_context", "post_context")}
    out.update(abs_path=source_url,
               filename=clean_filename(_storable(token.src))[:512],
               lineno=token.src_line + 1, colno=token.src_col + 1,
               in_app=resolved_in_app(token.src, named.name),
               data={"sourcemap": found.url, "resolved_with": found.resolved_with,
                     "function_from": named.source})
    name = _storable(named.name or "")
    if name:
        out["function"] = name
    if scoped is not None and scoped.line == token.src_line + 1 and scoped.context_line:
        out["context_line"] = _line(scoped.context_line.rstrip("\r\n"))  # one call, 11 lines
        out["pre_context"] = [_line(t.rstrip("\r\n")) for t in scoped.pre_context]
        out["post_context"] = [_line(t.rstrip("\r\n")) for t in scoped.post_context]
    elif source is not None:
        line = token.src_line
        out["context_line"] = _line(source[line])
        out["pre_context"] = [_line(t) for t in source[max(0, line - CONTEXT_LINES) : line]]
        out["post_context"] = [_line(t) for t in source[line + 1 : line + 1 + CONTEXT_LINES]]
    return out, named.callsite


def _utf16_col(line_start: bytes) -> int:
    """Source-map columns count UTF-16 code units."""
    return len(line_start.decode("utf-8", "replace").encode("utf-16-le")) // 2


def _original_text_is(found: _Map, token, name: str) -> bool:
    source = found.parsed.view.get_sourceview(token.src_id) if token.src_id is not None else None
    if source is None or token.src_line >= len(source):
        return False
    match = TYPE_NAME.match(source[token.src_line][token.src_col :])
    return match is not None and match.group() == name


CLASS_KEYWORD = re.compile(rb"class(?<![\w$]class)\s+([A-Za-z_$][\w$]*)")
CLASS_EXPRESSION = re.compile(rb"=\s*class(?![\w$])")
# The name before `= class`, read backwards (reversed, so the match is anchored): whitespace,
# then an identifier reversed, then a byte that does not continue it.
ASSIGNED_NAME_REVERSED = re.compile(rb"\s*([\w$]{0,63}[A-Za-z_$])(?![\w$.])")


def class_declarations(minified: bytes) -> dict[str, int] | None:
    """Where each class is first declared (`class NAME` or `NAME = class`), from two scans of
    the minified file, both opening with a literal (re finds those by a fast scan; a pattern
    opening with a look-behind or an alternation is tried at every byte). None past
    limits.SYMBOLICATE_DECLARATIONS_PER_FILE (a file made of them: each costs a step of Python
    here)."""
    found: dict[str, int] = {}
    seen = 0
    for match in CLASS_KEYWORD.finditer(minified):
        found.setdefault(match.group(1).decode("ascii"), match.start(1))
        seen += 1
        if seen > limits.SYMBOLICATE_DECLARATIONS_PER_FILE:
            return None
    for match in CLASS_EXPRESSION.finditer(minified):
        seen += 1
        if seen > limits.SYMBOLICATE_DECLARATIONS_PER_FILE:
            return None
        before = minified[max(0, match.start() - 128) : match.start()][::-1]
        named = ASSIGNED_NAME_REVERSED.match(before)
        if named is None or (named.end() == len(before) and match.start() > len(before)):
            continue  # no name, or not all of it in the window (no type name is that long)
        name, start = named.group(1)[::-1].decode("ascii"), match.start() - named.end()
        if start < found.get(name, start + 1):
            found[name] = start
    return found


def _declaration(minified: bytes, name: str) -> int | None:
    """Where the first `class NAME` or `NAME = class` names the class, searched for one name
    (a file that declares too many classes to index)."""
    escaped = re.escape(name.encode())
    first = None
    for pattern in (rb"class(?<![\w$]class)\s+(" + escaped + rb")(?![\w$])",
                    rb"(" + escaped + rb")(?<![\w$.]" + escaped + rb")\s*=\s*class(?![\w$])"):
        match = re.search(pattern, minified)
        if match is not None and (first is None or match.start() < first.start()):
            first = match
    return None if first is None else first.start(1)


def _declared_at(parsed: ParsedMap, name: str) -> int | None:
    """Where the minified file first declares class `name`: indexed once per parsed map."""
    assert parsed.minified is not None
    if not parsed.indexed:
        parsed.declarations, parsed.indexed = class_declarations(parsed.minified), True
    if parsed.declarations is None:
        return _declaration(parsed.minified, name)
    return parsed.declarations.get(name)


def declared_class(found: _Map, minified_type: str) -> tuple[bool, str | None]:
    """Whether the minified file declares a class `minified_type` (`class Xd` or `Xd=class`),
    and the original name the map gives that declaration (None when it gives none)."""
    minified = found.parsed.minified
    if minified is None or not TYPE_NAME.fullmatch(minified_type):
        return False, None
    if minified_type not in found.parsed.classes:
        # hostile streams of distinct types
        if len(found.parsed.classes) >= limits.SYMBOLICATE_CLASSES_PER_MAP:
            found.parsed.classes.clear()
        start = _declared_at(found.parsed, minified_type)
        if start is None:
            found.parsed.classes[minified_type] = ""
        else:
            line_start = minified.rfind(b"\n", 0, start) + 1
            line, col = minified.count(b"\n", 0, start), _utf16_col(minified[line_start:start])
            token = found.parsed.view.lookup(line, col)
            exact = token is not None and (token.dst_line, token.dst_col) == (line, col)
            original = _storable(token.name or "")[:limits.SYMBOLICATE_TYPE_CHARS] \
                if exact else ""
            if exact and not original and _original_text_is(found, token, minified_type):
                original = minified_type  # not renamed: a map names only what it renamed
            found.parsed.classes[minified_type] = original or None
    known = found.parsed.classes[minified_type]
    return known != "", known or None


def resolve_type(exc: dict, maps: list[_Map]) -> None:
    """An exception type a minifier renamed gets the class declaration's original name;
    `minified_type` keeps the name reported. A renamed type the maps cannot name keeps it, and
    `minified_type` equal to `type` tells grouping not to rely on it."""
    reported = exc.get("type")
    if not isinstance(reported, str) or not reported:
        return
    for found in maps:
        declared, original = declared_class(found, reported)
        if declared and original != reported:
            exc["type"], exc["minified_type"] = original or reported, reported
        if declared:
            return
    short = TYPE_NAME.fullmatch(reported) and len(reported) <= MINIFIED_TYPE_LENGTH
    if maps and short and all(found.parsed.minified is None for found in maps):
        exc["minified_type"] = reported  # no minified file to look in: short means minified


def _resolve_container(container: dict, cache: MapCache) -> None:
    stacktrace = container.get("stacktrace")
    if not isinstance(stacktrace, dict) or not stacktrace.get("frames"):
        return
    resolved, caller = [], None
    for frame in stacktrace["frames"]:  # oldest first: each frame's caller comes before it
        new, caller = resolve_frame(frame, cache, caller)
        resolved.append(new)
        reason = cache.refused.get(cache.key(_path(frame))) if new is None else None
        if reason:
            frame["data"] = {**(frame.get("data") or {}), "sourcemap_unresolved": reason}
    if not any(resolved):
        return
    if "type" in container:  # an exception: the maps of its newest frames first
        maps = [cache.for_file(f.get("abs_path") or f.get("filename"))
                for f, new in zip(reversed(stacktrace["frames"]), reversed(resolved), strict=True)
                if new is not None]
        resolve_type(container, list({id(m): m for m in maps if m is not None}.values()))
    container["raw_stacktrace"] = copy.deepcopy(stacktrace)
    for raw, new in zip(container["raw_stacktrace"]["frames"], resolved, strict=True):
        if new is not None and new["data"]["function_from"] == "minified":
            raw["data"] = {**(raw.get("data") or {}), "function_unresolved": True}
    container["stacktrace"] = {**stacktrace, "frames": [
        new or old for new, old in zip(resolved, stacktrace["frames"], strict=True)]}


def _path(frame: dict) -> str:
    path = frame.get("abs_path") or frame.get("filename")
    return path if isinstance(path, str) else ""


def needs_resolving(data: dict) -> bool:
    """Cheap test: a JavaScript event with at least one frame that has a column."""
    if data.get("platform") not in JS_PLATFORMS and not data.get("debug_meta"):
        return False
    for container in _containers(data):
        for frame in (container.get("stacktrace") or {}).get("frames") or []:
            if isinstance(frame.get("colno"), int):
                return True
    return False


def _containers(data: dict) -> list[dict]:
    out = [exc for exc in data.get("exception") or []]
    out += [thread for thread in data.get("threads") or []]
    if data.get("stacktrace"):
        out.append(data)
    return out


def resolve_event(data: dict, loader: Loader, max_maps: int = 20,
                  parsed: ParsedMaps | None = None,
                  max_bytes: int = EVENT_BYTES) -> set[int]:
    """Resolve every frame of the event in place; returns the bundles used. `parsed` keeps
    parsed maps across events (without it, each map is parsed for this event only); the maps
    the event loads hold at most `max_bytes` (estimated) together."""
    images = {}
    for image in (data.get("debug_meta") or {}).get("images") or []:
        debug_id = parse_debug_id(image.get("debug_id"))
        if debug_id:
            images[image["code_file"]] = debug_id
    parsed = parsed if parsed is not None else ParsedMaps(max_bytes=0)
    cache = MapCache(loader, images, data.get("release", ""), data.get("dist", ""), max_maps,
                     parsed, max_bytes)
    for container in _containers(data):
        _resolve_container(container, cache)
    return cache.used_bundles
