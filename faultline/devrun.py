"""`make run`: start the embedded services, migrate, prepare the embedding model (its ONNX
export, so the embeddings worker serves without importing PyTorch), create demo data, then run
the web server (granian, faultline.serve), the Celery workers (ingest, embeddings, training,
alerts, assist) and Celery beat until Ctrl-C, which stops everything. DATABASE_URL / REDIS_URL,
when set, replace the embedded PostgreSQL / Valkey."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from faultline.localservices import VAR_DIR, EmbeddedPostgres, EmbeddedValkey

BIN = os.path.dirname(sys.executable)


def process_commands(concurrency: str, beat_schedule: Path) -> list[list[str]]:
    """The web server, a worker for every routed queue, and beat."""
    celery = [f"{BIN}/celery", "-A", "faultline"]
    return [
        [sys.executable, "-m", "faultline.serve"],
        [*celery, "worker", "-Q", "ingest,default", "-c", concurrency, "--loglevel", "WARNING"],
        [*celery, "worker", "-Q", "embeddings", "-c", "1", "-n", "embeddings@%h",
         "--loglevel", "WARNING"],
        [*celery, "worker", "-Q", "training", "-c", "1", "--max-tasks-per-child", "1",
         "-n", "training@%h", "--loglevel", "WARNING"],
        [*celery, "worker", "-Q", "alerts", "-c", "2", "-n", "alerts@%h", "--loglevel", "WARNING"],
        [*celery, "worker", "-Q", "assist", "-c", "1", "-n", "assist@%h", "--loglevel", "WARNING"],
        [*celery, "beat", "--loglevel", "WARNING", "-s", str(beat_schedule)],
    ]


def _start_services(env: dict) -> list:
    services: list = []
    if not env.get("DATABASE_URL"):
        postgres = EmbeddedPostgres(VAR_DIR / "dev" / "postgres")
        print(f"Starting embedded PostgreSQL in {postgres.data_dir} …", flush=True)
        postgres.start()
        postgres.ensure_database("faultline")
        env["DATABASE_URL"] = postgres.url("faultline")
        services.append(postgres)
    if not env.get("REDIS_URL"):
        valkey = EmbeddedValkey(
            VAR_DIR / "dev" / "valkey", int(env.get("FAULTLINE_REDIS_PORT", "6390"))
        )
        print(f"Starting embedded Valkey on port {valkey.port} …", flush=True)
        valkey.start()
        env["REDIS_URL"] = valkey.url
        services.append(valkey)
    return services


def main() -> int:
    env = dict(os.environ)
    env.setdefault("FAULTLINE_BIND", "127.0.0.1:8000")
    env.setdefault("FAULTLINE_URL", f"http://{env['FAULTLINE_BIND']}")
    services = _start_services(env)
    processes: list[subprocess.Popen] = []
    stopping = False

    def stop(signum=None, frame=None):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "--noinput"], env=env, check=True)
        # the embedding model's ONNX export, so the embeddings worker never imports PyTorch
        subprocess.run([*manage, "prepare_embeddings"], env=env, check=True)
        beat_schedule = VAR_DIR / "dev" / "celerybeat-schedule"
        concurrency = env.get("CELERY_CONCURRENCY", "2")
        commands = process_commands(concurrency, beat_schedule)
        for command in commands:
            processes.append(subprocess.Popen(command, env=env, start_new_session=True))
        subprocess.run([*manage, "faultline_demo"], env=env, check=True)
        print(
            "Web, workers and beat are running; Ctrl-C stops everything.",
            flush=True,
        )
        while not stopping:
            if any(p.poll() is not None for p in processes):
                print("A process exited; stopping everything.", flush=True)
                break
            time.sleep(0.5)
        return 0
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
        for service in reversed(services):
            service.stop()
        print("Stopped.", flush=True)


if __name__ == "__main__":
    sys.exit(main())
