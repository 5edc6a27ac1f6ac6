"""WSGI entry point. The ingest endpoints are served by ingest.lean, without Django's request
handling (middleware, URL resolver, request and response objects): for SDK requests none of it
does anything, and it cost more than the endpoint's own work (docs/benchmarks.md)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "faultline.settings")

django_application = get_wsgi_application()
from ingest import lean  # noqa: E402 - needs Django set up
from ingest.replay import start_replayer  # noqa: E402

start_replayer()  # each web process replays its host's spool (docs/spool.md)


def application(environ, start_response):
    if lean.endpoint(environ.get("PATH_INFO", "")):
        return lean.application(environ, start_response)
    return django_application(environ, start_response)
