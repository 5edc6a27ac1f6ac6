"""Run one release of clinic-desk in a process of its own, under the real sentry-sdk with the
Flask, Django and Celery integrations, and keep what the SDK sends for each planned event.

``python -m lab.mine.clinicapp.capture RELEASE OUT.json``. The release's source tree is copied to
``var/mine/clinicapp/<version>`` (so no frame of it lies under lab/, whose frames are the
harness's and dropped), then each planned event loads its fixture into the app's store and
calls one entry point: a Flask or Django test client request, an eager Celery task, the click
command line, or the scheduler's job runner.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import sys
import uuid
from importlib import metadata
from pathlib import Path

from lab.mine.clinicapp import plan
from lab.mine.clinicapp.bugs import APP, VERSIONS

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
HARNESS = str(ROOT / "lab")
ADDRESS = re.compile(r" at 0x[0-9a-f]+>")
DEPLOYED_SITE = "/usr/local/lib/python3.11/site-packages"
DEPLOYED_STDLIB = "/usr/local/lib/python3.11"
FRAMEWORKS = ("celery", "click", "django", "flask", "sentry-sdk")


def deployed_root(release: int) -> str:
    return f"/srv/{APP}/releases/{VERSIONS[release]}"


def frameworks() -> dict[str, str]:
    return {name: metadata.version(name) for name in FRAMEWORKS}


def install(release: int) -> Path:
    root = ROOT / "var" / "mine" / "clinicapp" / VERSIONS[release]
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(HERE / "releases" / VERSIONS[release], root,
                    ignore=shutil.ignore_patterns("__pycache__"))
    return root


def tidy(event: dict, replacements: list[tuple[str, str]]) -> dict:
    """Drop the harness's frames and what differs run to run (ids, times, trace ids, the
    process's module list); put paths where a deployment has them."""
    for value in (event.get("exception") or {}).get("values", []):
        stack = value.get("stacktrace") or {}
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


class Entries:
    """The application's five entry points, as its own processes call them."""

    def __init__(self) -> None:
        import django

        django.setup()
        from clinicdesk import manage, scheduler, worker
        from clinicdesk.api import flask_app
        from django.test import Client

        self.flask = flask_app.app.test_client()
        self.django = Client(raise_request_exception=False)
        self.worker, self.manage, self.scheduler = worker, manage, scheduler

    def trigger(self, entry: str, op: str, args: dict, task_id: str) -> None:
        if entry == "flask":
            self.via_flask(op, args)
        elif entry == "django":
            self.via_django(op, args)
        elif entry == "celery":
            self.via_celery(op, args, task_id)
        elif entry == "click":
            self.via_click(op, args)
        else:
            self.via_jobs(op, args)

    def via_flask(self, op: str, a: dict) -> None:
        client = self.flask
        if op == "book":
            client.post("/appointments", json=a["payload"])
        elif op == "cancel":
            client.delete(f"/appointments/{a['appointment_id']}", json={"reason": a["reason"]})
        elif op == "check_in":
            client.post(f"/appointments/{a['appointment_id']}/arrival",
                        json={"arrived": a["arrived"]})
        elif op == "roster":
            client.put("/roster", data=a["text"], content_type="text/csv")
        else:
            raise ValueError(op)

    def via_django(self, op: str, a: dict) -> None:
        client = self.django
        if op == "book":
            client.post("/appointments/", data=json.dumps(a["payload"]),
                        content_type="application/json")
        elif op == "no_show":
            client.get(f"/stats/no-show/{a['clinic_id']}/")
        elif op == "busiest":
            client.get(f"/stats/busiest/{a['clinic_id']}/")
        elif op == "utilization":
            client.get("/stats/utilization/", {"day": a["day"]})
        else:
            raise ValueError(op)

    def via_celery(self, op: str, a: dict, task_id: str) -> None:
        name = {"book": "book", "check_in": "check_in", "remind": "remind", "roster": "roster",
                "claim": "claim"}[op]  # by registered name: the functions are renamed
        self.worker.app.tasks[f"clinicdesk.{name}"].apply_async(kwargs=a, task_id=task_id)

    def via_click(self, op: str, a: dict) -> None:
        if op == "book":
            argv = ["book", json.dumps(a["payload"])]
        elif op == "cancel":
            argv = ["cancel", str(a["appointment_id"])]
            argv += ["--reason", a["reason"]] if a["reason"] is not None else []
        elif op == "roster":
            argv = ["roster", a["text"]]
        elif op == "claim":
            argv = ["claim", str(a["appointment_id"])]
        elif op == "no_show":
            argv = ["stats", "no-show", a["clinic_id"]]
        elif op == "busiest":
            argv = ["stats", "busiest", a["clinic_id"]]
        elif op == "utilization":
            argv = ["stats", "utilization", a["day"]]
        else:
            raise ValueError(op)
        self.manage.main(argv)

    def via_jobs(self, op: str, a: dict) -> None:
        if op == "remind":
            self.scheduler.run("reminders", appointment_ids=[a["appointment_id"]])
        elif op == "claim":
            self.scheduler.run("claims", appointment_ids=[a["appointment_id"]])
        elif op == "no_show":
            self.scheduler.run("stats", clinic_id=a["clinic_id"], which="no-show")
        elif op == "busiest":
            self.scheduler.run("stats", clinic_id=a["clinic_id"], which="busiest")
        elif op == "utilization":
            self.scheduler.run("stats", day=a["day"], which="utilization")
        else:
            raise ValueError(op)


def capture(release: int) -> list[dict]:
    root = install(release)
    sys.path.insert(0, str(root))
    os.environ["DJANGO_SETTINGS_MODULE"] = "clinicdesk.settings"
    logging.disable(logging.CRITICAL)
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.flask import FlaskIntegration

    events, transport = _collector()
    sentry_sdk.init(
        dsn="http://public@localhost/1", transport=transport,
        release=f"{APP}@{VERSIONS[release]}", server_name=f"{APP}-1",
        default_integrations=False, auto_enabling_integrations=False,
        integrations=[FlaskIntegration(), DjangoIntegration(), CeleryIntegration()],
        project_root=str(root), include_local_variables=False,
    )
    entries = Entries()
    import flask
    from clinicdesk import db, sms
    site = str(Path(flask.__file__).resolve().parents[1])
    stdlib = str(Path(logging.__file__).resolve().parents[1])
    unresolved = [p for p in sys.path if p.endswith("site-packages") and p != site]
    replacements = [(str(root), deployed_root(release)), (site, DEPLOYED_SITE),
                    *[(p, DEPLOYED_SITE) for p in unresolved], (stdlib, DEPLOYED_STDLIB)]
    replacements.sort(key=lambda pair: -len(pair[0]))
    out = []
    for item in plan.events(release):
        db.reset(**item["fixture"])
        sms.OUTBOX.clear()
        before = len(events)
        task_id = str(uuid.UUID(int=item["seed"] >> 128))
        with sentry_sdk.isolation_scope():  # one request, task or command: its own scope
            entries.trigger(item["entry"], item["op"], item["args"], task_id)
        got = events[before:]
        out.append({"bug": item["bug"], "entry": item["entry"], "family": item["family"],
                    "captures": len(got),
                    "event": tidy(got[-1], replacements) if got else None})
    sentry_sdk.get_client().close()
    return out


def main(argv: list[str]) -> None:
    release, out = int(argv[0]), Path(argv[1])
    records = capture(release)
    partial = out.with_suffix(".part")
    partial.write_text(json.dumps({"frameworks": frameworks(), "events": records},
                                  sort_keys=True))
    partial.replace(out)


if __name__ == "__main__":
    main(sys.argv[1:])
