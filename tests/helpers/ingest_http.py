"""Requests to the ingest endpoints as SDKs send them, through a Django test client, and the
WSGI environ the lean entry (ingest.lean) answers, with a body that counts what is read of it."""

import io
import json


def auth(key: str) -> dict:
    return {
        "HTTP_X_SENTRY_AUTH": f"Sentry sentry_version=7, sentry_client=test/1.0, sentry_key={key}"
    }


def post_store(client, project_id, body, key=None, encoding=None, **headers):
    if isinstance(body, dict):
        body = json.dumps(body).encode()
    if encoding:
        headers["HTTP_CONTENT_ENCODING"] = encoding
    if key:
        headers.update(auth(key))
    return client.post(
        f"/api/{project_id}/store/", body, content_type="application/json", **headers
    )


def post_envelope(client, project_id, body, key=None, **headers):
    if key:
        headers.update(auth(key))
    return client.post(
        f"/api/{project_id}/envelope/",
        body,
        content_type="application/x-sentry-envelope",
        **headers,
    )


def envelope(*parts) -> bytes:
    return b"\n".join(p if isinstance(p, bytes) else json.dumps(p).encode() for p in parts)


class CountingInput(io.BytesIO):
    """A request's input stream, counting what the server read of it."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size: int | None = -1) -> bytes:
        part = super().read(size)
        self.bytes_read += len(part)
        return part


def wsgi_environ(path: str, stream, length: int, query: str = "",
                 encoding: str | None = None, chunked: bool = False, **headers) -> dict:
    """A POST of an envelope as the server hands it to the WSGI application; `chunked`: no
    Content-Length, the body framed as the server gives a chunked one."""
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": path, "QUERY_STRING": query,
               "CONTENT_TYPE": "application/x-sentry-envelope", "wsgi.input": stream,
               "SERVER_NAME": "localhost", "SERVER_PORT": "80", **headers}
    if chunked:
        environ.update(HTTP_TRANSFER_ENCODING="chunked", **{"wsgi.input_terminated": True})
    else:
        environ["CONTENT_LENGTH"] = str(length)
    if encoding:
        environ["HTTP_CONTENT_ENCODING"] = encoding
    return environ
