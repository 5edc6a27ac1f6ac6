"""The mined corpus: real faults of real libraries, captured by the official SDKs.

One zstandard-compressed JSON-lines file per codebase,
``lab/corpus/<platform>-<codebase>.jsonl.zst``; each row::

    {"bug": "<codebase>/<fault id>", "app": "<codebase>",
     "platform": "python|node|javascript|go|ruby|java", "split": "mined",
     "release": "<release the SDK sent>", "event": {<the event as the SDK sent it>}}

Which codebases only ever report (never train or choose) is fixed by the name alone
(``is_report_only``), decided before any result was seen, so no figure can move it.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import zstandard

HERE = Path(__file__).resolve().parent
SUFFIX = ".jsonl.zst"
# Node codebases' releases shipped as minified esbuild bundles (lab.mine.js --bundled), one file
# per codebase named as its corpus file; read only on request (lab.select --with-minified), so
# the corpus (and the digest a manifest records) stays as it was.
MINIFIED = HERE / "minified"


def is_report_only(codebase: str) -> bool:
    """Three codebases in ten, by a hash of the name: only ever scored, never chosen on."""
    return int(hashlib.sha256(codebase.encode()).hexdigest(), 16) % 10 < 3


def corpus_files(folder: Path = HERE) -> list[Path]:
    return sorted(folder.glob(f"*{SUFFIX}"))


def read_rows(path: Path) -> Iterator[dict]:
    with path.open("rb") as raw, zstandard.ZstdDecompressor().stream_reader(raw) as reader:
        for line in io.TextIOWrapper(reader, encoding="utf-8"):
            if line.strip():
                yield json.loads(line)


def write_rows(path: Path, rows: Iterable[dict], level: int = 19) -> int:
    """Write rows compressed; returns how many. The same rows give the same bytes."""
    count = 0
    buffer = io.BytesIO()
    for row in rows:
        buffer.write(json.dumps(row, sort_keys=True, separators=(",", ":")).encode() + b"\n")
        count += 1
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(zstandard.ZstdCompressor(level=level).compress(buffer.getvalue()))
    return count


def load_mined(
    paths: Iterable[Path] | None = None, platforms: Iterable[str] | None = None
) -> list[dict]:
    """Every row of the given files (default: all of lab/corpus), optionally of some platforms."""
    wanted = set(platforms) if platforms else None
    rows: list[dict] = []
    for path in paths if paths is not None else corpus_files():
        rows.extend(
            row for row in read_rows(Path(path)) if wanted is None or row["platform"] in wanted
        )
    return rows


_WAY_OF_FAILING = {  # platform → the suffix of a miner's label that names the raising code
    "python": re.compile(r"@[^/]*$"),  # site/Type@raising_function
    "node": re.compile(r"-\d+$"),  # site:field:Type-2 (the second way Type is raised there)
    "javascript": re.compile(r"-\d+$"),
}


def site_label(row: dict) -> str:
    """The bug as a developer counts it: one call site of the application and the error type
    it raises there. The miners' labels also split one site's one type by the library function
    that raised it (PyYAML's ParserError from four parser states for four malformed inputs);
    such events share every application frame, Sentry and fingerprinting group them as one
    issue, and one fix at the site (validate or catch) closes them all, so selection and
    reports count them as one bug. Go and Ruby labels are at this level already."""
    pattern = _WAY_OF_FAILING.get(row.get("platform", ""))
    return pattern.sub("", row["bug"]) if pattern and row.get("split") == "mined" else row["bug"]


def _root_type(event: dict) -> str:
    exception = event.get("exception") or {}
    values = exception.get("values") if isinstance(exception, dict) else exception
    values = [v for v in values or [] if isinstance(v, dict)]
    return str(values[0].get("type") or "") if values else ""


def drift_labels(rows: list[dict]) -> list[str]:
    """Site labels (`site_label`) closed under drift: an upgrade that changes a bug's exception
    type can make two site labels raise one type at one call site in one release (contact-book's
    `address_domain`: inputs labelled IDNAError raise EmailSyntaxError after an upgrade, with the
    EmailSyntaxError bug's stack); such labels are one bug here, a connected component of (call
    site, raised type, release). Rows without a recorded site keep their site label."""
    labels = [site_label(row) for row in rows]
    parent = {label: label for label in labels}

    def find(label: str) -> str:
        while parent[label] != label:
            parent[label] = parent[parent[label]]
            label = parent[label]
        return label

    first: dict[tuple, str] = {}
    for row, label in zip(rows, labels, strict=True):
        if not row.get("site"):
            continue
        signature = (row.get("app"), row["site"], _root_type(row["event"]), row.get("release"))
        other = first.setdefault(signature, label)
        parent[find(label)] = find(other)
    return [find(label) for label in labels]
