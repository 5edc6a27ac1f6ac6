"""Reading an artifact bundle as sentry-cli builds it (symbolic's source bundle: an optional
`SYSB` header, then a zip with `manifest.json` naming each file's type, URL and headers).
Pure functions; every failure is a BundleError with a message for the uploader."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from dataclasses import dataclass, field

from symbolic.sourcemap import SourceMapView

KINDS = {"minified_source", "source_map", "source"}
MAX_FILES = 10_000


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


def parse_debug_id(value: object) -> uuid.UUID | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return uuid.UUID(value.strip()[:36])
    except ValueError:
        return None


def read_bundle(data: bytes, max_unpacked: int) -> Bundle:
    """Open and validate a bundle: the manifest, every listed file (bounded by `max_unpacked`
    bytes in total), and every source map, which must parse."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise BundleError(f"the bundle is not a zip archive: {exc}") from exc
    with archive:
        try:
            manifest = json.loads(archive.read("manifest.json"))
        except KeyError as exc:
            raise BundleError("the bundle has no manifest.json") from exc
        except (ValueError, zipfile.BadZipFile, RuntimeError) as exc:
            raise BundleError(f"manifest.json is unreadable: {exc}") from exc
        if not isinstance(manifest, dict) or not isinstance(manifest.get("files", {}), dict):
            raise BundleError("manifest.json must be an object with a `files` object")
        listed = manifest.get("files", {})
        if len(listed) > MAX_FILES:
            raise BundleError(f"the bundle lists {len(listed)} files; the limit is {MAX_FILES}")
        attributes = {str(k): str(v) for k, v in (manifest.get("attributes") or {}).items()}
        bundle = Bundle(attributes)
        unpacked = 0
        for path, info in listed.items():
            if not isinstance(info, dict):
                raise BundleError(f"manifest entry {path!r} is not an object")
            try:
                member = archive.getinfo(f"files/{path}")
            except KeyError:
                try:
                    member = archive.getinfo(path)
                except KeyError as exc:
                    raise BundleError(f"{path!r} is listed but not in the bundle") from exc
            unpacked += member.file_size
            if unpacked > max_unpacked:
                raise BundleError(f"the bundle unpacks to more than {max_unpacked} bytes")
            try:
                content = archive.read(member)
            except (zipfile.BadZipFile, RuntimeError, ValueError, OSError) as exc:
                raise BundleError(f"{path!r} cannot be read: {exc}") from exc
            headers = {str(k).lower(): str(v) for k, v in (info.get("headers") or {}).items()}
            kind = info.get("type") if info.get("type") in KINDS else "other"
            one = BundleFile(path, kind, str(info.get("url") or path)[:1024], headers, content,
                             parse_debug_id(headers.get("debug-id")))  # fmt: skip
            if kind == "source_map":
                check_source_map(one)
            bundle.files.append(one)
    return bundle


def check_source_map(one: BundleFile) -> None:
    try:
        SourceMapView.from_json_bytes(one.content)
    except Exception as exc:  # symbolic raises its own error types for every parse failure
        raise BundleError(f"{one.url} is not a valid source map: {exc}") from exc
