"""Parsed source maps kept per process, so a map is parsed once per worker and not once per
event, within a byte budget (least recently used first out).

A map's scope index (symbolic's SourceMapCache: the enclosing function of each minified
position, named from the original source) comes from parsing the minified file with swc. A
hostile file (thousands of nested brackets) overflows swc's stack and kills the process, which
no `except` catches; so the index is first built in a forked child under a time and memory
bound, and built here only when that child survived. A map whose index cannot be built still
resolves positions, with the minified function names.
"""

from __future__ import annotations

import contextlib
import faulthandler
import hashlib
import json
import os
import resource
import select
import signal
from collections import OrderedDict
from dataclasses import dataclass, field

from symbolic.sourcemap import SourceMapView
from symbolic.sourcemapcache import SourceMapCache

from monitor import limits

SCOPES_SECONDS = 5.0  # wall and CPU time to index one minified file's scopes
SCOPES_MEMORY = 1 << 30  # address space the child may add while indexing
# Resident bytes of a parsed map (measured: tests/sourcemaps/test_sourcemap_memory.py,
# docs/limits.md).
# symbolic's view holds ~28 bytes per mapping segment whatever the segment's length, plus its
# names, sources and sourcesContent with their line indexes (~2 bytes per byte of map); the
# scope index ~30 bytes per byte of minified file, ~16 per segment and its own copy of the
# sources. A map of one-character segments holds ~15x its size: per byte is no measure.
SEGMENT_COST = 32
MAP_BYTE_COST = 2
SCOPES_SEGMENT_COST = 16
MINIFIED_COST = 40
FAILED_COST = 4096  # a map that did not parse is remembered, at this cost


def segments(source_map: bytes) -> int:
    """An upper bound of the map's mapping segments, without parsing it: every segment but a
    line's last ends in `,` and every line in `;`; the count includes those of the rest of the
    JSON (a few, and sourcesContent's), which errs on the safe side and cannot be evaded."""
    return source_map.count(b",") + source_map.count(b";") + 1


def source_root_bytes(source_map: bytes) -> int:
    """Bytes symbolic's reader adds by joining `sourceRoot` to every source: it does so as it
    parses, each joined name a copy of the root, so a long root and many (even empty or null)
    sources hold their product, which neither the map's bytes nor its segments bound. Read with
    Python's JSON reader (cheaper than symbolic's view), in every map of an index map's
    sections, the key however it is escaped (a key spelled without `\\u` escapes is the plain
    word). A map Python cannot read (serde reads numbers past Python's 4,300 digits) counts as
    over any bound: nothing it hides may reach the parser."""
    if b"sourceRoot" not in source_map and b"\\u" not in source_map:
        return 0
    total = 0

    def count(pairs: list) -> None:
        nonlocal total
        fields = dict(pairs)  # serde refuses a map with a duplicate key
        root, sources = fields.get("sourceRoot"), fields.get("sources")
        if isinstance(root, str) and root and isinstance(sources, list):
            total += (len(root.encode()) + 1) * len(sources)
        # None: the parsed tree is dropped as it is read

    try:
        json.loads(source_map, object_pairs_hook=count, parse_int=len, parse_float=len)
    except (ValueError, RecursionError):
        return 1 << 62
    return total


def root_refusal(source_map: bytes) -> str:
    """Why the map may not be parsed for its `sourceRoot` ("" when it may)."""
    joined = source_root_bytes(source_map)
    if joined <= limits.SOURCEMAP_ROOT_JOIN_BYTES:
        return ""
    return (f"its sourceRoot joined to its sources would take {joined} bytes, over"
            f" {limits.SOURCEMAP_ROOT_JOIN_BYTES}")


def estimated_cost(source_map: bytes, minified: bytes | None, scopes: bool = True) -> int:
    """Bytes a parsed map (and, with `scopes`, its scope index) will hold, from the map's
    structure; the minified file itself is kept either way."""
    count = segments(source_map)
    cost = SEGMENT_COST * count + MAP_BYTE_COST * len(source_map) + len(minified or b"")
    if minified and scopes:
        cost += SCOPES_SEGMENT_COST * count + MAP_BYTE_COST * len(source_map)
        cost += MINIFIED_COST * len(minified)
    return cost


@dataclass
class ParsedMap:
    view: SourceMapView
    scopes: SourceMapCache | None
    minified: bytes | None
    cost: int
    classes: dict[str, str | None] = field(default_factory=dict)  # minified → declared name
    declarations: dict[str, int] | None = None  # class name → its first declaration's offset
    indexed: bool = False  # whether `declarations` was built (None then: too many to keep)


def _child_survives(build, seconds: float, memory: int) -> bool:
    """Run `build` in a forked child bounded in time and memory; True when it returned."""
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's code
        code = 1
        try:
            faulthandler.disable()  # a crash here is the expected answer, not worth a dump
            cpu = int(seconds) + 1
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
            with open("/proc/self/statm") as statm:
                size = int(statm.read().split()[0]) * resource.getpagesize()
            resource.setrlimit(resource.RLIMIT_AS, (size + memory, size + memory))
            build()
            code = 0
        finally:
            os._exit(code)
    exited = False
    try:
        fd = os.pidfd_open(pid)
        try:  # poll, not select: a worker may hold descriptors numbered past FD_SETSIZE
            poller = select.poll()
            poller.register(fd, select.POLLIN)
            exited = bool(poller.poll(int(seconds * 1000)))
        finally:
            os.close(fd)
    finally:  # whatever interrupts the wait, the child is killed and reaped
        if not exited:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0


def build_scopes(minified: bytes, source_map: bytes, seconds: float = SCOPES_SECONDS,
                 memory: int = SCOPES_MEMORY) -> SourceMapCache | None:
    """symbolic's scope index of a minified file, or None when building it crashes, errs or
    runs past the bounds."""

    def build() -> SourceMapCache:
        return SourceMapCache.from_bytes(minified, source_map)

    if not _child_survives(build, seconds, memory):
        return None
    try:
        return build()
    except Exception:  # symbolic raises its own error types for input it rejects
        return None


def parse(source_map: bytes, minified: bytes | None, scopes: bool = True) -> ParsedMap | None:
    """The map's view, and its scope index when `scopes` (and there is a minified file); None
    for a map that does not parse or whose root would be joined past its bound."""
    if root_refusal(source_map):
        return None
    try:
        view = SourceMapView.from_json_bytes(source_map)
    except Exception:  # a map that does not parse resolves nothing
        return None
    index = build_scopes(minified, source_map) if minified and scopes else None
    return ParsedMap(view, index, minified, estimated_cost(source_map, minified, scopes))


class ParsedMaps:
    """Parsed maps by content (a map and its minified file), within `max_bytes` of estimated
    memory; what does not fit is parsed for the event and not kept."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.entries: OrderedDict[object, ParsedMap | None] = OrderedDict()
        self.used = 0
        self.parses = 0

    def __contains__(self, identity: object) -> bool:
        return identity in self.entries

    def cost_of(self, identity: object) -> int | None:
        """What a kept entry is charged, or None when it is not kept."""
        if identity not in self.entries:
            return None
        entry = self.entries[identity]
        return entry.cost if entry else FAILED_COST

    def get(self, source_map: bytes, minified: bytes | None, identity: tuple | None = None,
            scopes: bool = True) -> ParsedMap | None:
        """`identity` names immutable stored files (their ids), which spares hashing the
        content on every event; without it the content is the key. `scopes` says whether a map
        not kept yet gets its scope index."""
        key: object = identity
        if key is None:
            key = hashlib.blake2b(source_map, digest_size=16).digest()
            key += hashlib.blake2b(minified or b"", digest_size=16).digest()
        if key in self.entries:
            self.entries.move_to_end(key)
            return self.entries[key]
        self.parses += 1
        parsed = parse(source_map, minified, scopes)
        cost = parsed.cost if parsed else FAILED_COST
        if cost <= self.max_bytes:
            while self.used + cost > self.max_bytes:
                _, old = self.entries.popitem(last=False)
                self.used -= old.cost if old else FAILED_COST
            self.entries[key] = parsed
            self.used += cost
        return parsed
