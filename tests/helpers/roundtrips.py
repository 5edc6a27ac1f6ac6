"""Counting what a block costs in round trips to PostgreSQL."""

from django.db import connection


class RoundTrips:
    """An execute wrapper (`with connection.execute_wrapper(trips):`) that keeps each statement
    sent and whether it rode a batch (monitor.roundtrips.together): a statement on its own is a
    round trip, a run of batched statements is one (the batches hold writes only, so nothing in
    them waits for an answer before the batch ends)."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, bool]] = []

    def __call__(self, execute, sql, params, many, context):
        self.statements.append((sql, connection.connection._pipeline is not None))
        return execute(sql, params, many, context)

    def count(self) -> int:
        trips, batched_before = 0, False
        for _sql, batched in self.statements:
            trips += not (batched and batched_before)
            batched_before = batched
        return trips

    def listing(self) -> str:
        return "\n".join(("  + " if batched else "") + " ".join(sql.split())[:110]
                         for sql, batched in self.statements)
