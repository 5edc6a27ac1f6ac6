"""Production defaults: settings follow FAULTLINE_URL, basic auth is off unless
enabled, and repeated failed logins are throttled by django-axes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.test import APIClient

from tests.conftest import ROOT

PRINT = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({k: getattr(s, k, None) for k in ['ALLOWED_HOSTS', 'CSRF_TRUSTED_ORIGINS',"
    " 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_HSTS_SECONDS',"
    " 'SECURE_PROXY_SSL_HEADER', 'REST_FRAMEWORK']}))"
)


def settings_with(**env) -> dict:
    full = dict(os.environ, DJANGO_SETTINGS_MODULE="faultline.settings", **env)
    full.pop("ALLOWED_HOSTS", None)
    out = subprocess.run([sys.executable, "-c", PRINT], env=full, cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_https_url_turns_on_secure_cookies_hsts_and_the_proxy_header():
    s = settings_with(FAULTLINE_URL="https://errors.example.com")
    assert s["ALLOWED_HOSTS"][0] == "errors.example.com" and "*" not in s["ALLOWED_HOSTS"]
    assert s["CSRF_TRUSTED_ORIGINS"] == ["https://errors.example.com"]
    assert s["SESSION_COOKIE_SECURE"] and s["CSRF_COOKIE_SECURE"]
    assert s["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert s["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    auth = s["REST_FRAMEWORK"]["DEFAULT_AUTHENTICATION_CLASSES"]
    assert not any("Basic" in name for name in auth)


def test_plain_http_local_run_keeps_cookies_usable_and_basic_auth_is_opt_in():
    s = settings_with(FAULTLINE_URL="http://127.0.0.1:8000", API_BASIC_AUTH="1")
    assert not s["SESSION_COOKIE_SECURE"] and s["SECURE_HSTS_SECONDS"] == 0
    assert s["SECURE_PROXY_SSL_HEADER"] is None
    auth = s["REST_FRAMEWORK"]["DEFAULT_AUTHENTICATION_CLASSES"]
    assert "rest_framework.authentication.BasicAuthentication" in auth


@pytest.mark.django_db
def test_basic_auth_is_refused_by_default():
    get_user_model().objects.create_user("basic", password="pw-basic-123")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Basic YmFzaWM6cHctYmFzaWMtMTIz")  # basic:pw-basic-123
    assert client.get("/api/0/organizations/").status_code in (401, 403)


@pytest.mark.django_db
def test_repeated_failed_logins_lock_the_account_out(settings):
    get_user_model().objects.create_user("victim", password="pw-victim-123")
    client = Client(REMOTE_ADDR="203.0.113.9")
    statuses = [
        client.post("/login/", {"username": "victim", "password": "guess"}).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    locked = client.post("/login/", {"username": "victim", "password": "pw-victim-123"})
    assert locked.status_code == 429  # even the right password, until the cool-off ends
    other = Client(REMOTE_ADDR="198.51.100.7")  # another address is not locked out
    assert (
        other.post("/login/", {"username": "victim", "password": "pw-victim-123"}).status_code
        == 302
    )
