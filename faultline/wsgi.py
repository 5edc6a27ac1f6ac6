"""WSGI entry point. Ingest endpoints get a handler without middleware: sessions, auth, CSRF and
messages do nothing for SDK requests but cost a sizeable share of each one (bench/ingest.py)."""

import os
import re

from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "faultline.settings")

INGEST_PATH = re.compile(r"^/api/\d+/(store|envelope|security)/$")


class IngestHandler(WSGIHandler):
    def load_middleware(self, is_async=False):
        self._view_middleware = []
        self._template_response_middleware = []
        self._exception_middleware = []
        self._middleware_chain = convert_exception_to_response(self._get_response)


django_application = get_wsgi_application()
from ingest.replay import start_replayer  # noqa: E402 - needs Django set up

start_replayer()  # each web process replays its host's spool (docs/spool.md)
ingest_application = IngestHandler()


def application(environ, start_response):
    if INGEST_PATH.match(environ.get("PATH_INFO", "")):
        return ingest_application(environ, start_response)
    return django_application(environ, start_response)
