"""Reading an uploaded zip archive within hard bounds.

CPython's zipfile trusts the archive: it turns the whole central directory into objects (a
64 MiB upload can hold over a million entries), and `ZipFile.read()` inflates a member in one
call however far past its declared `file_size` it expands. Here the central directory is
walked and counted before zipfile parses it, only stored and deflated members are read (bzip2
and LZMA expand a few bytes into gigabytes), and every member is inflated in fixed pieces,
counting the real bytes against a byte budget and a ratio cap. No maintained library does
this for zipfile; the format rules used are those of zipfile itself (APPNOTE 4.3.12, 4.3.16).
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from typing import BinaryIO

PIECE = 64 * 1024
# Members smaller than this are not held to the ratio (tiny files compress arbitrarily well).
RATIO_FLOOR = 1024 * 1024
METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflated"}

END = struct.Struct("<4s4H2LH")  # end of central directory record
END_SIGNATURE = b"PK\x05\x06"
ZIP64_LOCATOR = b"PK\x06\x07"
ENTRY = struct.Struct("<4s6H3L5H2L")  # central directory file header
ENTRY_SIGNATURE = b"PK\x01\x02"


class UnsafeZip(ValueError):
    """The archive is malformed or past a bound; the message is for the uploader."""


class Budget:
    """Inflated bytes left for one archive, and the ratio each member may expand by."""

    def __init__(self, total: int, ratio: int):
        self.left, self.total, self.ratio = total, total, ratio


def _central_directory(fileobj: BinaryIO) -> tuple[int, int]:
    """(start, size) of the central directory, found as zipfile finds it."""
    end = fileobj.seek(0, io.SEEK_END)
    tail_size = min(end, END.size + 0xFFFF)
    fileobj.seek(end - tail_size)
    tail = fileobj.read(tail_size)
    at = len(tail) - END.size
    if at < 0 or tail[at : at + 4] != END_SIGNATURE or tail[-2:] != b"\0\0":
        at = tail.rfind(END_SIGNATURE)
    if at < 0 or at + END.size > len(tail):
        raise UnsafeZip("not a zip archive: no end of central directory record")
    _, _, _, _, count, size, offset, _ = END.unpack_from(tail, at)
    record = end - tail_size + at
    if record >= 20:
        fileobj.seek(record - 20)
        if fileobj.read(4) == ZIP64_LOCATOR:
            raise UnsafeZip("ZIP64 archives are not accepted")
    if count == 0xFFFF or 0xFFFFFFFF in (size, offset):
        raise UnsafeZip("ZIP64 archives are not accepted")
    start = record - size
    if start < 0:
        raise UnsafeZip("not a zip archive: the central directory is truncated")
    return start, size


def check_directory(fileobj: BinaryIO, max_members: int, max_name: int) -> int:
    """Count the members (and check their name lengths) without building an object per entry;
    the walk is zipfile's own, so zipfile sees exactly these entries."""
    start, size = _central_directory(fileobj)
    fileobj.seek(start)
    directory = fileobj.read(size)
    position = count = 0
    while position < size:
        if position + ENTRY.size > len(directory):
            raise UnsafeZip("not a zip archive: the central directory is truncated")
        fields = ENTRY.unpack_from(directory, position)
        if fields[0] != ENTRY_SIGNATURE:
            raise UnsafeZip("not a zip archive: bad central directory entry")
        name, extra, comment = fields[10], fields[11], fields[12]
        count += 1
        if count > max_members:
            raise UnsafeZip(f"the archive has more than {max_members} members")
        if name > max_name:
            raise UnsafeZip(f"a member name is {name} bytes long; the limit is {max_name}")
        position += ENTRY.size + name + extra + comment
    return count


def open_archive(fileobj: BinaryIO, max_members: int, max_name: int) -> zipfile.ZipFile:
    check_directory(fileobj, max_members, max_name)
    fileobj.seek(0)
    try:
        archive = zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError,
            struct.error) as exc:
        raise UnsafeZip(f"not a zip archive: {exc}") from exc
    for info in archive.infolist():
        if info.compress_type not in METHODS:
            archive.close()
            raise UnsafeZip(f"{info.filename[:200]!r} uses compression method "
                            f"{info.compress_type}; only stored and deflated are read")
    return archive


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: Budget,
                cap: int | None = None) -> bytes:
    """A member's bytes, inflated in PIECE steps and counted as they come: past `cap`, past the
    budget, or past `budget.ratio` times its compressed size (above RATIO_FLOOR), it is refused
    having cost at most one piece more than the bound. The declared `file_size` is not used."""
    name = info.filename[:200]
    by_ratio = max(RATIO_FLOOR, budget.ratio * info.compress_size)
    limit = min(budget.left, by_ratio, budget.left if cap is None else cap)
    out = io.BytesIO()
    size = 0
    try:
        with archive.open(info) as stream:
            while piece := stream.read(PIECE):
                size += len(piece)
                if size > limit:
                    raise UnsafeZip(_past_limit(name, limit, cap, by_ratio, budget))
                out.write(piece)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError,
            NotImplementedError) as exc:
        raise UnsafeZip(f"{name!r} cannot be read: {exc}") from exc
    budget.left -= size
    return out.getvalue()


def _past_limit(name: str, limit: int, cap: int | None, by_ratio: int, budget: Budget) -> str:
    if cap is not None and limit == cap:
        return f"{name!r} is larger than {cap} bytes"
    if limit == by_ratio:
        return f"{name!r} expands more than {budget.ratio} times its compressed size"
    return f"the archive unpacks to more than {budget.total} bytes"
