"""tests/helpers/versions_app.py's application reporting through the legacy Python client,
`raven` (6.10.0, the last release), with its default options: the threaded transport, the
store endpoint, deflate bodies, no in-app flags. Only the SDK differs: versions_app's own
main runs, its calls of sentry_sdk answered by raven, so an application that moves from raven
to sentry-sdk keeps its frames (tests/slow/test_raven_sdks.py). Usage, from the repository
root:

    PYTHONPATH=<raven dir>:. python -m tests.helpers.raven_app <dsn> captured|uncaught

`captured` sends five events: Order.total's TypeError from two inputs, quantity_label's
TypeError, load_config's RuntimeError raised from a FileNotFoundError (the worker thread's
uncaught TypeError goes unreported: raven hooks only the main thread), and a message with a
parameter. `uncaught` lets Order.total's TypeError end the process, which raven's
sys.excepthook reports (raven has no hook for other threads)."""

from __future__ import annotations

import sys

from raven import Client

from tests.helpers import versions_app
from tests.helpers.versions_app import Order


class RavenAsSentrySdk:
    """The three calls of sentry_sdk that versions_app makes, answered by a raven Client."""

    def __init__(self) -> None:
        self.client: Client | None = None

    def init(self, dsn: str, **options: str) -> None:
        self.client = Client(dsn, **options)

    def capture_exception(self, exc: BaseException) -> None:
        self.client.captureException((type(exc), exc, exc.__traceback__))

    def flush(self, timeout: float) -> None:
        """raven's threaded transport sends what is queued before the process exits."""


def main(dsn: str, scenario: str) -> None:
    sdk = versions_app.sentry_sdk = RavenAsSentrySdk()
    if scenario == "uncaught":
        sdk.init(dsn, release="shop@1.0.0", environment="test")
        versions_app.serve(Order([{"price": None, "quantity": 1}]), report=False)
    versions_app.main(dsn)  # its worker thread's uncaught error: raven does not see it
    sdk.client.captureMessage("Shop started run %s", params=("1",))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
