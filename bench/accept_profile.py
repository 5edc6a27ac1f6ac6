"""Where an accepted event's CPU goes: gzipped envelopes (bench/ingest.py's events) through the
web server's WSGI application in process, one thread, under cProfile with a CPU clock.

Prints the CPU per request and the inclusive share of the steps of the accept path. The HTTP
server (granian, gunicorn) is outside this harness: compare its share with bench/accept.py's
web CPU per event.

    .venv/bin/python bench/accept_profile.py --events 2000
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
import uuid

from common import bench_ingest as common_bench_ingest
from common import services

# (label, file path suffix, function name): inclusive CPU of each, as a share of the request.
STEPS = [
    ("whole request (WSGI application)", "faultline/wsgi.py", "application"),
    ("  Django's handler (old path)", "django/core/handlers/wsgi.py", "__call__"),
    ("  the endpoint (parse, authenticate, accept)", "ingest/views.py", "envelope_endpoint"),
    ("  the endpoint (old path)", "ingest/views.py", "envelope"),
    ("    read the body", "ingest/views.py", "_raw_body"),
    ("    gunzip", "ingest/body.py", "decode_content"),
    ("    split the envelope (header JSON)", "ingest/payload.py", "parse_envelope"),
    ("    all JSON parsing", "ingest/payload.py", "parse_json_object"),
    ("    authenticate (cached key)", "ingest/auth.py", "authenticate"),
    ("    accept: group commit submit", "ingest/groupcommit.py", "submit"),
    ("      INSERT and commit (psycopg)", "ingest/accept.py", "store_raw_events"),
    ("      wake-up (Redis SET NX)", "ingest/accept.py", "wake"),
    ("    item counters (Redis)", "ingest/stats.py", "count_items"),
    ("  reply (JSON, CORS headers)", "ingest/views.py", "_cors"),
    ("  connection upkeep (request end)", "django/db/__init__.py", "close_old_connections"),
]




def environ(raw: bytes) -> dict:
    """The WSGI environ of a raw HTTP/1.1 request (as the server would build it)."""
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ")
    path, _, query = target.partition("?")
    env = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query,
           "SERVER_NAME": "bench", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
           "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr,
           "wsgi.version": (1, 0), "wsgi.multithread": True, "wsgi.multiprocess": True,
           "wsgi.run_once": False, "REMOTE_ADDR": "127.0.0.1"}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().upper().replace("-", "_")
        if name in ("CONTENT_LENGTH", "CONTENT_TYPE"):
            env[name] = value.strip()
        else:
            env["HTTP_" + name] = value.strip()
    return env


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    args = parser.parse_args()
    bench_ingest = common_bench_ingest()
    with services("faultline_accept_profile"):
        from faultline.wsgi import application
        from monitor.models import Organization, Project, ProjectKey

        org = Organization.objects.create(name="Bench", slug=f"bench-{uuid.uuid4().hex[:6]}")
        project = Project.objects.create(organization=org, name="Shop", slug="shop")
        key = ProjectKey.objects.create(project=project).public_key
        requests = [environ(bench_ingest.request_bytes("envelope", project.id, key,
                                                       bench_ingest.realistic_event(i)))
                    for i in range(args.events + 50)]
        statuses = []

        def start_response(status, headers):
            statuses.append(status)

        for env in requests[:50]:  # warm-up: connections, caches
            b"".join(application(env, start_response))
        profiler = cProfile.Profile(time.process_time)
        wall = time.perf_counter()
        cpu = time.process_time()
        profiler.enable()
        for env in requests[50:]:
            b"".join(application(env, start_response))
        profiler.disable()
        cpu = time.process_time() - cpu
        wall = time.perf_counter() - wall
    ok = sum(status.startswith("200") for status in statuses[50:])
    stats = pstats.Stats(profiler)
    print(f"{ok}/{args.events} accepted; per request: CPU {cpu * 1000 / args.events:.2f} ms "
          f"(profiled), wall {wall * 1000 / args.events:.2f} ms (one thread, no group commit)")
    total = max((v[3] for k, v in stats.stats.items()
                 if k[0].endswith(STEPS[0][1]) and k[2] == STEPS[0][2]), default=0)
    for label, suffix, function in STEPS:
        inclusive = sum(v[3] for k, v in stats.stats.items()
                        if k[0].endswith(suffix) and k[2] == function)
        if inclusive:
            print(f"{label:48} {inclusive * 1000 / args.events:6.3f} ms  "
                  f"{100 * inclusive / total:5.1f}%")
    print("\nTop 25 functions by own CPU:")
    stats.sort_stats("tottime").print_stats(25)
    return 0


if __name__ == "__main__":
    sys.exit(main())
