"""An event's `debug_meta` as ingest keeps it: the source-map images (a file and its debug ID)
that symbolication (sourcemaps.symbolicate) resolves frames through, bounded."""

from __future__ import annotations

import uuid

from monitor import limits


def parse_debug_id(value: object) -> uuid.UUID | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return uuid.UUID(value.strip()[:36])
    except ValueError:
        return None


def normalize_debug_meta(value: object) -> dict | None:
    """The `debug_meta.images` of type sourcemap that name a file and a debug ID, bounded."""
    images = value.get("images") if isinstance(value, dict) else None
    if not isinstance(images, list):
        return None
    kept = []
    for image in images[:limits.EVENT_DEBUG_IMAGES]:
        if not isinstance(image, dict) or image.get("type") != "sourcemap":
            continue
        debug_id = parse_debug_id(image.get("debug_id"))
        code_file = image.get("code_file")
        if debug_id and isinstance(code_file, str) and code_file:
            kept.append({"type": "sourcemap", "code_file": code_file[:1024],
                         "debug_id": str(debug_id)})
    return {"images": kept} if kept else None
