"""pytest plugin (loaded with -p): starts an embedded PostgreSQL and Valkey for the test session
before pytest-django configures Django, unless DATABASE_URL / REDIS_URL point elsewhere."""

from __future__ import annotations

import os

import pytest

from faultline.localservices import VAR_DIR, EmbeddedPostgres, EmbeddedValkey


class Services:
    postgres: EmbeddedPostgres | None = None
    valkey: EmbeddedValkey | None = None
    onnx_dir = None


services = Services()


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args):
    if {"--help", "-h", "--version"} & set(args):
        return
    root = VAR_DIR / "test"
    if not os.environ.get("DATABASE_URL"):
        services.postgres = EmbeddedPostgres(root / "postgres", durable=False)
        services.postgres.start()
        os.environ["DATABASE_URL"] = services.postgres.url("faultline")
    if not os.environ.get("REDIS_URL"):
        services.valkey = EmbeddedValkey(root / f"valkey-{os.getpid()}")
        services.valkey.start()
        os.environ["REDIS_URL"] = services.valkey.url
    # ONNX exports of the session's models (each trained test model is one, ~90 MB): in a
    # directory of its own, removed at the end, shared with the servers the tests start
    services.onnx_dir = root / f"onnx-{os.getpid()}"
    os.environ.setdefault("EMBEDDING_ONNX_DIR", str(services.onnx_dir))
    # the shipped model written out once and kept between sessions (its name holds its version)
    os.environ.setdefault("FAULTLINE_SHIPPED_MODEL_DIR", str(root / "shipped-models"))
    early_config.add_cleanup(_stop)


def _stop() -> None:
    import shutil

    if services.onnx_dir is not None:
        shutil.rmtree(services.onnx_dir, ignore_errors=True)
    if services.valkey is not None:
        services.valkey.stop()
        shutil.rmtree(services.valkey.data_dir, ignore_errors=True)
    if services.postgres is not None:
        services.postgres.stop()
