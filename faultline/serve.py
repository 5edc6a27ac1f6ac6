"""The web server: granian (HTTP parsing and connections in Rust, the WSGI app on a pool of
threads per process) serving faultline.wsgi. One home for its command line: `make run`, the
Docker image, the tests and the benchmarks all start it through `python -m faultline.serve`.

Environment: FAULTLINE_BIND (host:port, 127.0.0.1:8000), WEB_WORKERS (processes, 2),
WEB_THREADS (WSGI threads per process, 16), WEB_ACCESSLOG (any value: log each request).
GUNICORN_WORKERS / GUNICORN_THREADS, their names before granian, are still read.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def command(env: dict[str, str] | None = None) -> list[str]:
    """The granian command line for `env` (default: this process's environment)."""
    env = dict(os.environ) if env is None else env
    host, _, port = env.get("FAULTLINE_BIND", "127.0.0.1:8000").rpartition(":")
    workers = env.get("WEB_WORKERS") or env.get("GUNICORN_WORKERS") or "2"
    threads = env.get("WEB_THREADS") or env.get("GUNICORN_THREADS") or "16"
    return [
        str(Path(sys.executable).with_name("granian")),
        "--interface", "wsgi",
        "--http", "1",
        "--no-ws",
        "--host", host.strip("[]") or "127.0.0.1",
        "--port", port,
        "--workers", workers,
        "--blocking-threads", threads,
        # A worker that dies (OOM kill, SIGKILL) is started again, as gunicorn's master did.
        "--respawn-failed-workers",
        "--workers-kill-timeout", "10",
        "--access-log" if env.get("WEB_ACCESSLOG") else "--no-access-log",
        "--log-level", "warning",
        "faultline.wsgi:application",
    ]


def main() -> None:
    argv = command()
    os.execv(argv[0], argv)  # the same pid: signals to it reach granian's main process


if __name__ == "__main__":
    main()
