"""Mine one release of one codebase, in a process of its own: write the app, put the library's
site-packages first on the path, start the real frameworks and sentry-sdk (with the framework
integrations), then run every (call site, input class) through an entry point and keep what the
SDK sends.

``python -m lab.mine.python.mine CODEBASE RELEASE OUT.json``. Each trigger has a time bound: a
library that loops on an input is recorded as stuck, not waited for.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import signal
import sys
import uuid
from pathlib import Path

from lab.mine.python import render
from lab.mine.python.codebases import BY_NAME, Codebase, Site
from lab.mine.python.install import ROOT, fastapi_site, site_of

EVENTS_PER_PAIR = 3
TRIGGER_SECONDS = 4
ADDRESS = re.compile(r" at 0x[0-9a-f]+>")
HARNESS = str(Path(__file__).resolve().parents[2])  # lab/: the miner's own frames
BUILD = ROOT / "var" / "mine" / "build"
DEPLOYED_SITE = "/usr/local/lib/python3.11/site-packages"
DEPLOYED_STDLIB = "/usr/local/lib/python3.11"


class Stuck(BaseException):
    """A trigger ran past its bound (a BaseException so no framework handler swallows it)."""


def deploy_path(codebase: Codebase, release: int) -> str:
    if render._draw(codebase.name, "path") % 2:
        return f"/srv/{codebase.name}/releases/{release + 1}"
    return "/app"


def draw_n(codebase: Codebase, release: int, site: Site, name: str, j: int) -> int:
    return 1 + render._draw(codebase.name, release, site.name, name, j) % 9999


def tidy(event: dict, replacements: list[tuple[str, str]]) -> dict:
    """Drop the miner's own frames and what differs run to run (ids, times, trace ids, the
    process's module list); put the paths where a deployment has them."""
    for exc in (event.get("exception") or {}).get("values", []):
        stack = exc.get("stacktrace") or {}
        stack["frames"] = [f for f in stack.get("frames") or []
                           if not str(f.get("abs_path", "")).startswith(HARNESS)]
    for key in ("contexts", "breadcrumbs", "extra", "modules", "timestamp", "event_id",
                "start_timestamp"):
        event.pop(key, None)
    text = json.dumps(event)
    for old, new in replacements:
        text = text.replace(old, new)
    return json.loads(ADDRESS.sub(" at 0x7f0000000000>", text))


def _collector():
    import sentry_sdk.transport

    events: list[dict] = []

    class Transport(sentry_sdk.transport.Transport):
        def capture_envelope(self, envelope):
            event = envelope.get_event()
            if event is not None:
                events.append(event)

        def flush(self, timeout, callback=None):
            return None

    return events, Transport


def _on_alarm(signum, frame):
    raise Stuck()


class Entries:
    """Start each framework the codebase uses and trigger a call site through it."""

    def __init__(self, codebase: Codebase, root: Path):
        self.codebase = codebase
        package = codebase.package
        self.modules = {}
        for entry in codebase.entries:
            if entry == "django":
                import django
                from django.conf import settings

                settings.configure(
                    DEBUG=False, SECRET_KEY="mined", ROOT_URLCONF=f"{package}.django_entry",
                    ALLOWED_HOSTS=["testserver"], MIDDLEWARE=[], INSTALLED_APPS=[],
                    LOGGING_CONFIG=None, USE_TZ=True)
                django.setup()
            module = __import__(f"{package}.{entry}_entry", fromlist=["_"])
            self.modules[entry] = module
            if entry == "flask":
                self.flask = module.app.test_client()
            elif entry == "fastapi":
                from fastapi.testclient import TestClient

                self.fastapi = TestClient(module.app, raise_server_exceptions=False)
            elif entry == "django":
                from django.test import Client

                self.django = Client(raise_request_exception=False)

    def trigger(self, entry: str, site: Site, record_id: int) -> None:
        url = f"{render._url(site)}/{record_id}"
        if entry == "flask":
            self.flask.get(url)
        elif entry == "fastapi":
            self.fastapi.get(url)
        elif entry == "django":
            self.django.get(url)
        elif entry == "celery":  # a task id drawn like the rest, so a rerun sends the same
            task_id = uuid.UUID(int=render._draw(self.codebase.name, site.name, record_id)
                                << 96 | record_id)
            getattr(self.modules["celery"], f"{site.name}_task").apply_async(
                (record_id,), task_id=str(task_id))
        elif entry == "click":
            self.modules["click"].main([site.name.replace("_", "-"), str(record_id)])
        else:
            asyncio.run(self.modules["asyncio"].consume([(site.name, record_id)]))


def integrations(codebase: Codebase) -> list:
    out = []
    for entry in codebase.entries:
        if entry == "flask":
            from sentry_sdk.integrations.flask import FlaskIntegration
            out.append(FlaskIntegration())
        elif entry == "django":
            from sentry_sdk.integrations.django import DjangoIntegration
            out.append(DjangoIntegration())
        elif entry == "fastapi":
            from sentry_sdk.integrations.fastapi import FastApiIntegration
            from sentry_sdk.integrations.starlette import StarletteIntegration
            out += [StarletteIntegration(), FastApiIntegration()]
        elif entry == "celery":
            from sentry_sdk.integrations.celery import CeleryIntegration
            out.append(CeleryIntegration())
    return out


def _prepare(codebase: Codebase, release: int) -> tuple[Path, Path]:
    root = render.write_release(codebase, release, BUILD / codebase.name / f"r{release + 1}")
    site = site_of(codebase, release)
    paths = [str(root), str(site)]
    if "fastapi" in codebase.entries:
        paths.append(str(fastapi_site()))
    sys.path[:0] = paths
    logging.disable(logging.CRITICAL)
    signal.signal(signal.SIGALRM, _on_alarm)
    return root, site


def _bounded(call, *args):
    signal.setitimer(signal.ITIMER_REAL, TRIGGER_SECONDS)
    try:
        return call(*args)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def signature_of_event(event: dict) -> list[list[str]]:
    sig = []
    for value in event["exception"]["values"]:
        frames = (value.get("stacktrace") or {}).get("frames") or [{}]
        sig.append([value.get("type") or "", frames[-1].get("module") or "",
                    frames[-1].get("function") or ""])
    return sig


def probe(codebase: Codebase, release: int) -> list[dict]:
    """Call every site with every input class directly (no framework, nothing sent): what
    raises, and where, as the SDK reads the exception."""
    root, site = _prepare(codebase, release)
    from sentry_sdk.utils import event_from_exception

    repository = __import__(f"{codebase.package}.repository", fromlist=["_"])
    modules = {}
    for s in codebase.sites:
        module = render.module_name(codebase, s.module, release)
        modules[s.module] = __import__(f"{codebase.package}.{module}", fromlist=["_"])
    records = []
    for site_ in codebase.sites:
        function = getattr(modules[site_.module], site_.name)
        for name, make in sorted(codebase.inputs.items()):
            n = draw_n(codebase, release, site_, name, 0)
            repository.STORE.clear()
            repository.STORE[n] = {site_.field: make(n)}
            record = {"site": f"{site_.module}.{site_.name}", "input": name}
            try:
                _bounded(function, n)
                record["outcome"] = "ok"
            except Stuck:
                record["outcome"] = "stuck"
            except Exception as exc:  # noqa: BLE001 - every failure is data here
                # the SDK's own reading of the exception: its chain, its exception groups,
                # the frames it hides
                values = event_from_exception(exc)[0]["exception"]["values"]
                frames = (values[0].get("stacktrace") or {}).get("frames") or [{}]
                path = frames[-1].get("abs_path") or ""
                record["outcome"] = "raised"
                record["signature"] = signature_of_event({"exception": {"values": values}})
                record["crash"] = ("app" if path.startswith(str(root)) else
                                   "library" if path.startswith(str(site)) else "other")
            records.append(record)
    return records


def capture(codebase: Codebase, release: int, plan: list[dict]) -> list[dict]:
    """Run the planned events through their entry points under the real SDK."""
    root, site = _prepare(codebase, release)
    import sentry_sdk

    events, transport = _collector()
    sentry_sdk.init(
        dsn="http://public@localhost/1", transport=transport,
        release=codebase.release(release), server_name=f"{codebase.name}-host",
        default_integrations=False, auto_enabling_integrations=False,
        integrations=integrations(codebase), project_root=str(root),
        include_local_variables=False,
    )
    entries = Entries(codebase, root)
    repository = __import__(f"{codebase.package}.repository", fromlist=["_"])
    venv_site = next(p for p in sys.path if p.endswith("site-packages") and ".venv" in p)
    stdlib = str(Path(logging.__file__).resolve().parents[1])
    replacements = [(str(root), deploy_path(codebase, release)), (str(site), DEPLOYED_SITE),
                    (str(fastapi_site()), DEPLOYED_SITE), (venv_site, DEPLOYED_SITE),
                    (stdlib, DEPLOYED_STDLIB)]
    sites = {f"{s.module}.{s.name}": s for s in codebase.sites}
    out = []
    for item in plan:
        site_ = sites[item["site"]]
        repository.STORE.clear()
        repository.STORE[item["n"]] = {site_.field: codebase.inputs[item["input"]](item["n"])}
        before = len(events)
        try:
            _bounded(entries.trigger, item["entry"], site_, item["n"])
        except Stuck:
            out.append({**item, "event": None})
            continue
        got = events[before:]
        out.append({**item, "captures": len(got),
                    "event": tidy(got[-1], replacements) if got else None})
    sentry_sdk.get_client().close()
    return out


def main(argv: list[str]) -> None:
    mode, name, release, out = argv[0], argv[1], int(argv[2]), Path(argv[3])
    codebase = BY_NAME[name]
    if mode == "probe":
        records = probe(codebase, release)
    else:
        records = capture(codebase, release, json.loads(Path(argv[4]).read_text()))
    partial = out.with_suffix(".part")
    partial.write_text(json.dumps(records, sort_keys=True))
    partial.replace(out)


if __name__ == "__main__":
    main(sys.argv[1:])
