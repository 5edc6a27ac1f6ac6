"""What returns-desk hands lab.mine.appcode.machinery: the drivers of its entry points and its
`Application`. ``python -m lab.mine.returnsapp.capture RELEASE OUT.json`` runs one release,
copied to var/mine/returnsapp/<version>, under the real sentry-sdk (machinery.capture)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from lab.mine.appcode import machinery
from lab.mine.returnsapp.bugs import APP, BUGS, ENTRIES, VERSIONS

HERE = Path(__file__).resolve().parent
ROOT = machinery.ROOT
frameworks = machinery.frameworks


class Entries(machinery.Drivers):
    """returns-desk's entry points: the shop's Flask API, the back office's Django views, the
    worker's Celery tasks (by registered name), the ``returnsctl`` click commands, and the
    nightly asyncio jobs (from 3.0.0 the carriers' webhook consumer takes the feed)."""

    def __init__(self) -> None:
        import django

        django.setup()
        import returnsdesk
        from django.test import Client
        from returnsdesk import cli, nightly, worker
        from returnsdesk.api import flask_app

        self.flask = flask_app.app.test_client()
        self.django = Client(raise_request_exception=False)
        self.worker, self.cli, self.nightly = worker, cli, nightly
        self.consumer = None
        if returnsdesk.__version__ >= "3.0.0":
            from returnsdesk import consumer

            self.consumer = consumer

    def reset(self, fixture: dict) -> None:
        from returnsdesk import store

        store.reset(**fixture)

    def via_flask(self, op: str, a: dict) -> None:
        client = self.flask
        if op == "open":
            client.post("/returns", json=a["payload"])
        elif op == "receive":
            client.post("/dock/scans", json=a["scan"])
        elif op == "grade":
            client.post(f"/returns/{a['rma_id']}/grade", json=a["report"])
        elif op == "label":
            client.get(f"/orders/{a['order_id']}/label")
        else:
            raise ValueError(op)

    def via_django(self, op: str, a: dict) -> None:
        client = self.django
        if op == "open":
            client.post("/returns/", data=json.dumps(a["payload"]),
                        content_type="application/json")
        elif op == "restock":
            client.post(f"/returns/{a['rma_id']}/restock/", {"bin": a["bin"]})
        elif op == "label":
            client.get(f"/orders/{a['order_id']}/label/")
        elif op == "average":
            client.get("/reports/average-refund/")
        elif op == "rate":
            client.get("/reports/return-rate/")
        else:
            raise ValueError(op)

    def via_celery(self, op: str, a: dict, task_id: str) -> None:
        name, kwargs = {
            "open": ("returns.open", lambda: {"payload": a["payload"]}),
            "receive": ("returns.receive", lambda: {"scan": a["scan"]}),
            "refund": ("returns.refund", lambda: {"rma_id": a["rma_id"]}),
            "restock": ("returns.restock", lambda: {"rma_id": a["rma_id"], "bin_code": a["bin"]}),
            "feed": ("returns.feed", lambda: {"text": a["text"]}),
        }[op]  # by registered name: the functions are renamed
        self.worker.app.tasks[name].apply_async(kwargs=kwargs(), task_id=task_id)

    def via_click(self, op: str, a: dict) -> None:
        if op == "open":
            argv = ["open", json.dumps(a["payload"])]
        elif op == "grade":
            argv = ["grade", a["rma_id"], json.dumps(a["report"])]
        elif op == "refund":
            argv = ["refund", a["rma_id"]]
        elif op == "label":
            argv = ["label", str(a["order_id"])]
        elif op == "feed":
            argv = ["feed", a["text"]]
        elif op == "average":
            argv = ["report", "average-refund"]
        elif op == "rate":
            argv = ["report", "return-rate"]
        else:
            raise ValueError(op)
        self.cli.main(argv)

    def via_jobs(self, op: str, a: dict) -> None:
        if op == "receive":
            self.nightly.run("dock", scans=[a["scan"]])
        elif op == "refund":
            self.nightly.run("refunds", rma_ids=[a["rma_id"]])
        elif op == "restock":
            self.nightly.run("restock", moves=[(a["rma_id"], a["bin"])])
        elif op == "feed" and self.consumer is not None:
            self.consumer.deliver(a["text"])
        elif op == "feed":
            self.nightly.run("carriers", text=a["text"])
        elif op == "average":
            self.nightly.run("report", which="average-refund")
        elif op == "rate":
            self.nightly.run("report", which="return-rate")
        else:
            raise ValueError(op)


APPLICATION = machinery.Application(
    package="lab.mine.returnsapp", app=APP, versions=VERSIONS, bugs=BUGS, entries=ENTRIES,
    report_only=False, settings="returnsdesk.settings", drivers=Entries,
    releases=HERE / "releases")


if __name__ == "__main__":
    machinery.capture_main(APPLICATION, sys.argv[1:])
