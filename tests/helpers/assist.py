"""AI summaries' test parts: an event and its issue, consent to the generative features, an
owner, an OpenAI-compatible server on 127.0.0.1 (the hosted API cannot run here), a generation
run in this process, and a grounded event with its runtime."""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from assist import service
from assist.models import Generation
from consent.models import GENERATIVE_FLAGS, OrganizationConsent
from ingest.accept import store_raw_event
from ingest.processing import process_pending
from monitor.models import Issue, Membership
from tests.helpers.cast import join, make_user

GOOD = ("Summary: ZeroDivisionError in average_price (shop/cart.py) for an empty cart.\n"
        "Cause: The cart has no items, so len(self.items) is zero.\n"
        "Fix: Return 0 for an empty cart before dividing.")


def payload(message="division by zero", crash="return sum(self.items) / len(self.items)",
            function="average_price", caller="checkout_view", **extra) -> dict:
    return {
        "platform": "python",
        "exception": {"values": [{
            "type": "ZeroDivisionError", "value": message,
            "stacktrace": {"frames": [
                {"module": "shop.views", "function": caller, "in_app": True,
                 "context_line": "return round(cart.average_price(), 2)"},
                {"module": "shop.cart", "function": function, "in_app": True,
                 "context_line": crash},
            ]},
        }]},
        **extra,
    }


def ingest(project, body) -> Issue:
    store_raw_event(project.id, uuid.uuid4(), "event", json.dumps(body).encode())
    while process_pending(100):
        pass
    return Issue.objects.filter(project=project).order_by("-id").first()


def consent(org, **flags) -> OrganizationConsent:
    row, _ = OrganizationConsent.objects.get_or_create(organization=org)
    for name in GENERATIVE_FLAGS:
        setattr(row, name, flags.get(name, True))
    for name in ("hide_ai_features", "under_baa"):
        if name in flags:
            setattr(row, name, flags[name])
    row.save()
    return row


@pytest.fixture
def owner(org):
    user = make_user("olivia")
    join(user, org, Membership.Role.OWNER)
    return user


class FakeOpenAI:
    """A chat-completions server on 127.0.0.1: answers per `mode`, records every request."""

    def __init__(self):
        self.mode, self.requests, self.custom = "good", [], ""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append({"path": self.path, "body": body,
                                      "auth": self.headers.get("Authorization")})
                if fake.mode == "slow":
                    time.sleep(3)
                if fake.mode == "error":
                    self.send_response(500)
                    self.end_headers()
                    return
                prompt_text = "\n".join(m["content"] for m in body["messages"])
                content = {
                    "good": GOOD, "slow": GOOD,
                    "echo": "Summary: " + prompt_text[-500:].replace("\n", " ")
                            + "\nCause: see the "
                            "summary above\nFix: as in the examples above",
                    "junk": "lorem ipsum " * 40,
                    "custom": fake.custom,
                }.get(fake.mode)
                out = ({"model": body["model"], "choices": [{"message": {"content": content}}],
                        "usage": {"prompt_tokens": 100, "completion_tokens": 30}}
                       if content is not None else {"unexpected": True})
                data = json.dumps(out).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def generate(issue, user=None) -> Generation:
    generation = service.request(issue, user)
    service.run(generation.id)
    generation.refresh_from_db()
    return generation


RUNTIME = {"runtime": {"name": "CPython", "version": "3.11.7"}}
KIWI = {
    "platform": "python",
    "contexts": RUNTIME,
    "exception": {"values": [{
        "type": "KeyError", "value": "'sku-kiwi'",
        "stacktrace": {"frames": [
            {"module": "shop.views", "function": "checkout", "lineno": 41, "in_app": True,
             "context_line": "total += price_of(line.sku) * line.qty"},
            {"module": "shop.catalog", "function": "price_of", "lineno": 12, "in_app": True,
             "context_line": "return PRICES[sku]", "vars": {"sku": "'sku-kiwi'"}},
        ]},
    }]},
}
