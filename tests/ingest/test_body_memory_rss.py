"""A safety bound on a web process's memory under hostile bodies: sixteen threads each answer a
large gzipped envelope through the envelope endpoint (the lean entry's request and `respond`,
the real database and Redis) in a process of its own, whose peak RSS may grow past what it held
before the requests by the body budget (INGEST_BODY_MEMORY, here one maximal envelope) and a
fixed allowance for the threads, never by sixteen envelopes' worth. Large buffers are mmapped
(a fixed MALLOC_MMAP_THRESHOLD_), so freed ones leave the RSS and it follows what is live."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path

import pytest

from monitor import limits
from tests.helpers.ingest_http import envelope

pytestmark = pytest.mark.django_db(transaction=True)

MiB = 1024 * 1024
COMPRESSED = 4 * MiB
DECODED = 16 * MiB
THREADS = 16
BUDGET = COMPRESSED + (limits.CONTENT_CODINGS + 1) * DECODED  # settings' minimum for them
ROOT = Path(__file__).resolve().parents[2]

CHILD = """
import io, resource, sys, threading
import django
django.setup()
from django.db import connection
from ingest import lean, views

project_id, key, folder = int(sys.argv[1]), sys.argv[2], sys.argv[3]
bodies = [open(f"{folder}/{i}.gz", "rb").read() for i in range(int(sys.argv[4]))]
statuses = []

def post(body):
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": f"/api/{project_id}/envelope/",
               "QUERY_STRING": f"sentry_key={key}", "CONTENT_LENGTH": str(len(body)),
               "HTTP_CONTENT_ENCODING": "gzip", "wsgi.input": io.BytesIO(body),
               "SERVER_NAME": "localhost", "SERVER_PORT": "80"}
    try:
        reply = views.respond(views.ENDPOINTS["envelope"], lean.LeanRequest(environ), project_id)
        statuses.append(reply.status)
    finally:
        connection.close()

post(bodies[0])  # imports, connections and caches warm before the baseline
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
threads = [threading.Thread(target=post, args=(body,)) for body in bodies]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print("RSS", before * 1024, after * 1024, *statuses)
"""


def large_envelope(number: int) -> bytes:
    text = os.urandom(DECODED // 8).hex().encode()
    payload = text + bytes(DECODED - 4096 - len(text))
    return envelope({}, {"type": "event"}, {"message": f"large {number}"},
                    {"type": "profile", "length": len(payload)}, payload)


def test_sixteen_threads_of_large_envelopes_stay_within_the_body_budget(live_env, project_key,
                                                                        tmp_path):
    for i in range(THREADS):
        (tmp_path / f"{i}.gz").write_bytes(gzip.compress(large_envelope(i), 1))
    env = dict(live_env, INGEST_MAX_ENVELOPE_COMPRESSED=str(COMPRESSED),
               INGEST_MAX_ENVELOPE_SIZE=str(DECODED), INGEST_BODY_MEMORY=str(BUDGET),
               MALLOC_MMAP_THRESHOLD_=str(128 * 1024), MALLOC_ARENA_MAX="2",
               DJANGO_SETTINGS_MODULE="faultline.settings")
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(project_key.project_id), project_key.public_key,
         str(tmp_path), str(THREADS)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    line = next(line for line in result.stdout.splitlines() if line.startswith("RSS "))
    before, after, *statuses = (int(word) for word in line.split()[1:])
    assert set(statuses) <= {200, 503} and statuses.count(200) >= 2, statuses
    # Unbounded, each thread holds about three times its decoded 16 MiB at its peak (~800 MiB).
    allowance = THREADS * (limits.BODY_FREE_BYTES + MiB) + 48 * MiB  # stacks, JSON, the driver
    assert after - before <= BUDGET + allowance, ((after - before) / MiB, BUDGET / MiB)
