"""Counting what a block costs in round trips to PostgreSQL."""

from django.db import connection


class RoundTrips:
    """An execute wrapper (`with connection.execute_wrapper(trips):`) that keeps each statement
    sent and the batch it rode (monitor.roundtrips.together), if any: a statement on its own is a
    round trip, the statements of one batch are one (a batch's results are read after it ends)."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, object]] = []  # (sql, its batch or None)

    def __call__(self, execute, sql, params, many, context):
        self.statements.append((sql, connection.connection._pipeline))
        return execute(sql, params, many, context)

    def count(self) -> int:
        trips, before = 0, None
        for _sql, batch in self.statements:
            trips += batch is None or batch is not before
            before = batch
        return trips

    def listing(self) -> str:
        return "\n".join(("  + " if batch is not None else "") + " ".join(sql.split())[:110]
                         for sql, batch in self.statements)
