"""The esbuild fixture bundle of tests/js/fixtures, and artifact bundles as sentry-cli writes
them."""

import io
import json
import uuid
import zipfile

from tests.helpers import jsbuild

DEBUG_ID = uuid.UUID("4be63130-ef60-55f1-923d-38c2fff84417")
# Real esbuild output for tests/js/fixtures/src/boom.js (see tests/js/fixtures/README.md).
FIXTURES = jsbuild.JS / "fixtures"
MINIFIED = (FIXTURES / "app.js").read_bytes()
MAP = {**json.loads((FIXTURES / "app.js.map").read_text()), "debugId": str(DEBUG_ID)}


def bundle_zip(files: dict[str, tuple[str, dict, bytes]], attributes=None) -> bytes:
    """A bundle as sentry-cli writes it: manifest.json + files/<path>."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        manifest = {"files": {}, "attributes": attributes or {}}
        for path, (kind, headers, content) in files.items():
            manifest["files"][path] = {"url": f"~/{path}", "type": kind, "headers": headers}
            archive.writestr(f"files/{path}", content)
        archive.writestr("manifest.json", json.dumps(manifest))
    return out.getvalue()
