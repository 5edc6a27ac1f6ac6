"""Reading an artifact bundle as sentry-cli builds it (symbolic's source bundle: an optional
`SYSB` header, then a zip with `manifest.json` naming each file's type, URL and headers).
Pure functions over a file object; every failure is a BundleError with a message for the
uploader, and every member is read within BundleLimits (sourcemaps.safezip)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import BinaryIO

from symbolic.sourcemap import SourceMapView

from ingest.debug_meta import parse_debug_id
from sourcemaps import safezip
from sourcemaps.parsed import root_refusal, segments

KINDS = {"minified_source", "source_map", "source"}
# {files: {path: {headers: {name: value}}}}: four levels of objects.
MANIFEST_DEPTH = 4


class BundleError(ValueError):
    pass


@dataclass
class BundleFile:
    path: str
    kind: str
    url: str
    headers: dict[str, str]
    content: bytes
    debug_id: uuid.UUID | None = None


@dataclass
class Bundle:
    attributes: dict[str, str]
    files: list[BundleFile] = field(default_factory=list)


@dataclass(frozen=True)
class BundleLimits:
    """What one bundle may cost to read (docs/limits.md, *Source map uploads*)."""

    members: int  # zip entries, and files listed in the manifest
    name_length: int  # bytes of one member name or manifest path
    unpacked: int  # inflated bytes of the manifest and every listed file together
    ratio: int  # inflated / compressed, per member over safezip.RATIO_FLOOR
    manifest: int  # inflated bytes of manifest.json
    segments: int = 4_000_000  # mapping segments of one source map (what parsing it costs)

    @classmethod
    def from_settings(cls) -> BundleLimits:
        from django.conf import settings

        return cls(settings.SOURCEMAPS_MAX_BUNDLE_MEMBERS, settings.SOURCEMAPS_MAX_MEMBER_NAME,
                   settings.SOURCEMAPS_MAX_UNPACKED_SIZE, settings.SOURCEMAPS_MAX_RATIO,
                   settings.SOURCEMAPS_MAX_MANIFEST_SIZE,
                   settings.SOURCEMAPS_MAX_MAP_SEGMENTS)


def read_bundle(fileobj: BinaryIO, limits: BundleLimits) -> Bundle:
    """Open and validate a bundle: the manifest, every listed file, and every source map, which
    must parse. Every member is read through safezip.read_member, within `limits`."""
    try:
        archive = safezip.open_archive(fileobj, limits.members, limits.name_length)
    except safezip.UnsafeZip as exc:
        raise BundleError(f"the bundle is not accepted: {exc}") from exc
    budget = safezip.Budget(limits.unpacked, limits.ratio)
    with archive:
        try:
            info = archive.getinfo("manifest.json")
        except KeyError as exc:
            raise BundleError("the bundle has no manifest.json") from exc
        listed, attributes = _manifest(_read(archive, info, budget, limits.manifest), limits)
        bundle = Bundle(attributes)
        for path, entry in listed.items():
            try:
                member = archive.getinfo(f"files/{path}")
            except KeyError:
                try:
                    member = archive.getinfo(path)
                except KeyError as exc:
                    raise BundleError(f"{path[:200]!r} is listed but not in the bundle") from exc
            content = _read(archive, member, budget)
            headers = {k.lower(): v for k, v in _strings(entry.get("headers"), path).items()}
            kind = entry.get("type") if entry.get("type") in KINDS else "other"
            one = BundleFile(path, kind, str(entry.get("url") or path)[:1024], headers, content,
                             parse_debug_id(headers.get("debug-id")))
            if kind == "source_map":
                check_source_map(one, limits.segments)
            bundle.files.append(one)
    return bundle


def _read(archive, info, budget: safezip.Budget, cap: int | None = None) -> bytes:
    try:
        return safezip.read_member(archive, info, budget, cap)
    except safezip.UnsafeZip as exc:
        raise BundleError(f"the bundle is not accepted: {exc}") from exc


def _manifest(raw: bytes, limits: BundleLimits) -> tuple[dict[str, dict], dict[str, str]]:
    """The listed files and the attributes, from manifest.json as symbolic writes it: an object
    with `files` ({path: {type, url, headers}}), scalar attributes (top level or under
    `attributes`) and `source_links`. Nothing deeper than that format is accepted."""
    try:
        manifest = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise BundleError(f"manifest.json is unreadable: {str(exc)[:200]}") from exc
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files", {}), dict):
        raise BundleError("manifest.json must be an object with a `files` object")
    if _deeper_than(manifest, MANIFEST_DEPTH):
        raise BundleError(f"manifest.json nests deeper than {MANIFEST_DEPTH} levels")
    listed = manifest.get("files", {})
    if len(listed) > limits.members:
        raise BundleError(f"the bundle lists {len(listed)} files; the limit is {limits.members}")
    for path, entry in listed.items():
        if not isinstance(entry, dict):
            raise BundleError(f"manifest entry {path[:200]!r} is not an object")
        if len(path.encode()) > limits.name_length:
            raise BundleError(f"a manifest path is over {limits.name_length} bytes")
    return listed, _strings(manifest.get("attributes"), "attributes")


def _strings(value: object, where: str) -> dict[str, str]:
    """A manifest object of scalars (headers, attributes) as strings."""
    if value is None:
        return {}
    if not isinstance(value, dict) or any(isinstance(v, dict | list) for v in value.values()):
        raise BundleError(f"manifest.json: {where[:200]!r} must map names to strings")
    return {str(k): "" if v is None else str(v) for k, v in value.items()}


def _deeper_than(value: object, limit: int) -> bool:
    """Whether parsed JSON nests objects or lists more than `limit` levels, without recursion."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            if depth > limit:
                return True
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, depth + 1) for child in children)
    return False


def check_source_map(one: BundleFile, max_segments: int) -> None:
    """Parse the map, once its segments are counted (a byte count is no measure of what
    parsing costs: one-character segments take ~28 bytes each) and found within the limit."""
    count = segments(one.content)
    if count > max_segments:
        raise BundleError(f"{one.url} has {count} mapping segments (counted as its `,` and `;`),"
                          f" over {max_segments}")
    refusal = root_refusal(one.content)
    if refusal:
        raise BundleError(f"{one.url} is not accepted: {refusal}")
    try:
        SourceMapView.from_json_bytes(one.content)
    except Exception as exc:  # symbolic raises its own error types for every parse failure
        raise BundleError(f"{one.url} is not a valid source map: {exc}") from exc
