"""Detected spans and how overlapping ones are settled and replaced."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Span:
    start: int
    end: int
    entity: str
    score: float = 0.9


def resolve(spans: list[Span]) -> list[Span]:
    """Non-overlapping spans: where two overlap, their union is kept under the entity of the
    longer one, so a value found in two pieces is never left half-replaced."""
    merged: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            longer = last if last.end - last.start >= span.end - span.start else span
            merged[-1] = Span(last.start, max(last.end, span.end), longer.entity, longer.score)
        else:
            merged.append(span)
    return merged


def replace(text: str, spans: list[Span]) -> str:
    """Every span replaced by `<ENTITY>`."""
    out, cursor = [], 0
    for span in spans:
        out.append(text[cursor : span.start])
        out.append(f"<{span.entity}>")
        cursor = span.end
    out.append(text[cursor:])
    return "".join(out)
