"""The check every Node service whose faults are its own code shares (stockroom,
tests/lab/test_stockroom_corpus.py; clinicbook, tests/lab/test_clinicbook_corpus.py)."""

from __future__ import annotations

from collections.abc import Sequence

from lab.mine.js.service import Bug


def assert_rows_are_the_bugs_and_raise_their_types(name: str, rows: list[dict],
                                                    bugs: Sequence[Bug]) -> None:
    """Every defined bug has rows, and each row raised its bug's type (and cause) from the
    service's own code at its bug's site, in a release the bug is in."""
    by_id = {bug.id: bug for bug in bugs}
    assert {row["bug"] for row in rows} == set(by_id)
    for row in rows:
        values = row["event"]["exception"]["values"]
        bug = by_id[row["bug"]]
        assert values[-1]["type"] == bug.type, row["bug"]
        assert not bug.cause or values[0]["type"] == bug.cause, row["bug"]
        assert row["site"] == bug.site and row["crash"] == "app"
        assert int(row["release"].removeprefix(f"{name}@1.").removesuffix(".0")) in bug.releases
