"""What one webhook or Apprise attempt costs the alerts worker against a hostile receiver: an
error answer with a huge body, and a receiver that drips one byte every 0.2 s. Each case runs
in a fresh child process (no database needed), through alerts.notify.send_bounded as the
worker does, against a local server (the destination allows private addresses).

Prints per case: wall time of the attempt, the worker's peak RSS growth, the bytes the server
got rid of (the client took them), and the recorded error.

    .venv/bin/python bench/alerts_bounds.py [--mib 400] [--deadline 3]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

from common import ROOT

CASES = ["webhook-huge", "apprise-huge", "webhook-drip", "apprise-drip"]


def run_case(case: str, mib: int, deadline: int) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "faultline.settings")
    os.environ["ALERTS_ATTEMPT_DEADLINE"] = str(deadline)
    import django

    django.setup()
    from alerts.destinations import REGISTRY
    from alerts.destinations.base import Notification
    from alerts.notify import send_bounded
    from tests.helpers.alert_receivers import RawHTTPServer, drip, huge_error

    kind, what = case.split("-")
    reply = huge_error(mib * 1024 * 1024) if what == "huge" else drip(0.2, give_up_after=600)
    server = RawHTTPServer(reply).start()
    url = server.url if kind == "webhook" else server.url.replace("http://", "json://")
    destination = REGISTRY[kind]({"url": url + "/hook"}, "secret", allow_private=True)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    result = send_bounded(destination, Notification(project="bench", rule="", trigger="test"))
    seconds = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    server.stop()
    return {"case": case, "seconds": round(seconds, 2), "rss_growth_mib": round((peak - before)
            / 1024, 1), "server_sent_mib": round(server.sent / 2**20, 2),
            "error": result.error}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=400, help="size of the huge error body")
    parser.add_argument("--deadline", type=int, default=3, help="ALERTS_ATTEMPT_DEADLINE (s)")
    parser.add_argument("--case", choices=CASES, help=argparse.SUPPRESS)  # the child's
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case, args.mib, args.deadline)))
        return
    print(f"huge body {args.mib} MiB, deadline {args.deadline} s, "
          f"cap {os.environ.get('ALERTS_RESPONSE_MAX_BYTES', 1048576)} bytes")
    for case in CASES:
        child = subprocess.run(
            [sys.executable, __file__, "--case", case, "--mib", str(args.mib),
             "--deadline", str(args.deadline)],
            capture_output=True, text=True, cwd=ROOT, check=True,
        )
        row = json.loads(child.stdout.strip().splitlines()[-1])
        print(f"{row['case']:<14} {row['seconds']:>6} s  peak RSS +{row['rss_growth_mib']:>6} MiB"
              f"  server sent {row['server_sent_mib']:>7} MiB  error: {row['error']}")


if __name__ == "__main__":
    main()
