"""Loopback HTTP sites standing for a project's public origin, and the events and project that
the source-fetching tests send through the real processing stage."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ingest.processing import process_pending
from monitor.models import Event, Organization, Project
from tests.helpers.sourcemaps import MAP, MINIFIED


class Site(ThreadingHTTPServer):
    """Serves `files` (path → (status, headers, body)); remembers every path asked for."""

    daemon_threads = True

    def __init__(self, files: dict):
        self.files, self.asked = files, []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(handler):  # noqa: N805
                self.asked.append(handler.path)
                status, headers, body = self.files.get(handler.path, (404, {}, b"no"))
                handler.send_response(status)
                for name, value in headers.items():
                    handler.send_header(name, value)
                handler.send_header("Content-Length", str(len(body)))
                handler.end_headers()
                handler.wfile.write(body)

            def log_message(handler, *args):  # noqa: N805
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


def app_files(map_body: bytes | None = None) -> dict:
    return {"/assets/app.js": (200, {}, MINIFIED),
            "/assets/app.js.map": (200, {}, map_body or json.dumps(MAP).encode())}


class Stall(Site):
    """Answers headers, then sends a byte at a time slower than the fetch deadline."""

    def __init__(self):
        super().__init__({})
        outer = self

        class Slow(self.RequestHandlerClass):
            def do_GET(handler):  # noqa: N805
                outer.asked.append(handler.path)
                handler.send_response(200)
                handler.send_header("Content-Length", "100000")
                handler.end_headers()
                for _ in range(100):
                    handler.wfile.write(b"x")
                    handler.wfile.flush()
                    time.sleep(0.5)

        self.RequestHandlerClass = Slow


def project_for(origins: str, fetch_sources: bool = True) -> Project:
    org = Organization.objects.create(name="Shop", slug="shop")
    return Project.objects.create(organization=org, name="Web", slug="web", platform="javascript",
                                  allowed_origins=origins, fetch_sources=fetch_sources)


def js_event(url: str, frames: int = 3) -> dict:
    frame = {"abs_path": url, "filename": url, "function": "b", "lineno": 1, "colno": 37,
             "in_app": True}
    return {"platform": "javascript", "release": "shop@1",
            "exception": [{"type": "Error", "value": "boom 2",
                           "stacktrace": {"frames": [dict(frame) for _ in range(frames)]}}]}


def stored_frames(project: Project) -> list[list[dict]]:
    while process_pending(100):
        pass
    return [e.data["exception"][0]["stacktrace"]["frames"]
            for e in Event.objects.filter(project=project).order_by("id")]
