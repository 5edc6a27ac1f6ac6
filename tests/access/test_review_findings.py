"""Security review reproductions (scratch)."""

from __future__ import annotations

import pytest

from members.models import Invitation
from tests.helpers.clients import client_of
from tests.helpers.members import acme, invite  # noqa: F401 - acme is a fixture

pytestmark = pytest.mark.django_db


def test_admin_cannot_withdraw_an_owner_invitation_by_inviting_again(org, acme, smtp):  # noqa: F811
    assert invite(client_of(acme["owner"]), org, "boss@example.com", "owner").status_code == 302
    owner_invite = Invitation.objects.get(email="boss@example.com")
    # Withdrawing it directly is refused to admins ...
    revoke = client_of(acme["admin"]).post(f"/{org.slug}/settings/invitations/",
                                           {"action": "revoke", "invitation": owner_invite.id})
    assert revoke.status_code == 403
    owner_invite.refresh_from_db()
    assert owner_invite.revoked_at is None
    # ... but inviting the same address as member withdraws (and downgrades) it.
    replaced = invite(client_of(acme["admin"]), org, "boss@example.com", "member")
    assert replaced.status_code == 403
    owner_invite.refresh_from_db()
    assert owner_invite.revoked_at is None, "an admin withdrew an owner's invitation"


@pytest.mark.parametrize("address", [
    "64:ff9b::a9fe:a9fe",  # NAT64 (RFC 6052) of 169.254.169.254
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    "64:ff9b:1::a00:1",  # local-use NAT64 (RFC 8215)
    "2002:7f00:1::1",  # 6to4 of 127.0.0.1
    "2002:a00:1::",  # 6to4 of 10.0.0.1
    "::7f00:1",  # IPv4-compatible 127.0.0.1
    "::ffff:0:a00:1",  # IPv4-translated (SIIT) 10.0.0.1
    "fec0::1",  # deprecated site-local
])
def test_ipv6_forms_of_private_addresses_are_not_public(address):
    from alerts.netguard import _public

    assert not _public(address)


@pytest.mark.parametrize("address", ["64:ff9b::808:808", "2002:808:808::1", "2606:4700::1111",
                                     "8.8.8.8", "::ffff:8.8.8.8"])
def test_public_addresses_stay_public(address):
    from alerts.netguard import _public

    assert _public(address)


def test_the_scope_child_is_bounded_with_many_descriptors_open():
    """A worker holding descriptors past select()'s FD_SETSIZE still bounds and reaps the
    child (select() raised ValueError and left the child running, unreaped)."""
    import os
    import resource
    import time

    from sourcemaps.parsed import _child_survives

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard < 1200:
        pytest.skip("cannot open enough descriptors here")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1200), hard))
    held = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    try:
        before = _children()
        assert _child_survives(lambda: time.sleep(30), 0.5, 1 << 30) is False
        assert _children() == before  # killed and reaped: no child running, no zombie
    finally:
        for fd in held:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def _children() -> set[int]:
    import glob

    pids: set[int] = set()
    for path in glob.glob("/proc/self/task/*/children"):
        with open(path) as children:
            pids.update(int(pid) for pid in children.read().split())
    return pids


HOSTILE_TYPES = r'''
import json, resource, sys, uuid
resource.setrlimit(resource.RLIMIT_CPU, (5, 5))  # SIGXCPU kills the child past the bound
from symbolic.sourcemap import SourceMapView
from sourcemaps.parsed import ParsedMap
from sourcemaps.symbolicate import _Map, resolve_type
minified = b"class Zq{}" + b"var b=1;" * (16 * 1024 * 1024 // 8)
view = SourceMapView.from_json_bytes(json.dumps(
    {"version": 3, "sources": ["a.js"], "names": [], "mappings": "AAAA"}).encode())
found = _Map(ParsedMap(view, None, minified, 0), "~/a.js.map", "debug_id", None, 1)
for _ in range(int(sys.argv[1])):  # exceptions, each with a type never seen before
    resolve_type({"type": "E" + uuid.uuid4().hex[:8]}, [found])
exc = {"type": "Zq"}
resolve_type(exc, [found])
print(json.dumps(exc))
'''


def test_exception_types_an_event_names_cost_little_against_a_big_minified_file():
    """Any DSN holder names exception types; each new one is looked up in the minified file.
    The lookup must be a fast scan, not a regex tried at every byte (seconds per event)."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    for count in (25, 1000):  # one event's exceptions; a stream of events against one map
        done = subprocess.run([sys.executable, "-c", HOSTILE_TYPES, str(count)],
                              capture_output=True, cwd=Path(__file__).resolve().parents[2],
                              timeout=120)
        assert done.returncode == 0, (count, done.stderr.decode()[-2000:])
        assert json.loads(done.stdout) == {"type": "Zq", "minified_type": "Zq"}
