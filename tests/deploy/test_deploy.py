"""The deployment files (docs/deploy.md): docker-compose.yml and the Helm chart. Both are checked
for what the multi-node design needs: every routed Celery queue has a worker, exactly one beat,
web nodes keep nothing but their spool, the ML workers (session advisory locks) reach PostgreSQL
past the transaction pooler, everyone else goes through it with server-side cursors off. The
compose file is validated by docker compose when it is installed; the chart is linted and
rendered by Helm's own Go SDK (helm-python-sdk)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
import yaml
from django.conf import settings

from tests.conftest import ROOT

COMPOSE = ROOT / "docker-compose.yml"
CHART = ROOT / "deploy" / "helm" / "faultline"
SPOOL_DIR = "/var/lib/faultline/spool"
BASE = {"secretKey": "x", "postgresql": {"password": "y"}, "valkey": {"password": "z"}}


def routed_queues() -> set[str]:
    return {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()} | {
        settings.CELERY_TASK_DEFAULT_QUEUE}


def worker_queues(command: list[str]) -> set[str]:
    """The queues of a `celery ... worker -Q a,b` command; empty for anything else."""
    if "worker" not in command or "-Q" not in command:
        return set()
    return set(command[command.index("-Q") + 1].split(","))


def host_of(url: str) -> str:
    return re.match(r"postgresql://[^@]*@([^:/]+)", url).group(1)


# --- docker-compose.yml


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())["services"]


def app_services(compose: dict) -> dict[str, dict]:
    return {name: s for name, s in compose.items() if s.get("image", "").startswith("faultline")}


def test_compose_runs_every_routed_queue_one_beat_and_scalable_nodes(compose):
    consumed = set().union(*(worker_queues(s.get("command", [])) for s in compose.values()))
    assert routed_queues() <= consumed, routed_queues() - consumed
    beats = [name for name, s in compose.items() if "beat" in s.get("command", [])]
    assert beats == ["beat"] and compose["beat"]["deploy"]["replicas"] == 1
    for role in ["web", "worker", "embeddings"]:  # scaled by replicas (or --scale)
        assert re.fullmatch(r"\$\{\w+:-\d+\}", str(compose[role]["deploy"]["replicas"])), role
    # Replicas share no published port: the proxy is the only way in, and it finds every replica.
    assert "ports" not in compose["web"] and compose["proxy"]["ports"]
    mount = next(v for v in compose["proxy"]["volumes"] if v.endswith(":/etc/nginx/faultline:ro"))
    config = (ROOT / mount.split(":")[0] / "nginx.conf").read_text()
    assert re.search(r"resolver 127\.0\.0\.11[ ;]", config)  # Docker's DNS: every replica
    assert re.search(r"server web:8000 resolve max_fails=\d+ fail_timeout=\d+s;", config)


def test_compose_web_nodes_keep_only_the_spool_on_one_shared_volume(compose):
    web = compose["web"]
    assert web["environment"]["SPOOL_DIR"] == SPOOL_DIR
    assert web["environment"]["SPOOL_HOST"] == "web"  # not the container id: a replacement
    assert web["volumes"] == [f"spool:{SPOOL_DIR}"]  # replica must find the same directory
    # The beat's replay task runs on an ingest worker: it sees the same spool.
    assert compose["worker"]["environment"]["SPOOL_HOST"] == "web"
    assert f"spool:{SPOOL_DIR}" in compose["worker"]["volumes"]


def test_compose_database_paths(compose):
    """Session state (advisory locks, migrations) straight to PostgreSQL; the rest pooled."""
    assert compose["pgbouncer"]["environment"]["POOL_MODE"] == "transaction"
    assert compose["db"]["image"].startswith("pgvector/")
    for name, service in app_services(compose).items():
        env = service["environment"]
        direct = name == "migrate" or "embeddings" in worker_queues(service.get("command", []))
        assert host_of(env["DATABASE_URL"]) == ("db" if direct else "pgbouncer"), name
        assert env["DB_TRANSACTION_POOLING"] == ("false" if direct else "true"), name
        assert host_of(env["DATABASE_URL"]) in compose  # a service of this file
        assert env["REDIS_URL"] == "redis://:${REDIS_PASSWORD:?set REDIS_PASSWORD}@valkey:6379/0"
    assert "valkey" in compose["valkey"]["image"]


def compose_command() -> list[str] | None:
    if shutil.which("docker") and subprocess.run(
        ["docker", "compose", "version"], capture_output=True
    ).returncode == 0:
        return ["docker", "compose"]
    return ["docker-compose"] if shutil.which("docker-compose") else None


def test_compose_file_is_valid_for_docker_compose(tmp_path):
    command = compose_command()
    if command is None:
        pytest.skip("neither `docker compose` nor docker-compose is installed")
    env = dict(os.environ, SECRET_KEY="x", POSTGRES_PASSWORD="y", REDIS_PASSWORD="z",
               WEB_NODES="3")
    path = COMPOSE
    if command == ["docker-compose"]:  # 1.x: secrets come from files only (no `environment`)
        document = yaml.safe_load(COMPOSE.read_text())
        for secret in document["secrets"].values():
            assert set(secret) == {"environment"}
            secret.clear()
            secret["file"] = "/dev/null"
        path = tmp_path / "docker-compose.yml"
        path.write_text(COMPOSE.read_text().split("\nservices:")[0] + "\n" + yaml.safe_dump(
            {"services": document["services"], "secrets": document["secrets"],
             "volumes": document["volumes"]}))
        shutil.copytree(ROOT / "deploy", tmp_path / "deploy")
    result = subprocess.run([*command, "-f", str(path), "--profile", "gpu", "config"],
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    resolved = yaml.safe_load(result.stdout)["services"]
    assert int(resolved["web"]["deploy"]["replicas"]) == 3
    assert "embeddings-gpu" in resolved


def nginx_directives(text: str) -> dict[str, list[str]]:
    """Each directive's values, in order, comments left out (blocks are not told apart)."""
    found: dict[str, list[str]] = {}
    for statement in re.split(r"[;{}]", re.sub(r"#[^\n]*", "", text)):
        words = statement.split(None, 1)
        if words:
            found.setdefault(words[0], []).append(words[1].strip() if len(words) > 1 else "")
    return found


def nginx_bytes(size: str) -> int:
    return int(size[:-1]) * {"k": 1024, "m": 1024**2}[size[-1].lower()] if size[-1].isalpha() \
        else int(size)


def test_compose_proxy_reads_whole_bodies_within_the_apps_limits(compose):
    """A web node sees complete requests only (slow senders hold nginx's connections, never a
    WSGI thread: tests/slow/test_proxy_slow_bodies.py), no larger than the app accepts, with
    the client's address as nginx saw it and no client-written scheme."""
    proxy = compose["proxy"]
    assert proxy["image"].startswith("nginx:")
    major, minor, patch = map(int, re.match(r"nginx:(\d+)\.(\d+)\.(\d+)", proxy["image"]).groups())
    assert (major, minor, patch) >= (1, 27, 3)  # upstream servers' `resolve`
    assert proxy["read_only"] is True and proxy["cap_drop"] == ["ALL"]
    assert not str(proxy["user"]).startswith("0")
    assert "no-new-privileges:true" in proxy["security_opt"]
    conf = nginx_directives((ROOT / "deploy/compose/nginx/faultline.conf").read_text())
    main = nginx_directives((ROOT / "deploy/compose/nginx/nginx.conf").read_text())
    assert main["include"] == ["/etc/nginx/faultline/faultline.conf"]
    assert all(path.startswith("/tmp/") for name, paths in main.items()
               if name.endswith("_temp_path") or name == "pid" for path in paths)
    assert conf["proxy_request_buffering"] == ["on"]
    for timeout in ["client_header_timeout", "client_body_timeout", "send_timeout",
                    "keepalive_timeout"]:
        assert re.fullmatch(r"\d+s", conf[timeout][0]), timeout
    largest = max(settings.SOURCEMAPS_MAX_REQUEST_SIZE, settings.INGEST_MAX_ENVELOPE_COMPRESSED,
                  settings.INGEST_MAX_EVENT_SIZE)
    assert nginx_bytes(conf["client_max_body_size"][0]) == largest
    assert nginx_bytes(conf["client_body_buffer_size"][0]) >= settings.INGEST_MAX_EVENT_SIZE
    headers = dict(value.split(None, 1) for value in conf["proxy_set_header"])
    assert headers["X-Forwarded-For"] == "$remote_addr"  # never the client's own header
    assert headers["X-Forwarded-Proto"] == '""'  # dropped
    assert headers["Host"] == "$http_host"
    assert conf["proxy_pass"] == ["http://web"]


# --- the Helm chart


@pytest.fixture(scope="module")
def helm():
    return pytest.importorskip("helm_python", reason="helm-python-sdk (Helm's Go SDK) missing")


def render(helm, values: dict) -> list[dict]:
    chart = helm.Chart.load(str(CHART))
    try:
        manifests = chart.render(values, name="fl", namespace="errors")
    finally:
        chart.close()
    return [doc for text in manifests.values() for doc in yaml.safe_load_all(text) if doc]


def containers(doc: dict) -> list[dict]:
    spec = doc["spec"]["template"]["spec"]
    return spec.get("initContainers", []) + spec["containers"]


def env_of(container: dict) -> dict[str, dict]:
    return {e["name"]: e for e in container["env"]}


def test_chart_lints_clean(helm):
    report = helm.lint(str(CHART), BASE, strict=True)
    problems = [m for m in report["messages"] if m["severity"] >= 2]  # warnings and errors
    assert report["errors"] == [] and problems == [], report


def test_chart_renders_the_multi_node_topology(helm):
    values = BASE | {"web": {"replicas": 3},
              "workers": {"ingest": {"replicas": 3, "concurrency": 4},
                          "embeddingsGpu": {"replicas": 1}}}
    docs = render(helm, values)
    by_kind_name = {(d["kind"], d["metadata"]["name"]): d for d in docs}

    web = by_kind_name[("StatefulSet", "fl-faultline-web")]
    assert web["spec"]["replicas"] == 3
    assert [c["metadata"]["name"] for c in web["spec"]["volumeClaimTemplates"]] == ["spool"]
    assert web["spec"]["persistentVolumeClaimRetentionPolicy"]["whenScaled"] == "Retain"
    (container,) = web["spec"]["template"]["spec"]["containers"]
    env = env_of(container)
    assert env["SPOOL_DIR"]["value"] == SPOOL_DIR
    assert env["SPOOL_HOST"]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name"
    assert {"name": "spool", "mountPath": SPOOL_DIR} in container["volumeMounts"]
    scratch = {v["name"] for v in web["spec"]["template"]["spec"]["volumes"] if "emptyDir" in v}
    assert {m["name"] for m in container["volumeMounts"]} - {"spool"} <= scratch  # kept nowhere

    beat = by_kind_name[("Deployment", "fl-faultline-beat")]
    assert beat["spec"]["replicas"] == 1 and beat["spec"]["strategy"]["type"] == "Recreate"

    workloads = [d for d in docs if d["kind"] in {"Deployment", "StatefulSet", "Job"}]
    consumed = set()
    for doc in workloads:
        for c in containers(doc):
            queues = worker_queues(c.get("command", []))
            consumed |= queues
            if "env" not in c or "DATABASE_URL" not in env_of(c):
                continue  # PostgreSQL, PgBouncer, Valkey themselves
            env = env_of(c)
            direct = "embeddings" in queues or doc["kind"] == "Job" or (
                "embeddings" in doc["metadata"]["name"])
            host = host_of(env["DATABASE_URL"]["value"])
            assert host == ("fl-faultline-postgresql" if direct else "fl-faultline-pgbouncer"), (
                doc["metadata"]["name"], c["name"])
            assert env["DB_TRANSACTION_POOLING"]["value"] == ("false" if direct else "true")
            assert env["INGEST_DRAIN_SLOTS"]["value"] == "12"  # 3 ingest workers × 4
    assert routed_queues() <= consumed, routed_queues() - consumed

    gpu = by_kind_name[("Deployment", "fl-faultline-embeddings-gpu")]
    (container,) = gpu["spec"]["template"]["spec"]["containers"]
    assert container["resources"]["limits"]["nvidia.com/gpu"] == 1
    assert container["image"].endswith("-gpu")
    pgbouncer = by_kind_name[("Deployment", "fl-faultline-pgbouncer")]
    assert env_of(containers(pgbouncer)[0])["POOL_MODE"]["value"] == "transaction"


def test_chart_uses_an_external_postgresql_and_valkey_when_told(helm):
    docs = render(helm, {"secretKey": "x",
                         "postgresql": {"deploy": False, "host": "pg.internal", "password": "y"},
                         "valkey": {"deploy": False, "url": "redis://cache:6379/0"}})
    kinds = {(d["kind"], d["metadata"]["name"]) for d in docs}
    assert ("StatefulSet", "fl-faultline-postgresql") not in kinds
    assert ("StatefulSet", "fl-faultline-valkey") not in kinds
    migrate = next(d for d in docs if d["kind"] == "Job")
    env = env_of(containers(migrate)[0])
    assert host_of(env["DATABASE_URL"]["value"]) == "pg.internal"
    assert env["REDIS_URL"]["value"] == "redis://cache:6379/0"


# --- hardening: Valkey's password, pinned images, unprivileged pods, network policies

PINNED = re.compile(r"[^\s:@]+(@sha256:[0-9a-f]{64}|:[\w.-]*\d[\w.-]*)")  # a digest or a version


def pinned(image: str) -> bool:
    return bool(PINNED.fullmatch(image)) and "latest" not in image


def workloads(docs: list[dict]) -> list[dict]:
    return [d for d in docs if d["kind"] in {"Deployment", "StatefulSet", "Job"}]


def test_compose_valkey_requires_the_password_every_client_carries(compose):
    """From a secret's file through a config file: never on a command line or in the
    environment (`docker inspect` shows both). tests/deploy/test_valkey_password_file.py runs
    the start script."""
    valkey = compose["valkey"]
    assert "REDIS_PASSWORD" not in str(valkey["command"]) + str(valkey.get("environment"))
    assert "requirepass" not in str(valkey["command"]).replace("'requirepass %s", "")
    assert "/run/secrets/redis_password" in valkey["command"][-1]
    assert "/run/secrets/redis_password" in valkey["healthcheck"]["test"][-1]
    assert valkey["secrets"] == ["redis_password"]
    with open(COMPOSE) as f:
        assert yaml.safe_load(f)["secrets"]["redis_password"] == {"environment": "REDIS_PASSWORD"}
    for name, service in app_services(compose).items():
        assert service["environment"]["REDIS_URL"].startswith(
            "redis://:${REDIS_PASSWORD:?set REDIS_PASSWORD}@valkey:"), name


def test_compose_images_are_pinned_and_app_containers_unprivileged(compose):
    for name, service in compose.items():
        image = re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", service["image"])  # the default
        assert pinned(image), (name, service["image"])
    for name, service in app_services(compose).items():
        assert service["read_only"] is True and "/tmp" in service["tmpfs"], name
        assert service["cap_drop"] == ["ALL"], name
        assert "no-new-privileges:true" in service["security_opt"], name


def test_chart_valkey_requires_the_password_every_client_carries(helm):
    with pytest.raises(Exception, match="valkey.password is required"):
        render(helm, {"secretKey": "x", "postgresql": {"password": "y"}})
    with pytest.raises(Exception, match="letters, digits"):
        render(helm, BASE | {"valkey": {"password": "p@ss/word"}})
    docs = render(helm, BASE)
    (secret,) = [d for d in docs if d["kind"] == "Secret"]
    assert secret["stringData"]["REDIS_PASSWORD"] == "z"
    valkey = next(d for d in docs if d["metadata"]["name"] == "fl-faultline-valkey"
                  and d["kind"] == "StatefulSet")
    (server,) = containers(valkey)
    # From the Secret's file through a config file: never in the pod's args or environment.
    assert "env" not in server and "REDIS_PASSWORD" not in str(server["args"])
    assert "/run/secrets/valkey/password" in server["args"][-1]
    (mount,) = [m for m in server["volumeMounts"] if m["mountPath"] == "/run/secrets/valkey"]
    volumes = {v["name"]: v for v in valkey["spec"]["template"]["spec"]["volumes"]}
    assert volumes[mount["name"]]["secret"] == {
        "secretName": "fl-faultline-secret", "defaultMode": 0o440,
        "items": [{"key": "REDIS_PASSWORD", "path": "password"}]}
    (auth,) = [m for m in server["volumeMounts"] if m["mountPath"] == "/run/valkey"]
    assert volumes[auth["name"]]["emptyDir"]["medium"] == "Memory"  # the written config
    clients = 0
    for doc in workloads(docs):
        for c in containers(doc):
            names = [e["name"] for e in c.get("env", [])]
            if "REDIS_URL" not in names:
                assert "DATABASE_URL" not in names, c["name"]  # every Faultline container
                continue
            clients += 1
            env = env_of(c)
            # Kubernetes expands $(REDIS_PASSWORD) only from a variable defined before it.
            assert names.index("REDIS_PASSWORD") < names.index("REDIS_URL"), c["name"]
            assert env["REDIS_PASSWORD"]["valueFrom"]["secretKeyRef"] == {
                "name": "fl-faultline-secret", "key": "REDIS_PASSWORD"}
            assert env["REDIS_URL"]["value"] == (
                "redis://:$(REDIS_PASSWORD)@fl-faultline-valkey:6379/0")
    assert clients >= 6  # web and its init, workers and theirs, beat, migrate


def test_chart_images_are_pinned(helm):
    chart_version = yaml.safe_load((CHART / "Chart.yaml").read_text())["appVersion"]
    docs = render(helm, BASE | {"workers": {"embeddingsGpu": {"replicas": 1}}})
    images = {c["image"] for d in workloads(docs) for c in containers(d)}
    assert f"faultline:{chart_version}" in images and f"faultline:{chart_version}-gpu" in images
    assert all(pinned(image) for image in images), images
    digest = "sha256:" + "ab" * 32
    docs = render(helm, BASE | {"image": {"digest": digest}})
    web = next(d for d in docs if d["metadata"]["name"] == "fl-faultline-web"
               and d["kind"] == "StatefulSet")
    assert {c["image"] for c in containers(web)} == {f"faultline@{digest}"}


def test_chart_pods_run_unprivileged_with_read_only_roots(helm):
    docs = render(helm, BASE | {"workers": {"embeddingsGpu": {"replicas": 1}}})
    components = set()
    for doc in workloads(docs):
        spec = doc["spec"]["template"]["spec"]
        components.add(doc["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/component"])
        pod = spec["securityContext"]
        assert pod["runAsNonRoot"] is True and pod["runAsUser"] > 0, doc["metadata"]["name"]
        empty_dirs = {v["name"] for v in spec.get("volumes", []) if "emptyDir" in v}
        for c in containers(doc):
            where = (doc["metadata"]["name"], c["name"])
            security = c["securityContext"]
            assert security["allowPrivilegeEscalation"] is False, where
            assert security["capabilities"] == {"drop": ["ALL"]}, where
            assert security["readOnlyRootFilesystem"] is True, where
            tmp = [m["name"] for m in c["volumeMounts"] if m["mountPath"] == "/tmp"]
            assert tmp and tmp[0] in empty_dirs, where
    assert {"web", "ingest", "beat", "migrate", "postgresql", "pgbouncer", "valkey",
            "embeddings-gpu"} <= components


def selects(selector: dict, labels: dict) -> bool:
    if any(labels.get(k) != v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for expression in selector.get("matchExpressions", []):
        inside = labels.get(expression["key"]) in expression["values"]
        if inside != (expression["operator"] == "In"):
            return False
    return True


def ingress_rules(policies: list[dict], labels: dict) -> list[dict] | None:
    """The ingress rules that apply to a pod; None when no policy isolates it (all allowed)."""
    chosen = [p for p in policies if selects(p["spec"]["podSelector"], labels)
              and "Ingress" in p["spec"]["policyTypes"]]
    return None if not chosen else [r for p in chosen for r in p["spec"].get("ingress", [])]


@pytest.mark.parametrize("web_from", [[], [{"namespaceSelector": {"matchLabels": {
    "kubernetes.io/metadata.name": "ingress-nginx"}}}]])
def test_chart_network_policies_let_only_web_pods_take_outside_traffic(helm, web_from):
    docs = render(helm, BASE | {"networkPolicy": {"webFrom": web_from}})
    policies = [d for d in docs if d["kind"] == "NetworkPolicy"]
    release = {"app.kubernetes.io/name": "faultline", "app.kubernetes.io/instance": "fl"}
    for doc in workloads(docs):
        labels = doc["spec"]["template"]["metadata"]["labels"]
        component = labels["app.kubernetes.io/component"]
        rules = ingress_rules(policies, labels)
        assert rules is not None, component  # every pod is isolated
        if component == "web":
            assert [r["ports"] for r in rules] == [[{"port": "http", "protocol": "TCP"}]]
            assert [r.get("from", []) for r in rules] == [web_from]
        elif component in {"postgresql", "pgbouncer", "valkey"}:
            assert rules, component
            for rule in rules:
                assert rule["from"] == [{"podSelector": {"matchLabels": release}}], component
        else:
            assert rules == [], component  # workers, beat, migrate: nothing comes in
    # A pod of another release is no Faultline pod of this one.
    stranger = {"app.kubernetes.io/name": "faultline", "app.kubernetes.io/instance": "other"}
    for rule in ingress_rules(policies, {**release, "app.kubernetes.io/component": "valkey"}):
        assert not any(selects(peer["podSelector"], stranger) for peer in rule["from"])
    disabled = render(helm, BASE | {"networkPolicy": {"enabled": False}})
    assert not [d for d in disabled if d["kind"] == "NetworkPolicy"]


def test_chart_ingress_has_nginx_buffer_whole_bodies_within_the_apps_limits(helm):
    """ingress-nginx buffers bodies by default; the chart says so anyway, and raises its 1m
    default body size to the largest request the app accepts."""
    docs = render(helm, BASE | {"ingress": {"enabled": True, "annotations": {
        "nginx.ingress.kubernetes.io/proxy-read-timeout": "120", "example.com/mine": "yes"}}})
    (ingress,) = [d for d in docs if d["kind"] == "Ingress"]
    annotations = ingress["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/proxy-request-buffering"] == "on"
    assert nginx_bytes(annotations["nginx.ingress.kubernetes.io/proxy-body-size"]) == max(
        settings.SOURCEMAPS_MAX_REQUEST_SIZE, settings.INGEST_MAX_ENVELOPE_COMPRESSED)
    assert nginx_bytes(annotations["nginx.ingress.kubernetes.io/client-body-buffer-size"]) >= (
        settings.INGEST_MAX_EVENT_SIZE)
    assert annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"] == "120"  # the user's
    assert annotations["example.com/mine"] == "yes"
    compose_conf = nginx_directives((ROOT / "deploy/compose/nginx/faultline.conf").read_text())
    assert annotations["nginx.ingress.kubernetes.io/proxy-body-size"] == (
        compose_conf["client_max_body_size"][0])


# --- the three ways Faultline starts: make run, compose, the chart


def training_workers(commands: list[list[str]]) -> list[list[str]]:
    return [c for c in commands if "training" in worker_queues(c)]


def check_retraining_apart(commands: list[list[str]]) -> None:
    """Retraining (PyTorch, minutes to hours) has its own worker, whose process exits after each
    retrain: never the embeddings worker, which stays lean and keeps deciding."""
    (training,) = training_workers(commands)
    assert worker_queues(training) == {"training"}
    assert training[training.index("--max-tasks-per-child") + 1] == "1"
    assert not any({"embeddings", "training"} <= worker_queues(c) for c in commands)


def test_make_run_starts_a_worker_for_every_routed_queue_and_one_beat(tmp_path):
    from faultline.devrun import process_commands

    commands = process_commands("2", tmp_path / "schedule")
    consumed = set().union(*(worker_queues(c) for c in commands))
    assert routed_queues() <= consumed, routed_queues() - consumed
    assert sum("beat" in c for c in commands) == 1
    check_retraining_apart(commands)


def test_every_deployment_retrains_apart_from_the_embeddings_worker(compose, helm):
    check_retraining_apart([s.get("command", []) for s in compose.values()])
    docs = render(helm, BASE)
    commands = [c.get("command", []) for d in docs if d["kind"] == "Deployment"
                for c in containers(d)]
    check_retraining_apart(commands)


def test_compose_model_workers_share_a_writable_models_volume(compose):
    """The root is read-only: the shipped model is written out, and retrained models written,
    under FAULTLINE_MODEL_DIR, which must be a volume; the training worker's models must be the
    ones the embeddings workers load, so it is one named volume."""
    env = compose["embeddings"]["environment"]
    model_dir = env["FAULTLINE_MODEL_DIR"]
    assert env["FAULTLINE_TRAINING_DIR"].startswith(model_dir + "/")
    loaders = [name for name, s in compose.items()
               if worker_queues(s.get("command", [])) & {"embeddings", "training"}]
    assert {"embeddings", "embeddings-gpu", "training"} <= set(loaders)
    for name in loaders:
        assert compose[name]["read_only"] is True
        mounts = [v.split(":") for v in compose[name].get("volumes", [])]
        assert [source for source, target, *_ in mounts if target == model_dir] == ["models"], name


def test_chart_workers_mount_the_models_volume_and_wait_for_their_start(helm):
    claim = {"models": {"existingClaim": "fl-models"}}
    for values, shared in ((BASE, False), (BASE | claim, True)):
        for doc in render(helm, values):
            if doc["kind"] != "Deployment":
                continue
            workers = [c for c in containers(doc) if worker_queues(c.get("command", []))]
            if not workers:
                continue
            (worker,) = workers
            model_dir = env_of(worker)["FAULTLINE_MODEL_DIR"]["value"]
            (mount,) = [m for m in worker["volumeMounts"] if m["mountPath"] == model_dir]
            (volume,) = [v for v in doc["spec"]["template"]["spec"]["volumes"]
                         if v["name"] == mount["name"]]
            if shared:
                assert volume["persistentVolumeClaim"]["claimName"] == "fl-models"
            else:
                assert "emptyDir" in volume
            probe = worker["startupProbe"]
            assert probe["periodSeconds"] * probe["failureThreshold"] >= 600  # readiness's bound
