"""Bad settings stop every process at start-up with the variable's name, instead of surfacing
later in a worker (a typo in ASSIST_BACKEND used to fail the first generation)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
START = "import django; django.setup(); print('started')"


def start(**env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", START], cwd=ROOT, capture_output=True,
                          text=True, timeout=120,
                          env={**os.environ, "DJANGO_SETTINGS_MODULE": "faultline.settings", **env})


def test_the_defaults_start():
    assert start().stdout.strip() == "started"


@pytest.mark.parametrize("env, message", [
    ({"ASSIST_BACKEND": "opnai"}, "ASSIST_BACKEND='opnai': expected none, openai, local"),
    ({"EMBEDDING_DEVICE": "gpu"}, "EMBEDDING_DEVICE='gpu'"),
    ({"EMBEDDING_BACKEND": "tensorrt"}, "EMBEDDING_BACKEND='tensorrt'"),
    ({"INGEST_PROCESS_BATCH": "lots"}, "INGEST_PROCESS_BATCH='lots': expected a whole number"),
    ({"EMBEDDING_BATCH_SIZE": "0"}, "EMBEDDING_BATCH_SIZE='0': expected at least 1"),
    ({"SPOOL_MAX_BYTES": "-5"}, "SPOOL_MAX_BYTES='-5': expected at least 0"),
    ({"OIDC_RP_CLIENT_ID": "faultline"}, "OIDC_OP_AUTHORIZATION_ENDPOINT='': single sign-on"),
])
def test_a_bad_setting_stops_start_up_naming_it(env, message):
    result = start(**env)
    assert result.returncode != 0 and "started" not in result.stdout
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr
