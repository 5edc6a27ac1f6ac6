"""What clinic-desk hands lab.mine.appcode.machinery: the drivers of its entry points and
its `Application`. ``python -m lab.mine.clinicapp.capture RELEASE OUT.json`` runs one release,
copied to var/mine/clinicapp/<version>, under the real sentry-sdk (machinery.capture)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from lab.mine.appcode import machinery
from lab.mine.clinicapp.bugs import APP, BUGS, ENTRIES, VERSIONS

HERE = Path(__file__).resolve().parent
ROOT = machinery.ROOT
frameworks = machinery.frameworks


class Entries(machinery.Drivers):
    """clinic-desk's entry points: the Flask API, Django views, the worker's
    Celery tasks (by registered name), manage commands and the scheduler."""

    def __init__(self) -> None:
        import django

        django.setup()
        from clinicdesk import manage, scheduler, worker
        from clinicdesk.api import flask_app
        from django.test import Client

        self.flask = flask_app.app.test_client()
        self.django = Client(raise_request_exception=False)
        self.worker, self.manage, self.scheduler = worker, manage, scheduler

    def reset(self, fixture: dict) -> None:
        """Load the event's fixture and empty the outbox (imported here: only once the
        release is on sys.path)."""
        from clinicdesk import db, sms

        db.reset(**fixture)
        sms.OUTBOX.clear()

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


APPLICATION = machinery.Application(
    package="lab.mine.clinicapp", app=APP, versions=VERSIONS, bugs=BUGS, entries=ENTRIES,
    report_only=False, settings="clinicdesk.settings", drivers=Entries,
    releases=HERE / "releases")


if __name__ == "__main__":
    machinery.capture_main(APPLICATION, sys.argv[1:])
