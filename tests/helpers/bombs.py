"""Zip bombs shaped like artifact bundles, for tests/sourcemaps/test_bundle_bounds.py and
bench/bundle_bombs.py: 200 MiB of zeros (or JSON whitespace) from ~200 KiB, with a member or
manifest.json that declares a few bytes, or with honest sizes."""

from __future__ import annotations

import io
import json
import struct
import zipfile

MiB = 1024 * 1024
BOMB = 200 * MiB
KINDS = ("lying member", "manifest", "honest member")


def write_zeros(archive: zipfile.ZipFile, name: str, size: int, prefix=b"", suffix=b"") -> None:
    """A deflated member of `size` zeros (spaces when framed as JSON), written in 1 MiB steps."""
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    filler = bytes(MiB) if not prefix and not suffix else b" " * MiB
    with archive.open(info, "w") as out:
        out.write(prefix)
        for _ in range(size // MiB):
            out.write(filler)
        out.write(suffix)


def declare_size(data: bytes, name: str, size: int) -> bytes:
    """The archive with `name`'s uncompressed size declared as `size` in both its local header
    and its central directory entry (the CRC stays that of the real content)."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    info = archive.getinfo(name)
    out = bytearray(data)
    struct.pack_into("<L", out, info.header_offset + 22, size)
    entry = out.find(b"PK\x01\x02", archive.start_dir)
    while out[entry + 46 : entry + 46 + len(name)] != name.encode():
        entry = out.find(b"PK\x01\x02", entry + 4)
    struct.pack_into("<L", out, entry + 24, size)
    return bytes(out)


def bomb(kind: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        if kind == "manifest":
            write_zeros(archive, "manifest.json", BOMB, b"", b'{"files": {}}')
        else:
            manifest = {"files": {"app.js": {"url": "~/app.js", "type": "minified_source"}}}
            archive.writestr("manifest.json", json.dumps(manifest))
            write_zeros(archive, "files/app.js", BOMB)
    data = out.getvalue()
    if kind == "manifest":
        return declare_size(data, "manifest.json", 100)
    if kind == "lying member":
        return declare_size(data, "files/app.js", 1000)
    return data  # honest sizes: only the ratio and byte caps stop it
