"""`python -m lab.mine.js.chatrelay` writes lab/corpus/node-chatrelay.jsonl.zst: the chatrelay
service (lab.mine.js.chatrelay.app), whose faults are in its own code, rendered per release and
driven through its real entry points (Express, Koa, an internal RPC port, a worker_threads job
runner (a JobRunner class from 1.3), an admin CLI) under the real @sentry/node
(capture-node.cjs, sentry-setup.cjs), with seeded inputs, so running it again writes the same
bytes. Each planned trigger names its bug; the event the SDK sent must raise the bug's type
(and cause), or the run fails."""

from __future__ import annotations

import random

from lab.mine.js import service
from lab.mine.js.chatrelay import app
from lab.mine.js.chatrelay.bugs import BUGS

NAME = "chatrelay"
SEED = 20261207
SERVICE = service.Service(
    name=NAME, seed=SEED, bugs=BUGS, files=app.files, report_only=False,
    skip_node_frames=True,  # node: internals are never the crash frame
)
OUTPUT = SERVICE.output


def plan(rng: random.Random) -> dict[int, list[dict]]:
    """chatrelay's triggers per release (lab.mine.js.service.plan)."""
    return service.plan(SERVICE, rng)


def main(argv: list[str] | None = None) -> None:
    service.main(SERVICE, argv)


if __name__ == "__main__":
    main()
