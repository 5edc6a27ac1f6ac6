"""The summary of the mined JavaScript corpus (`python -m lab.mine.js --stats`): per codebase its
libraries and versions, bugs, events, how bugs spread over releases and entry points, where they
crash, source maps, and the hard negatives it holds."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from lab.corpus import HERE as CORPUS
from lab.corpus import is_report_only, read_rows


def js_files(folder: Path = CORPUS) -> list[Path]:
    return sorted([*folder.glob("node-*.jsonl.zst"), *folder.glob("javascript-*.jsonl.zst")])


def crash_exception(event: dict) -> dict:
    return event["exception"]["values"][-1]


def message_shape(value: str) -> str:
    """A message with its numbers taken out (the same message from other inputs)."""
    return re.sub(r"\d+", "N", value or "")


def function_of(row: dict) -> str:
    return row["site"].rsplit(":", 1)[0]


def hard_negatives(rows: list[dict]) -> dict[str, int]:
    """Bugs that share a type within one application function; sites (one line of application
    code) with several bugs; one message shape raised at several sites."""
    type_in_function: dict[tuple, set] = defaultdict(set)
    bugs_at_site: dict[str, set] = defaultdict(set)
    sites_of_message: dict[tuple, set] = defaultdict(set)
    for row in rows:
        exc = crash_exception(row["event"])
        type_in_function[(function_of(row), exc.get("type"))].add(row["bug"])
        bugs_at_site[row["site"]].add(row["bug"])
        sites_of_message[(exc.get("type"), message_shape(exc.get("value", "")))].add(row["site"])
    return {
        "same_type_same_function": sum(len(b) for b in type_in_function.values() if len(b) > 1),
        "sites_with_several_bugs": sum(1 for b in bugs_at_site.values() if len(b) > 1),
        "messages_from_several_sites": sum(1 for s in sites_of_message.values() if len(s) > 1),
    }


def version_key(version: str) -> list[int]:
    return [int(part) for part in re.findall(r"\d+", version)]


def summary(path: Path) -> dict:
    rows = list(read_rows(path))
    per_bug: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        per_bug[row["bug"]].append(row)
    sizes = [len(v) for v in per_bug.values()]
    libraries: dict[str, set] = defaultdict(set)
    for row in rows:
        for lib, version in row["libraries"].items():
            libraries[lib].add(version)
    return {
        "codebase": rows[0]["app"], "platform": rows[0]["platform"],
        "libraries": {lib: sorted(vs, key=version_key) for lib, vs in sorted(libraries.items())},
        "bugs": len(per_bug), "events": len(rows),
        "min": min(sizes), "max": max(sizes),
        "multi_release": sum(len({r["release"] for r in v}) > 1 for v in per_bug.values()),
        "library_crash": sum(r["crash"] == "library" for r in rows),
        "entries": len({r["entry"] for r in rows}),
        "with_maps": sum("sourcemaps" in r for r in rows),
        "report_only": is_report_only(rows[0]["app"]),
        **hard_negatives(rows),
    }


def print_stats() -> None:
    head = ("codebase", "platform", "bugs", "events", "ev/bug", ">=2 rel", "lib crash",
            "entries", "maps", "same type+fn", "multi-bug sites", "shared msgs", "report-only")
    print(" | ".join(head))
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for path in js_files():
        s = summary(path)
        t = totals[s["platform"]]
        t[0] += 1
        t[1] += s["bugs"]
        t[2] += s["events"]
        print(" | ".join(str(x) for x in (
            s["codebase"], s["platform"], s["bugs"], s["events"], f"{s['min']}-{s['max']}",
            s["multi_release"], s["library_crash"], s["entries"], s["with_maps"],
            s["same_type_same_function"], s["sites_with_several_bugs"],
            s["messages_from_several_sites"], "yes" if s["report_only"] else "")))
        print("    " + ", ".join(f"{lib} {' '.join(vs)}" for lib, vs in s["libraries"].items()))
    for platform, (codebases, bugs, events) in sorted(totals.items()):
        print(f"{platform}: {codebases} codebases, {bugs} bugs, {events} events")
