"""Serving a built bundle to Debian's Chromium (Playwright) and letting @sentry/browser report
an error from it, and signing in to Faultline. Helpers of the browser tests (no tests here)."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import threading
from collections.abc import Iterator
from pathlib import Path

PAGE = "<!doctype html><title>shop</title><script src='app.min.js'></script>"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@contextlib.contextmanager
def serving(dist: Path) -> Iterator[str]:
    """`dist` (with a page loading app.min.js) on a free loopback port; yields the page URL."""
    (dist / "index.html").write_text(PAGE)
    handler = functools.partial(_Quiet, directory=str(dist))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    finally:
        server.shutdown()


def browse_and_capture(dist: Path, chromium: str, feedback: bool = False) -> None:
    """Serve `dist` on a free port, open it, run the checkout of an empty cart (which throws
    and is captured by the SDK) and wait for the SDK to deliver the event. With `feedback`,
    also report an error with an attachment and the user's feedback on it."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")  # Playwright keeps a loop here
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright, serving(dist) as url:
            browser = playwright.chromium.launch(executable_path=chromium, args=ARGS)
            page = browser.new_page()
            page.goto(url)
            assert page.evaluate("window.runCheckout([])") is None
            if feedback:
                assert page.evaluate("window.reportWithFeedback()")
            assert page.evaluate("window.flushSentry()") is True
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def sign_in(page, base: str, username: str, password: str) -> None:
    """Sign in through the login form, as a person would."""
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
