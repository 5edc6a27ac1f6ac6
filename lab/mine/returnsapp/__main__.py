"""``python -m lab.mine.returnsapp [--stats]``: capture every release of returns-desk (each in its
own process) and write lab/corpus/python-returns-desk.jsonl.zst; the same sources write the
same bytes. An event is kept only if the SDK sent exactly one event for its trigger and its
exception chain has its bug's types; the others are counted and reported."""

from __future__ import annotations

from lab.mine.appcode import machinery
from lab.mine.returnsapp.capture import APPLICATION

OUT = APPLICATION.out


def main(argv: list[str] | None = None) -> None:
    machinery.main(APPLICATION, argv)


if __name__ == "__main__":
    main()
