"""The SSRF guard and the per-attempt bounds against real local servers: every socket of a
webhook or Apprise delivery is checked where it connects (redirect hops, mailto's smtp=), an
attempt ends at its deadline however slowly the receiver drips, and reads stop at the byte cap.

No public host runs here: 127.0.0.2 plays one, by treating it as public in the guard's address
rule (`_public`), which every check goes through."""

import pytest

from alerts import netguard
from alerts.models import AlertDestination
from alerts.notify import attempt, send_test
from tests.helpers.alert_receivers import (
    HTTPReceiver,
    RawHTTPServer,
    SMTPServer,
    drip,
    huge_error,
    redirect_to,
)

pytestmark = pytest.mark.django_db
FAKE_PUBLIC = "127.0.0.2"
MiB = 1024 * 1024


@pytest.fixture
def fake_public(monkeypatch):
    real = netguard._public
    monkeypatch.setattr(netguard, "_public", lambda address: address == FAKE_PUBLIC
                        or real(address))


@pytest.fixture
def receiver():
    server = HTTPReceiver().start()
    yield server
    server.stop()


def serve(reply, host="127.0.0.1"):
    return RawHTTPServer(reply, host).start()


def destination(project, kind, url, **fields):
    return AlertDestination.objects.create(project=project, name=kind, kind=kind,
                                           config={"url": url}, **fields)


def test_apprise_redirect_from_a_public_host_to_loopback_is_refused(project, receiver,
                                                                   fake_public):
    public = serve(redirect_to(receiver.url + "/internal"), host=FAKE_PUBLIC)
    try:
        dest = destination(project, "apprise", public.url.replace("http://", "json://") + "/x")
        delivery = attempt(send_test(dest))
    finally:
        public.stop()
    assert public.requests == 1  # the public hop was reached
    assert receiver.hits == []  # the redirect to loopback was not followed
    tried = dest.attempts.get()
    assert delivery.status == "failed" and delivery.attempts == 1  # permanent
    assert tried.error == "blocked: non-public address"  # members see no internal address
    assert "127.0.0.1" in tried.detail  # owners and admins do


def test_mailto_smtp_parameter_cannot_reach_a_private_relay(project):
    relay = SMTPServer().start()
    try:
        url = (f"mailto://user@93.184.216.34?smtp=127.0.0.1&port={relay.port}"
               "&mode=insecure&to=ops@example.com")
        dest = destination(project, "apprise", url)
        delivery = attempt(send_test(dest))
    finally:
        relay.stop()
    assert relay.inbox.messages == []
    assert delivery.status == "failed" and dest.attempts.get().error.startswith("blocked")


def test_a_private_relay_is_reached_when_staff_allowed_it(project):
    relay = SMTPServer().start()
    try:
        url = (f"mailto://user@93.184.216.34?smtp=127.0.0.1&port={relay.port}"
               "&mode=insecure&to=ops@example.com")
        dest = destination(project, "apprise", url, allow_private=True)
        delivery = attempt(send_test(dest))
    finally:
        relay.stop()
    assert delivery.status == "sent", dest.attempts.get().detail
    assert [m["to"] for m in relay.inbox.messages] == [["ops@example.com"]]


@pytest.mark.parametrize("kind", ["webhook", "apprise"])
def test_a_dripping_receiver_is_cut_off_at_the_attempt_deadline(project, settings, kind):
    settings.ALERTS_ATTEMPT_DEADLINE, settings.ALERTS_HTTP_TIMEOUT = 1, 3
    server = serve(drip(interval=0.2, give_up_after=20))
    try:
        url = server.url if kind == "webhook" else server.url.replace("http://", "json://")
        dest = destination(project, kind, url + "/hook", allow_private=True)
        delivery = attempt(send_test(dest))
    finally:
        server.stop()
    assert dest.attempts.get().error == "deadline exceeded (1 s per attempt)"
    assert delivery.status == "pending"  # retried later, like any timeout
    assert server.sent < 40  # the status line was still dripping when the attempt ended


@pytest.mark.parametrize("kind", ["webhook", "apprise"])
def test_a_huge_error_body_is_not_read(project, settings, kind):
    settings.ALERTS_RESPONSE_MAX_BYTES = 256 * 1024
    server = serve(huge_error(64 * MiB))
    try:
        url = server.url if kind == "webhook" else server.url.replace("http://", "json://")
        dest = destination(project, kind, url + "/hook", allow_private=True)
        attempt(send_test(dest))
    finally:
        server.stop()
    tried = dest.attempts.get()
    assert server.sent < 16 * MiB  # what the client took before it stopped (socket buffers)
    assert not tried.ok and len(tried.detail) <= 1000
    if kind == "webhook":  # reads a 300-byte excerpt for owners and admins, then hangs up
        assert tried.error == "HTTP 500" and tried.detail.startswith("internal-secret")
    else:  # Apprise reads whole bodies: the guard's byte cap stops it
        assert tried.error == f"response too large (over {256 * 1024} bytes)"


def test_a_changed_config_loses_the_private_approval(project, receiver):
    dest = destination(project, "webhook", receiver.url + "/approved", allow_private=True)
    assert dest.private_allowed and attempt(send_test(dest)).status == "sent"
    AlertDestination.objects.filter(pk=dest.pk).update(config={"url": receiver.url + "/other"})
    dest.refresh_from_db()
    assert dest.allow_private and not dest.private_allowed
    assert attempt(send_test(dest)).status == "failed"
    assert [hit.path for hit in receiver.hits] == ["/approved"]


def test_outside_a_delivery_sockets_are_not_guarded(receiver):
    import requests

    with netguard.guarded(), pytest.raises(requests.ConnectionError):
        requests.get(receiver.url + "/in", timeout=5)
    assert requests.post(receiver.url + "/out", timeout=5).status_code == 200
    assert [hit.path for hit in receiver.hits] == ["/out"]


def test_a_staff_added_nostr_relay_on_loopback_is_refused_at_connect(project):
    relay = serve(lambda write: write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"))
    try:
        url = "nostr://" + "1" * 64 + f"?relay=ws://127.0.0.1:{relay.url.rsplit(':', 1)[1]}"
        dest = destination(project, "apprise", url)  # saved by staff: no schema allow-list
        delivery = attempt(send_test(dest))
    finally:
        relay.stop()
    assert relay.requests == 0  # not even the websocket handshake
    assert delivery.status == "failed" and dest.attempts.get().error.startswith("blocked")


@pytest.mark.parametrize("kind", ["webhook", "apprise"])
def test_proxies_from_the_environment_are_not_used(project, receiver, monkeypatch, kind):
    """Through a proxy the guard would see only the proxy's address, never the receiver's."""
    proxy = HTTPReceiver().start()
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy"):
        monkeypatch.setenv(name, proxy.url)
    try:
        url = receiver.url if kind == "webhook" else receiver.url.replace("http://", "json://")
        dest = destination(project, kind, url + "/hook", allow_private=True)
        delivery = attempt(send_test(dest))
    finally:
        proxy.stop()
    assert proxy.hits == []
    assert delivery.status == "sent" and [hit.path for hit in receiver.hits] == ["/hook"]


def test_sockets_outliving_the_attempt_are_cut_when_it_ends():
    """A thread the delivery started (as Apprise's are) that still waits on a socket when the
    attempt ends neither keeps it nor opens another."""
    import contextvars
    import socket
    import threading

    release = threading.Event()
    silent = serve(lambda write: release.wait(30))  # takes the request, never answers
    port = int(silent.url.rsplit(":", 1)[1])
    outcome: list = []
    started = threading.Event()

    def wait_for_answer():
        sock = socket.socket()
        sock.connect(("127.0.0.1", port))
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        started.set()
        outcome.append(sock.recv(1))  # no timeout: only a shutdown ends it
        try:
            socket.socket().connect(("127.0.0.1", port))
            outcome.append("connected again")
        except netguard.GuardTripped as exc:
            outcome.append(str(exc))

    try:
        with netguard.guarded(allow_private=True):
            thread = threading.Thread(target=contextvars.copy_context().run,
                                      args=(wait_for_answer,), daemon=True)
            thread.start()
            assert started.wait(10)
        thread.join(20)  # a bound on a hang, not a timing: the read ends at once when cut
        assert outcome == [b"", "attempt over"]
    finally:
        release.set()
        silent.stop()


def test_members_see_no_resolved_address_of_a_blocked_webhook(project):
    dest = destination(project, "webhook", "http://localhost:9/hook")
    assert attempt(send_test(dest)).status == "failed"
    tried = dest.attempts.get()
    assert tried.error == "blocked: non-public address"
    assert "127.0.0.1" in tried.detail or "::1" in tried.detail
