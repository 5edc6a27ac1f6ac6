"""Run each release of the Python applications into their bugs, in process, and keep what the
official sentry-sdk would send (a transport that collects envelopes in memory)."""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
import re
import shutil
import sys
from pathlib import Path

from lab.generate.corpus import pyapps, recordkit
from lab.generate.corpus.shapes import App, Function

ADDRESS = re.compile(r" at 0x[0-9a-f]+>")
HARNESS = str(Path(__file__).resolve().parent)


class Collector:
    def __init__(self):
        import sentry_sdk.transport

        collector = self
        self.events: list[dict] = []

        class Transport(sentry_sdk.transport.Transport):
            def capture_envelope(self, envelope):
                event = envelope.get_event()
                if event is not None:
                    collector.events.append(event)

            def flush(self, timeout, callback=None):
                return None

        self.transport = Transport


def write_tree(root: Path, files: dict[str, str]) -> None:
    if root.exists():
        shutil.rmtree(root)
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def purge(*packages: str) -> None:
    for name in [m for m in sys.modules if m.split(".")[0] in packages]:
        del sys.modules[name]


def trigger(app: App, modules: dict, fn: Function, e: int) -> None:
    name = pyapps.entry_name(app.spec, fn, e)
    kind = app.spec.kind
    if kind == "web":
        response = modules["client"].get(f"/{fn.name}/{e}")
        assert response.status_code == 500, (name, response.status_code)
    elif kind == "cli":
        modules["cli"].cli.main([f"{fn.name}-{e}"], standalone_mode=False)
    elif kind == "pipeline":
        modules["pipeline"].run([name])
    else:
        asyncio.run(modules["dispatcher"].dispatch(name))


def check_crash_site(event: dict, fn: Function, bug: str) -> None:
    """The root cause must come from the fault function (or a helper extracted from it)."""
    root = event["exception"]["values"][0]
    frames = [f for f in root["stacktrace"]["frames"] if f.get("in_app")]
    crash = frames[-1]["function"] if frames else ""
    assert crash == fn.name or crash.startswith(f"_{fn.name}_"), (bug, root["type"], crash)


def tidy(event: dict, replacements: list[tuple[str, str]]) -> dict:
    """Drop the generator's own frames and its build paths (a deployment has its own)."""
    for exc in (event.get("exception") or {}).get("values", []):
        stack = exc.get("stacktrace") or {}
        stack["frames"] = [f for f in stack.get("frames") or []
                           if not str(f.get("abs_path", "")).startswith(HARNESS)]
        for frame in stack["frames"]:
            frame.pop("vars", None)  # local variables' reprs hold addresses and trace ids
    for key in ("contexts", "breadcrumbs", "extra", "modules", "timestamp", "event_id"):
        event.pop(key, None)
    text = json.dumps(event)
    for old, new in replacements:
        text = text.replace(old, new)
    text = ADDRESS.sub(" at 0x7f0000000000>", text)  # local variables' reprs: deterministic
    return json.loads(text)


def capture_app(app: App, build: Path, seed: int, repeats: int) -> list[dict]:
    import sentry_sdk
    from sentry_sdk.integrations.flask import FlaskIntegration

    logging.getLogger("flask.app").setLevel(logging.CRITICAL)
    logging.getLogger("storefront").setLevel(logging.CRITICAL)
    spec = app.spec
    rows = []
    for release in range(1, pyapps.RELEASES + 1):
        p = pyapps.plan(app, release, seed)
        root = build / spec.name / f"r{release}"
        write_tree(root / spec.package, pyapps.render_release(app, p))
        library = 1 if release <= 2 else 2
        site = build / f"recordkit-{library}" / "site-packages"
        write_tree(site / "recordkit", recordkit.files(library))
        purge(spec.package, "recordkit")
        sys.path[:0] = [str(root), str(site)]
        collector = Collector()
        try:
            entry = {"web": "routes", "cli": "cli", "pipeline": "pipeline",
                     "async": "dispatcher"}[spec.kind]
            modules = {entry: importlib.import_module(f"{spec.package}.{entry}")}
            source = importlib.import_module(f"{spec.package}.source")
            if spec.kind == "web":
                modules["routes"].app.logger.disabled = True
                modules["client"] = modules["routes"].app.test_client()
            sentry_sdk.init(
                dsn="http://public@localhost/1",
                transport=collector.transport,
                release=f"{spec.name}@{release}.0.0",
                server_name=f"{spec.name}-host",
                default_integrations=False,
                auto_enabling_integrations=False,
                integrations=[FlaskIntegration()] if spec.kind == "web" else [],
                project_root=str(root),
            )
            replacements = [(str(root), f"/srv/{spec.name}/releases/{release}"),
                            (str(site), "/usr/local/lib/python3.11/site-packages")]
            for fn in app.functions:
                for s, step in enumerate(fn.steps):
                    for b, bug in enumerate(step.bugs):
                        for e in range(fn.entries):
                            for _ in range(repeats):
                                n = p.rng.randint(1, 999)
                                source.CURRENT = pyapps.failing_input(fn, s, b, n)
                                before = len(collector.events)
                                try:
                                    trigger(app, modules, fn, e)
                                except Exception as exc:
                                    sentry_sdk.capture_exception(exc)
                                got = collector.events[before:]
                                assert len(got) == 1, (bug, e, len(got))
                                check_crash_site(got[0], fn, bug)
                                rows.append({"bug": bug, "app": spec.name, "platform": "python",
                                             "event": tidy(got[0], replacements)})
        finally:
            sentry_sdk.get_client().close()
            del sys.path[:2]
            purge(spec.package, "recordkit")
    return rows
